/**
 * The exports of a WebAssembly module embedded as base64 (scripts/wasm.ts writes them), or null
 * where this engine cannot compile it: the modules using SIMD have a way without it.
 */
export function embeddedWasm<Exports>(base64: string): Exports | null {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64'))).exports as unknown as Exports;
  } catch {
    return null;
  }
}
