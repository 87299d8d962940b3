// A database restored from a backup gives the row ids past the backup's newest item again, to the
// items fetched anew, in whatever order they come. Readers know an entry by its id and skip one
// they have seen: the entry ids of items stored after the backup must not name what readers saw
// before the restore, while the items the backup holds keep the ids readers know them by.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { feedsieve, ingestThenServe } from '../support/ingest-then-serve.js';

const t0 = Date.parse('2026-12-01T08:00:00.000Z');
const entry = (guid: string, hour: number) => ({ guid, title: `NATO ${guid}`, publishedAt: new Date(t0 + hour * 3_600_000) });
const A = [entry('a3', 3), entry('a2', 2), entry('a1', 1)];

describe('a database restored from a backup', () => {
  let origin: FaultServer;
  let dir: string;
  let config: string;
  let document = rssDocument('Wire', A);

  beforeAll(async () => {
    origin = await startFaultServer({ '/wire.rss': () => ({ body: document }) });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-restore-'));
    config = join(dir, 'config.json');
  });
  afterAll(async () => {
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Fetches the feed (`feedsieve ingest`), then serves the database once: the topic feed's entries as a reader reads them. */
  const serveOnce = (): Promise<Map<string, string>> => ingestThenServe(config, origin.url('/wire.rss'), async (baseUrl) => {
    const json = await (await fetch(`${baseUrl}/topics/nato.json`)).json() as { items: { id: string; title: string }[] };
    const rss = await (await fetch(`${baseUrl}/topics/nato.rss`)).text();
    const guids = [...rss.matchAll(/<guid isPermaLink="false">([^<]+)<\/guid>/g)].map((m) => m[1]);
    expect(guids).toEqual(json.items.map((i) => i.id));
    return new Map(json.items.map((i) => [i.title, i.id]));
  });

  it('gives the items fetched anew entry ids readers have not seen, and the items it holds the ids they had', async () => {
    const first = await serveOnce();
    await feedsieve('backup', join(dir, 'backup.db'), '--config', config);
    // After the backup: three new entries on top.
    document = rssDocument('Wire', [entry('b3', 6), entry('b2', 5), entry('b1', 4), ...A]);
    const seen = await serveOnce();
    expect([...seen.keys()]).toEqual(['NATO b3', 'NATO b2', 'NATO b1', 'NATO a3', 'NATO a2', 'NATO a1']);

    // The disk is lost; the backup goes back in its place. The feed has moved on meanwhile.
    rmSync(join(dir, 'feedsieve.db-wal'), { force: true });
    rmSync(join(dir, 'feedsieve.db-shm'), { force: true });
    copyFileSync(join(dir, 'backup.db'), join(dir, 'feedsieve.db'));
    document = rssDocument('Wire', [entry('c1', 7), entry('b3', 6), entry('b2', 5), ...A]);
    const restored = await serveOnce();

    for (const title of ['NATO a3', 'NATO a2', 'NATO a1']) expect(restored.get(title)).toBe(first.get(title));
    const before = new Set(seen.values());
    for (const title of ['NATO c1', 'NATO b3', 'NATO b2']) expect(before.has(restored.get(title)!), title).toBe(false);
    // What made it matter: the row ids were given again, to other entries (c1 takes b3's).
    const rowId = (id: string) => id.split('/')[1];
    expect(rowId(restored.get('NATO c1')!)).toBe(rowId(seen.get('NATO b3')!));
  });

  it('keeps the ids readers know for the items stored before the mark, as a database upgraded to it has them', async () => {
    // As migrations/0019 leaves a database that had items: every id given so far marked.
    const db = new Database(join(dir, 'feedsieve.db'));
    const marked = db.prepare('SELECT max(id) FROM items').pluck().get() as number;
    db.prepare('UPDATE item_ids SET plain_entry_ids_through = ?').run(marked);
    db.close();
    document = rssDocument('Wire', [entry('d1', 8), entry('c1', 7), entry('b3', 6), entry('b2', 5), ...A]);
    const upgraded = await serveOnce();
    for (const [title, id] of upgraded) {
      const rowId = Number(id.split('/')[1]);
      expect(id, title).toEqual(rowId <= marked ? `tag:feedsieve,2026:item/${rowId}` : expect.stringMatching(new RegExp(`^tag:feedsieve,2026:item/${rowId}/\\d+$`)));
    }
    expect(Number(upgraded.get('NATO d1')!.split('/')[1])).toBeGreaterThan(marked);
  });
});
