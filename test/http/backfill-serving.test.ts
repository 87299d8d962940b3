// A topic created or edited over HTTP is matched against every stored item before its request is
// answered, and a deleted one's matches are taken out of them. Over a large database that takes
// minutes: the server must answer everything else meanwhile (feed polls, health checks a
// supervisor may restart it on), not freeze until it ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { createLogger } from '../../src/log.js';
import { buildListener, type Core, openCore } from '../../src/main.js';
import { openStore } from '../../src/store/index.js';

const TOKEN = 'backfill-admin-token-0123456789';
const NOW = new Date('2026-11-01T12:00:00.000Z');
const ITEMS = 20_000;

describe('a topic backfilled over many stored items', () => {
  let dir: string;
  let core: Core;
  let server: Server;
  let base: string;
  /** The backfill's progress as last reported: items done of total. */
  const progress = { done: 0, total: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-backfill-serving-'));
    const store = openStore(join(dir, 'test.db'));
    const feed = await store.addFeed({ url: 'https://wire.example/', title: 'Wire', origin: 'api' }, NOW);
    for (let batch = 0; batch < ITEMS / 1_000; batch++) {
      await store.saveFetchResult(feed.id, {
        fetchedAt: NOW, httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
        next: { nextFetchAt: NOW, consecutiveFailures: 0, disabled: false },
        items: Array.from({ length: 1_000 }, (_, n) => ({
          item: {
            identity: `n${batch}-${n}`, guid: null, url: null, title: `Dispatch ${batch}-${n}${n % 3 === 0 ? ' on NATO' : ''}`, summary: 'summary',
            contentHtml: `<p>${'A paragraph of wire copy. '.repeat(60)}</p>`, authors: [], categories: [],
            publishedAt: new Date(NOW.getTime() - (batch * 1_000 + n) * 60_000).toISOString(), updatedAt: null, language: 'en', enclosures: [],
          },
          contentHash: `h${batch}-${n}`, markupHash: null, story: null, matches: [],
        })),
      });
    }
    await store.close();
    const config = parseConfig({ database: 'test.db', logLevel: 'silent', feeds: [], topics: [] }, join(dir, 'config.json'),
      { FEEDSIEVE_ADMIN_TOKEN: TOKEN });
    core = await openCore(config, createLogger('silent'), {
      progress: (_label, total) => {
        progress.total = total;
        return { update: (done) => void (progress.done = done), stop: () => {} };
      },
    });
    server = createServer(buildListener(core, createFeedCache()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
    });
    await core?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Puts the topic with `query` (null: deletes it) and, until that is answered, asks for a health
   * check after another, each answered 200: the request's status, and what `sample` read as each
   * check was answered.
   */
  async function editWhileChecking<T>(query: string | null, sample: () => T | Promise<T>): Promise<{ status: number; samples: T[] }> {
    let settled = false;
    const edit = fetch(`${base}/api/topics/nato`, {
      method: query === null ? 'DELETE' : 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(query === null ? {} : { body: JSON.stringify({ title: 'NATO', query }) }),
    }).finally(() => {
      settled = true;
    });
    const samples: T[] = [];
    while (!settled) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      if (!settled) samples.push(await sample());
    }
    return { status: (await edit).status, samples };
  }

  it('leaves the server answering other requests while it runs, and answers the edit once every item is matched', async () => {
    // How far the backfill had come when each health check was answered.
    const { status, samples: answeredAt } = await editWhileChecking('NATO', () => progress.done);
    expect(status).toBe(201);
    expect(progress).toEqual({ done: ITEMS, total: ITEMS });
    expect(answeredAt.filter((done) => done > 0 && done < ITEMS).length).toBeGreaterThan(0);
    expect((await core.store.topicSummary('nato', NOW))!.itemCount).toBe((ITEMS / 1_000) * Math.ceil(1_000 / 3));
  });

  it('with its query changed, drops the old query\'s matches a batch at a time, the server answering meanwhile', async () => {
    // The old query's matches still there: their terms are its word, the new query's are not.
    const filed = () => core.store.db.prepare(`SELECT count(*) FROM topics t JOIN topic_feed e ON e.topic_id = t.id
        JOIN item_topics m ON m.item_id = e.item_id
      WHERE t.slug = 'nato' AND json_extract(m.terms, '$."' || t.id || '"') LIKE '%NATO%'`).pluck().get() as number;
    const before = filed();
    expect(before).toBeGreaterThan(5_000);
    // How many of the old query's matches were still filed when each health check was answered.
    const { status, samples: leftAt } = await editWhileChecking('summary', filed);
    expect(status).toBe(200);
    expect(leftAt.filter((left) => left > 0 && left < before).length).toBeGreaterThan(0);
    expect(filed()).toBe(0);
    expect((await core.store.topicSummary('nato', NOW))!.itemCount).toBe(ITEMS);
  });

  it('deleted, is gone from its feed at once, and its matches are taken out a batch at a time, the server answering meanwhile', async () => {
    const id = core.store.db.prepare(`SELECT id FROM topics WHERE slug = 'nato'`).pluck().get() as number;
    await fetch(`${base}/topics/nato.rss`);
    const heldBy = (table: 'topic_feed' | 'item_topics') => core.store.db.prepare(table === 'topic_feed'
      ? 'SELECT count(*) FROM topic_feed WHERE topic_id = CAST(? AS INTEGER)'
      : `SELECT count(*) FROM item_topics WHERE topic_ids LIKE '%,' || CAST(? AS INTEGER) || ',%'`).pluck().get(id) as number;
    expect(heldBy('item_topics')).toBe(ITEMS);
    expect(heldBy('topic_feed')).toBeGreaterThan(ITEMS / 2);
    // Each check: the rows still naming the topic, and what its feed, cached before, answered.
    const { status, samples } = await editWhileChecking(null, async () => ({
      left: heldBy('item_topics'), feed: (await fetch(`${base}/topics/nato.rss`)).status,
    }));
    expect(status).toBe(204);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((sample) => sample.feed === 404)).toBe(true);
    expect(samples.filter(({ left }) => left > 0 && left < ITEMS).length).toBeGreaterThan(0);
    expect([heldBy('topic_feed'), heldBy('item_topics')]).toEqual([0, 0]);
    expect(await core.store.deletedTopicIds()).toEqual([]);
  });
});
