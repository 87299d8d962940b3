import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oneCoreCpus } from '../../bench/cpus.js';
import { writeFeeds } from '../../bench/generate.js';
import { loadGeneratedDocuments } from '../../bench/parse.js';
import { measureSfeed } from '../../bench/sfeed.js';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('sfeed, the native parse floor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-sfeed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every entry of the generated feeds, on each CPU, its process start taken out', async () => {
    const set = writeFeeds(join(dir, 'feeds'), 4, 6, NOW);
    const documents = loadGeneratedDocuments(set.dir, set.files);
    const cpus = oneCoreCpus();
    const sfeed = await measureSfeed(documents, set.items, { cpus, passes: 2, workDir: dir });
    if ('skipped' in sfeed) throw new Error(`sfeed must be installed for this test (.ci/run installs it): ${sfeed.skipped}`);
    expect(sfeed.items).toBe(24);
    expect(sfeed.bytes).toBe(set.bytes);
    expect(statSync(join(dir, 'sfeed-input.xml')).size).toBe(set.bytes);
    expect(sfeed.byCpu.map(({ cpu }) => cpu)).toEqual(cpus);
    for (const { itemsPerSec } of sfeed.byCpu) expect(itemsPerSec).toBeGreaterThan(0);
    expect(sfeed.rate.itemsPerSec).toBeCloseTo(sfeed.byCpu.reduce((sum, c) => sum + c.itemsPerSec, 0) / cpus.length, 6);
    expect(sfeed.rate.mbPerSec).toBeCloseTo((sfeed.bytes / 1e6) * (sfeed.rate.itemsPerSec / sfeed.items), 6);
    expect(sfeed.startMs).toBeGreaterThan(0);
    // A process a document pays a start for each: slower than one process over them all, starts taken out.
    expect(sfeed.perDocument.itemsPerSec).toBeGreaterThan(0);
    expect(sfeed.perDocument.itemsPerSec).toBeLessThan(sfeed.rate.itemsPerSec);
    expect(sfeed.perDocument.mbPerSec).toBeCloseTo((sfeed.bytes / 1e6) * (sfeed.perDocument.itemsPerSec / sfeed.items), 6);
    expect(sfeed.version).toMatch(/^sfeed/);
    expect(sfeed.runs).toBe(2);
  });

  it('is skipped with what to install when the command is missing', async () => {
    const sfeed = await measureSfeed([], 0, { cpus: [null], passes: 1, workDir: dir }, 'sfeed-not-installed-here');
    expect(sfeed).toEqual({ skipped: 'sfeed-not-installed-here is not installed (Debian: apt-get install sfeed)' });
  });

  it('reports no rate when it writes fewer entries than the documents hold', async () => {
    const page = join(dir, 'page.html');
    writeFileSync(page, '<html><body><p>Not a feed.</p></body></html>');
    const sfeed = await measureSfeed([{ name: 'page.html', path: page, contentType: 'text/html' }], 3, { cpus: [null], passes: 1, workDir: dir });
    expect(sfeed).toEqual({ skipped: 'sfeed wrote 0 entries for the 3 items of the documents' });
  });
});
