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

/** embeddedWasm for a module without SIMD, which any engine that runs WebAssembly compiles. */
export function requiredWasm<Exports>(base64: string, name: string): Exports {
  const exports = embeddedWasm<Exports>(base64);
  if (exports === null) throw new Error(`${name} does not compile here: WebAssembly is missing`);
  return exports;
}
