import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import initWabt from 'wabt';

// Compiles src/stories/minhash.wat into the module minhash-simd.ts embeds, so that neither a build
// nor an install needs a WebAssembly toolchain. test/stories/minhash-simd.test.ts compiles it
// again and fails when the two differ. Usage: npm run wasm

// Run by npm from the project's root.
const WAT_PATH = resolve('src/stories/minhash.wat');
const MODULE_PATH = resolve('src/stories/minhash-simd.ts');

export async function compileWat(path: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const parsed = wabt.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({ write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}

function moduleSource(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  return [
    '// Generated from minhash.wat by `npm run wasm` (scripts/wasm.ts): edit the .wat, not this.',
    'export const MINHASH_WASM_BASE64 =',
    lines.map((line) => `  '${line}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bytes = await compileWat(WAT_PATH);
  writeFileSync(MODULE_PATH, moduleSource(bytes));
  console.log(`${MODULE_PATH}: ${bytes.length} bytes of WebAssembly`);
}
