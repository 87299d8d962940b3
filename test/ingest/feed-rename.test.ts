// A topic can name feeds (`feed:reuters`, `feed:"daily post"`), and each item was matched under
// the title its feed had then. A feed renamed by its operator, by the config file or by its own
// document has its items matched again by the topics the change concerns: at once, at the next
// start when the process that renamed it stopped first, and never twice at the same time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import { openStore } from '../../src/store/index.js';
import { openClockedCore } from '../support/core.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';

const TOKEN = 'rename-admin-token-0123456789';
const t0 = new Date('2026-06-01T12:00:00.000Z');
const TOPICS = [
  { slug: 'reuters', title: 'Reuters', query: 'feed:reuters' },
  { slug: 'wire-nato', title: 'NATO on the wire', query: 'feed:wire NATO' },
  { slug: 'daily', title: 'The Daily Post', query: 'feed:"daily post"' },
  { slug: 'nato', title: 'NATO', query: 'NATO' },
];

const wireEntries = Array.from({ length: 6 }, (_, n) => ({
  guid: `wire-${n}`, title: `Wire story ${n}${n % 2 === 0 ? ' on NATO' : ''}`, publishedAt: new Date(t0.getTime() - n * 3_600_000),
}));
const postEntries = [0, 1].map((n) => ({ guid: `post-${n}`, title: `Post story ${n}`, publishedAt: new Date(t0.getTime() - n * 3_600_000) }));
const WIRE = wireEntries.map((e) => e.title).sort();
const WIRE_NATO = WIRE.filter((title) => title.includes('NATO'));
const POST = postEntries.map((e) => e.title).sort();

describe('a feed renamed: the topics that name feeds follow it', () => {
  let origin: FaultServer;
  let dir: string;
  let service: Service;
  let core: Core;
  let base: string;
  let wireTitle = 'Wire Service';
  let wireId = 0;

  const configFor = (postTitle: string, port: number) => parseConfig({
    database: 'test.db', logLevel: 'silent', ingest: { allowPrivateAddresses: true }, server: { host: '127.0.0.1', port },
    feeds: [{ url: origin.url('/post'), title: postTitle }], topics: TOPICS,
  }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: TOKEN });

  const serve = async (): Promise<void> => {
    const config = configFor('Daily Post', await freePort());
    core = await openCore(config, createLogger('silent'));
    service = await startService(core);
    base = config.server.baseUrl;
    await service.firstIngest;
  };

  beforeAll(async () => {
    origin = await startFaultServer({
      '/wire': () => ({ body: rssDocument(wireTitle, wireEntries) }),
      '/post': () => ({ body: rssDocument('The Post', postEntries) }),
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-rename-'));
    await serve();
  });
  afterAll(async () => {
    await service?.stop();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The topic's feed as a reader gets it: through the server and its cache of rendered pages. */
  const served = async (slug: string): Promise<string[]> => {
    const response = await fetch(`${base}/topics/${slug}.json`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: { title: string }[] }).items.map((i) => i.title).sort();
  };
  /** Asks until the topic's feed reads `titles` (passes run in the background), or fails with what it read last. */
  const servedOnceDone = async (slug: string, titles: string[]): Promise<void> => {
    let last: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
      last = await served(slug);
      if (JSON.stringify(last) === JSON.stringify(titles)) return;
    }
    expect(last).toEqual(titles);
  };
  const admin = (method: string, path: string, body?: unknown) => fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body),
  });
  const rename = (title: string | null) => admin('PATCH', `/api/feeds/${wireId}`, { title });

  it('by its operator over HTTP: at once, in the topic feeds readers get, and only for the topics the change concerns', async () => {
    const added = await admin('POST', '/api/feeds', { url: origin.url('/wire') });
    expect(added.status).toBe(201);
    wireId = ((await added.json()) as { id: number }).id;
    await servedOnceDone('wire-nato', WIRE_NATO);
    expect(await served('reuters')).toEqual([]);
    expect(await served('daily')).toEqual(POST);
    const { store } = core;
    const natoRun = (await store.topicBackfill('nato'))!.run;
    const wireNatoRun = (await store.topicBackfill('wire-nato'))!.run;

    expect((await rename('Reuters')).status).toBe(200);
    expect(await served('reuters')).toEqual(WIRE);
    expect(await served('wire-nato')).toEqual([]);
    expect(await served('nato')).toEqual(WIRE_NATO);
    expect((await store.topicBackfill('nato'))!.run).toBe(natoRun);

    // Back to the title the feed gives itself, which has "Wire" in it.
    expect((await rename(null)).status).toBe(200);
    expect(await served('reuters')).toEqual([]);
    expect(await served('wire-nato')).toEqual(WIRE_NATO);
    expect(await store.pendingTopicBackfills()).toEqual([]);
    expect((await store.topicBackfill('wire-nato'))!.run).toBe(wireNatoRun + 2);
  });

  it('by its own document: after the pass that read the new title; a title that keeps the words asked for changes nothing', async () => {
    const runs = async () => Promise.all(TOPICS.map(async ({ slug }) => (await core.store.topicBackfill(slug))!.run));
    const before = await runs();
    wireTitle = 'Reuters Wire Service';
    expect((await admin('POST', `/api/feeds/${wireId}/refresh`)).status).toBe(202);
    await servedOnceDone('reuters', WIRE);
    expect(await served('wire-nato')).toEqual(WIRE_NATO);
    expect(await runs()).toEqual(before.map((run, n) => run + (TOPICS[n]!.slug === 'reuters' ? 1 : 0)));
  });

  it('by the config file, read again', async () => {
    await service.reloadConfig(configFor('Evening Post', Number(new URL(base).port)));
    expect(await served('daily')).toEqual([]);
    await service.reloadConfig(configFor('Daily Post', Number(new URL(base).port)));
    expect(await served('daily')).toEqual(POST);
  });

  it('by a process that stopped before matching again: at the next start', async () => {
    expect(await served('reuters')).toEqual(WIRE);
    await service.stop();
    // What such a process leaves: the new title committed, nothing matched again.
    const store = openStore(join(dir, 'test.db'));
    await store.editFeed(wireId, { title: 'Wire Desk' }, t0);
    await store.close();
    await serve();
    expect(await served('reuters')).toEqual([]);
    expect(await served('wire-nato')).toEqual(WIRE_NATO);
  });
});

