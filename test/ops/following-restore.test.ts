// A program follows what is stored (afterId) and what is edited (afterEdit) by numbers that a
// database restored from a backup gives again, to other items, once it has fetched as many anew.
// Sent with the databaseId a response gave, a mark from before the restore goes on from what the
// backup held; without it, the program skips what took the numbers it had passed.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openCore } from '../../src/main.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { feedsieve, ingestThenServe } from '../support/ingest-then-serve.js';
import { logLines } from '../support/log-lines.js';

const t0 = Date.parse('2026-12-01T08:00:00.000Z');
const entry = (guid: string, hour: number, title = `NATO ${guid}`): FeedEntrySpec => ({ guid, title, publishedAt: new Date(t0 + hour * 3_600_000) });
const A = [entry('a3', 3), entry('a2', 2), entry('a1', 1)];
const B = [entry('b3', 6), entry('b2', 5), entry('b1', 4)];
const C = [entry('c3', 9), entry('c2', 8), entry('c1', 7)];

interface Page { items: { id: number; title: string }[]; databaseId: string; nextAfterId?: number; nextAfterEdit?: number; more?: boolean }
type Answer = { status: number; body: Page & { detail?: string; newestId?: number; newestEdit?: number } };

describe('following what is stored and edited across a restore from a backup, with databaseId', () => {
  let origin: FaultServer;
  let dir: string;
  let config: string;
  let document = rssDocument('Wire', A);
  const titles = (page: Page) => page.items.map((i) => i.title).sort();

  /** Fetches the feed (`feedsieve ingest`), then serves the database and asks it each query. */
  const ingestAndAsk = (...queries: string[]): Promise<Answer[]> => ingestThenServe(config, origin.url('/wire.rss'), async (baseUrl) => {
    const answers: Answer[] = [];
    for (const query of queries) {
      const res = await fetch(`${baseUrl}/api/items?${query}`);
      answers.push({ status: res.status, body: (await res.json()) as Answer['body'] });
    }
    return answers;
  });

  let before: Answer['body'];
  let followed: { stored: Page; edited: Page };
  let restored: Record<string, Answer>;

  beforeAll(async () => {
    origin = await startFaultServer({ '/wire.rss': () => ({ body: document }) });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-following-restore-'));
    config = join(dir, 'config.json');
    before = (await ingestAndAsk('limit=1'))[0]!.body;
    await feedsieve('backup', join(dir, 'backup.db'), '--config', config);
    // After the backup: three new entries, and a corrected headline.
    document = rssDocument('Wire', [...B, entry('a3', 3), entry('a2', 2), entry('a1', 1, 'NATO a1, corrected')]);
    const [stored, edited] = await ingestAndAsk(`afterId=${before.newestId}&databaseId=${before.databaseId}`, `afterEdit=0&databaseId=${before.databaseId}`);
    followed = { stored: stored!.body, edited: edited!.body };

    // The disk is lost; the backup goes back in its place. The feed has moved on meanwhile, and
    // corrected another headline: the database gives ids 4-9 and edit 1 again, to other entries.
    rmSync(join(dir, 'feedsieve.db-wal'), { force: true });
    rmSync(join(dir, 'feedsieve.db-shm'), { force: true });
    copyFileSync(join(dir, 'backup.db'), join(dir, 'feedsieve.db'));
    document = rssDocument('Wire', [...C, ...B, entry('a3', 3), entry('a2', 2, 'NATO a2, corrected'), entry('a1', 1)]);
    const { nextAfterId, nextAfterEdit } = { nextAfterId: followed.stored.nextAfterId, nextAfterEdit: followed.edited.nextAfterEdit };
    const old = before.databaseId;
    const queries = {
      listing: 'limit=1',
      storedPlain: `afterId=${nextAfterId}`,
      stored: `afterId=${nextAfterId}&databaseId=${old}`,
      storedFromHeld: `afterId=2&databaseId=${old}`,
      editedPlain: `afterEdit=${nextAfterEdit}`,
      edited: `afterEdit=${nextAfterEdit}&databaseId=${old}`,
      other: `afterId=${nextAfterId}&databaseId=${'f'.repeat(32)}`,
      otherEdit: `afterEdit=${nextAfterEdit}&databaseId=${'f'.repeat(32)}`,
      alone: `databaseId=${old}`,
      malformed: `afterId=1&databaseId=xyz`,
    };
    const answers = await ingestAndAsk(...Object.values(queries));
    restored = Object.fromEntries(Object.keys(queries).map((name, n) => [name, answers[n]!]));
  });
  afterAll(async () => {
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives its database id with every listing and page, the same until a backup is restored', () => {
    expect(before.databaseId).toMatch(/^[0-9a-f]{32}$/);
    expect([before.newestId, before.newestEdit]).toEqual([3, 0]);
    expect(followed.stored.databaseId).toBe(before.databaseId);
    expect(followed.edited.databaseId).toBe(before.databaseId);
    expect(titles(followed.stored)).toEqual(['NATO b1', 'NATO b2', 'NATO b3']);
    expect(followed.stored.nextAfterId).toBe(6);
    expect(titles(followed.edited)).toEqual(['NATO a1, corrected']);
    const { listing } = restored;
    expect(listing!.status).toBe(200);
    expect(listing!.body.databaseId).toMatch(/^[0-9a-f]{32}$/);
    expect(listing!.body.databaseId).not.toBe(before.databaseId);
    expect([listing!.body.newestId, listing!.body.newestEdit]).toEqual([9, 1]);
  });

  it('without databaseId, a follower skips the items and edits that took the numbers it had passed', () => {
    expect(restored.storedPlain!.status).toBe(200);
    expect(restored.storedPlain!.body.items).toHaveLength(3);
    expect(restored.editedPlain!.body.items).toEqual([]);
  });

  it('with databaseId, goes on from the backup\'s newest item and edit: every item fetched anew and the new edit, none missed', () => {
    const { stored, edited } = restored;
    expect(stored!.status).toBe(200);
    expect(titles(stored!.body)).toEqual(['NATO b1', 'NATO b2', 'NATO b3', 'NATO c1', 'NATO c2', 'NATO c3']);
    expect(stored!.body).toMatchObject({ nextAfterId: 9, more: false, databaseId: restored.listing!.body.databaseId });
    expect(edited!.status).toBe(200);
    expect(titles(edited!.body)).toEqual(['NATO a2, corrected']);
    expect(edited!.body).toMatchObject({ nextAfterEdit: 1, more: false, databaseId: restored.listing!.body.databaseId });
    // A mark the backup holds goes on from itself: item 3 is the same item in both.
    const fromHeld = restored.storedFromHeld!.body;
    expect(fromHeld.items.map((i) => i.id)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(titles({ ...fromHeld, items: fromHeld.items.slice(1) })).toEqual(['NATO b1', 'NATO b2', 'NATO b3', 'NATO c1', 'NATO c2', 'NATO c3']);
  });

  it('logs the history a backup starts when it is first opened as a database, and only then', async () => {
    copyFileSync(join(dir, 'backup.db'), join(dir, 'again.db'));
    const opens = [];
    for (let n = 0; n < 2; n++) {
      const { lines, stream } = logLines();
      const core = await openCore({ ...loadConfig(config, {}), database: join(dir, 'again.db') }, createLogger('info', stream));
      opens.push({ databaseId: await core.store.databaseId(), started: lines.filter((line) => String(line.msg).includes('starts a history of its own')) });
      await core.close();
    }
    expect(opens[0]!.started).toHaveLength(1);
    expect(opens[0]!.started[0]).toMatchObject({ level: 40, databaseId: opens[0]!.databaseId, database: join(dir, 'again.db') });
    expect(opens[0]!.databaseId).not.toBe(before.databaseId);
    expect(opens[1]!.started).toEqual([]);
    expect(opens[1]!.databaseId).toBe(opens[0]!.databaseId);
  });

  it('answers a databaseId of another database 409, saying where to start again, and databaseId alone or malformed 400', () => {
    expect(restored.other!.status).toBe(409);
    expect(restored.other!.body.detail).toContain(`is neither this database's (${restored.listing!.body.databaseId})`);
    expect(restored.other!.body.detail).toContain('start again from newestId (9)');
    expect(restored.otherEdit!.status).toBe(409);
    expect(restored.otherEdit!.body.detail).toContain('start again from newestEdit (1)');
    expect(restored.alone!.status).toBe(400);
    expect(restored.alone!.body.detail).toContain('goes with one of them only');
    expect(restored.malformed!.status).toBe(400);
    expect(restored.malformed!.body.detail).toContain('32 hex digits');
  });
});
