import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import initWabt from 'wabt';

// Compiles each .wat below into the TypeScript module that embeds it, so that neither a build nor
// an install needs a WebAssembly toolchain. test/wasm-modules.test.ts compiles them again and fails
// when the two differ, or when a .wat under src/ is missing here. Usage: npm run wasm

/** Each .wat, the module that embeds it and the name of the constant it exports (paths from the project's root). */
export const MODULES = [
  { wat: 'src/stories/minhash.wat', module: 'src/stories/minhash-simd.ts', constant: 'MINHASH_WASM_BASE64' },
  { wat: 'src/topics/word-scan.wat', module: 'src/topics/word-scan-wasm.ts', constant: 'WORD_SCAN_WASM_BASE64' },
  { wat: 'src/html/text-scan.wat', module: 'src/html/text-scan-wasm.ts', constant: 'TEXT_SCAN_WASM_BASE64' },
  { wat: 'src/ingest/forbidden-bytes.wat', module: 'src/ingest/forbidden-bytes-wasm.ts', constant: 'FORBIDDEN_BYTES_WASM_BASE64' },
  { wat: 'src/ingest/xxh64.wat', module: 'src/ingest/xxh64-wasm.ts', constant: 'XXH64_WASM_BASE64' },
  { wat: 'src/ingest/utf8-decode.wat', module: 'src/ingest/utf8-decode-wasm.ts', constant: 'UTF8_DECODE_WASM_BASE64' },
];

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

function moduleSource(bytes: Uint8Array, wat: string, constant: string): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  return [
    `// Generated from ${basename(wat)} by \`npm run wasm\` (scripts/wasm.ts): edit the .wat, not this.`,
    `export const ${constant} =`,
    lines.map((line) => `  '${line}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Run by npm from the project's root.
  for (const { wat, module, constant } of MODULES) {
    const bytes = await compileWat(resolve(wat));
    writeFileSync(resolve(module), moduleSource(bytes, wat, constant));
    console.log(`${module}: ${bytes.length} bytes of WebAssembly`);
  }
}