describe('a feed renamed while its topic\'s backfill runs', () => {
  const ITEMS = 1_600;
  let dir: string;
  let core: Core;
  let feedId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-rename-run-'));
    const store = openStore(join(dir, 'test.db'));
    feedId = (await store.addFeed({ url: 'https://wire.example/', title: 'Wire', origin: 'api' }, t0)).id;
    await store.saveFetchResult(feedId, {
      fetchedAt: t0, httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
      next: { nextFetchAt: t0, consecutiveFailures: 0, disabled: false },
      items: Array.from({ length: ITEMS }, (_, n) => ({
        item: {
          identity: `n${n}`, guid: null, url: null, title: `Dispatch ${n}`, summary: 'summary', contentHtml: '<p>text</p>',
          authors: [], categories: [], publishedAt: new Date(t0.getTime() - n * 60_000).toISOString(), updatedAt: null, language: 'en', enclosures: [],
        },
        contentHash: `h${n}`, markupHash: null, story: null, matches: [],
      })),
    });
    await store.close();
    core = await openClockedCore(dir, { feeds: [], topics: [] }, { now: t0 });
  });
  afterAll(async () => {
    await core?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is matched again by a new run once the one under way stops, with every item under the new title', async () => {
    await core.store.putTopic({ slug: 'reuters', title: 'Reuters', query: 'feed:reuters', origin: 'api', pinned: false }, t0);
    let rematched: Promise<string[]> | null = null;
    const first = await core.backfill('reuters', 'feed:reuters', (progress) => {
      if (progress.done === 500 && rematched === null) {
        void core.store.editFeed(feedId, { title: 'Reuters' }, t0);
        rematched = core.rematchRenamedFeeds();
      }
    });
    expect(first).toMatchObject({ done: 500, matched: 0, overtaken: true });
    expect(await rematched).toEqual(['reuters']);
    expect(await core.store.topicBackfillMark('reuters')).toBeNull();
    expect((await core.store.topicSummary('reuters', t0))!.itemCount).toBe(ITEMS);
  });
});
