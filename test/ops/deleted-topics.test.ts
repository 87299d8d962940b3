// A deleted topic goes at once and its matches after it, a batch at a time, so that a server does
// not stop answering for the seconds a busy topic's matches take. Whatever a process leaves of
// them (stopped first, or deleted by another process) is taken out at the next start, and a topic
// read again from the config file has them gone before the reload is over.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import type { Core } from '../../src/main.js';
import { openStore } from '../../src/store/index.js';
import { openClockedCore } from '../support/core.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';

const clock = { now: new Date('2026-06-01T12:00:00.000Z') };
const ENTRIES = Array.from({ length: 6 }, (_, n) => ({
  guid: `wire-${n}`, title: `NATO allies weigh gas supplies, day ${n}`, publishedAt: new Date(clock.now.getTime() - n * 3_600_000),
}));
const NATO = { slug: 'nato', title: 'NATO', query: 'NATO' };
const GAS = { slug: 'gas', title: 'Gas', query: 'gas' };

describe('a deleted topic\'s matches', () => {
  let origin: FaultServer;
  let dir: string;

  beforeAll(async () => {
    origin = await startFaultServer({ '/wire': () => ({ body: rssDocument('Wire', ENTRIES) }) });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-deleted-topics-'));
  });
  afterAll(async () => {
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const settings = (topics: { slug: string; title: string; query: string }[]) => ({
    feeds: [{ url: origin.url('/wire') }], topics, ingest: { allowPrivateAddresses: true },
  });
  const open = (topics: { slug: string; title: string; query: string }[]): Promise<Core> => openClockedCore(dir, settings(topics), clock);
  /** The stored rows that still name the topic of this id: its feed's entries, and items' match rows. */
  const heldBy = (id: number): { filed: number; rows: number } => {
    const store = openStore(join(dir, 'test.db'));
    try {
      return {
        filed: store.db.prepare('SELECT count(*) FROM topic_feed WHERE topic_id = CAST(? AS INTEGER)').pluck().get(id) as number,
        rows: store.db.prepare(`SELECT count(*) FROM item_topics WHERE topic_ids LIKE '%,' || CAST(? AS INTEGER) || ',%'
          OR json_extract(terms, '$."' || CAST(? AS INTEGER) || '"') IS NOT NULL`).pluck().get(id, id) as number,
      };
    } finally {
      void store.close();
    }
  };
  const idOf = (core: Core, slug: string): number => core.store.db.prepare('SELECT id FROM topics WHERE slug = ?').pluck().get(slug) as number;

  it('taken out of the config file: none left once the next start is over; the other topic keeps its own', async () => {
    let core = await open([NATO, GAS]);
    const natoId = idOf(core, 'nato');
    try {
      expect((await core.ingest()).status).toBe('done');
      expect((await core.store.listItems({ topicSlug: 'nato', limit: 10 })).length).toBe(ENTRIES.length);
    } finally {
      await core.close();
    }
    expect(heldBy(natoId).rows).toBe(ENTRIES.length);
    core = await open([GAS]);
    try {
      expect(await core.store.getTopic('nato')).toBeNull();
      expect(await core.store.deletedTopicIds()).toEqual([]);
      expect((await core.store.listItems({ topicSlug: 'gas', limit: 10 })).length).toBe(ENTRIES.length);
    } finally {
      await core.close();
    }
    expect(heldBy(natoId)).toEqual({ filed: 0, rows: 0 });
  });

  it('left in the stored items by a process that stopped first: taken out at the next start', async () => {
    let core = await open([GAS]);
    let energyId: number;
    try {
      await core.store.putTopic({ slug: 'energy', title: 'Energy', query: 'gas', origin: 'api', pinned: false }, clock.now);
      await core.backfill('energy', 'gas');
      energyId = idOf(core, 'energy');
      // Deleted as a process does before it takes the matches out, and stopped there.
      expect(await core.store.deleteTopic('energy')).toBe(true);
    } finally {
      await core.close();
    }
    expect(heldBy(energyId).rows).toBe(ENTRIES.length);
    core = await open([GAS]);
    try {
      expect(await core.store.deletedTopicIds()).toEqual([]);
    } finally {
      await core.close();
    }
    expect(heldBy(energyId)).toEqual({ filed: 0, rows: 0 });
  });

  it('of a topic taken out of the config file read again: gone before the reload is over', async () => {
    const core = await open([GAS]);
    try {
      const gasId = idOf(core, 'gas');
      expect(heldBy(gasId).rows).toBe(ENTRIES.length);
      await core.applyConfig(parseConfig({ database: 'test.db', logLevel: 'silent', ...settings([NATO]) }, join(dir, 'config.json'), {}));
      expect(heldBy(gasId)).toEqual({ filed: 0, rows: 0 });
      expect(await core.store.deletedTopicIds()).toEqual([]);
      // The topic added by the same reload is matched under an id no deleted topic had.
      expect(idOf(core, 'nato')).toBeGreaterThan(gasId);
      expect((await core.store.listItems({ topicSlug: 'nato', limit: 10 })).length).toBe(ENTRIES.length);
    } finally {
      await core.close();
    }
  });
});
