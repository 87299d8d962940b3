import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWat, MODULES } from '../scripts/wasm.js';

const root = resolve(import.meta.dirname, '..');

describe('the WebAssembly modules the source embeds', () => {
  it('lists every .wat under src/ for npm run wasm', () => {
    const wats = (readdirSync(join(root, 'src'), { recursive: true }) as string[])
      .filter((file) => file.endsWith('.wat')).map((file) => join('src', file)).sort();
    expect(MODULES.map((m) => m.wat).sort()).toEqual(wats);
  });

  for (const { wat, module, constant } of MODULES) {
    it(`embeds what ${wat} compiles to (npm run wasm writes it)`, async () => {
      const compiled = await compileWat(join(root, wat));
      const embedded = (await import(join(root, module))) as Record<string, string>;
      expect(Buffer.from(compiled).toString('base64')).toBe(embedded[constant]);
    });
  }
});
