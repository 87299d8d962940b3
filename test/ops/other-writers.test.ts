// `serve` and a `feedsieve ingest` run by hand (or by cron) share one database: what the other
// process commits must reach serve's cached topic feeds and its compiled topics.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { CHANGES_CHECK_MS } from '../../src/http/feed-render.js';
import { createLogger } from '../../src/log.js';
import { openCore } from '../../src/main.js';
import { openStore } from '../../src/store/index.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { ingestElsewhere } from '../support/ingest-elsewhere.js';
import { startHubStandIn } from '../support/hub.js';
import { freePort } from '../support/net.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const NOW = Date.now();

const story = (guid: string, title: string, minutesAgo: number): FeedEntrySpec =>
  ({ guid, title, description: title, publishedAt: new Date(NOW - minutesAgo * 60_000) });

describe('another process writing to the database', () => {
  let origin: FaultServer;
  let dir: string;
  let wire: FeedEntrySpec[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-writers-'));
    wire = [story('w-1', 'NATO ministers meet in Brussels', 30), story('w-2', 'Harbour dredging budget questioned', 40)];
    origin = await startFaultServer({ '/wire.rss': () => ({ body: rssDocument('Wire', wire) }) });
  });
  afterAll(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a topic feed that serve cached shows the items a separate `feedsieve ingest` stored', async () => {
    const port = await freePort();
    const config = join(dir, 'serve.json');
    writeFileSync(config, JSON.stringify({
      database: join(dir, 'serve.db'), logLevel: 'warn',
      ingest: { allowPrivateAddresses: true },
      feeds: [{ url: origin.url('/wire.rss') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    }));
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--config', config], {
      env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const feedUrl = `http://127.0.0.1:${port}/topics/nato.rss`;
    const titles = (body: string) => [...body.matchAll(/<item>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    try {
      // serve's start-up pass stores the one NATO story; the page is then rendered and cached.
      let first: Response | null = null;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const answer = await fetch(feedUrl).catch(() => null);
        if (answer?.ok) {
          const body = await answer.text();
          if (titles(body).length === 1) {
            first = answer;
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(first, output).not.toBeNull();
      const etag = first!.headers.get('etag')!;
      expect((await fetch(feedUrl, { headers: { 'If-None-Match': etag } })).status).toBe(304);

      wire = [story('w-3', 'NATO summit set for Lisbon', 5), ...wire];
      expect(await ingestElsewhere(config)).toMatch(/1 new/);
      await new Promise((r) => setTimeout(r, CHANGES_CHECK_MS + 50));

      const after = await fetch(feedUrl, { headers: { 'If-None-Match': etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(titles(await after.text())).toEqual(['NATO summit set for Lisbon', 'NATO ministers meet in Brussels']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('a topic another process stored is matched by the next pass of a core opened before it', async () => {
    const database = join(dir, 'topics.db');
    const raw = {
      database, logLevel: 'silent', ingest: { allowPrivateAddresses: true },
      feeds: [{ url: origin.url('/wire.rss') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    };
    wire = [story('t-1', 'NATO ministers meet in Brussels', 30)];
    const core = await openCore(parseConfig(raw, join(dir, 'topics.json')), createLogger('silent'));
    try {
      const compiled = core.topics.snapshot();
      expect((await core.ingest()).status).toBe('done');
      // Unchanged topics are not compiled again for each pass.
      expect(core.topics.snapshot()).toBe(compiled);
      // The operator adds a topic to the config and runs an ingest by hand: that process stores it.
      const withTopic = join(dir, 'with-topic.json');
      writeFileSync(withTopic, JSON.stringify({ ...raw, topics: [...raw.topics, { slug: 'defence', title: 'Defence', query: 'defence' }] }));
      expect(await ingestElsewhere(withTopic)).toMatch(/0 new/);

      wire = [story('t-2', 'Missile defence plan goes to NATO summit', 5), ...wire];
      expect((await core.ingest(await core.store.listFeeds())).status).toBe('done');
      expect(core.topics.snapshot().version).toBe(compiled.version + 1);
      const defence = await core.store.listItems({ topicSlug: 'defence', limit: 10 });
      expect(defence.map((item) => item.title)).toEqual(['Missile defence plan goes to NATO summit']);
    } finally {
      await core.close();
    }
  });

  it('a `feedsieve ingest` run by hand pings the WebSub hub for the topics that gained items and the combined feed, as serve does', async () => {
    const hub = await startHubStandIn();
    const { pings } = hub;
    try {
      const config = join(dir, 'hub.json');
      writeFileSync(config, JSON.stringify({
        database: join(dir, 'hub.db'), logLevel: 'warn',
        server: { baseUrl: 'https://news.example/feedsieve', websubHub: hub.url },
        ingest: { allowPrivateAddresses: true },
        feeds: [{ url: origin.url('/wire.rss') }],
        topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'harbour', title: 'Harbour', query: 'harbour' }],
      }));
      wire = [story('h-1', 'NATO ministers meet in Brussels', 30)];
      await ingestElsewhere(config);
      expect(pings).toHaveLength(1);
      expect(pings[0]!.get('hub.mode')).toBe('publish');
      // The topic that gained the item, and the combined feed.
      expect(pings[0]!.getAll('hub.url')).toEqual(['topics/nato', 'feeds/all'].flatMap((path) => ['rss', 'atom', 'json'].map((ext) => `https://news.example/feedsieve/${path}.${ext}`)));
      // Nothing new: no ping.
      await ingestElsewhere(config);
      expect(pings).toHaveLength(1);
    } finally {
      hub.close();
    }
  });

  it('changesElsewhere moves with another connection\'s commits, not with its own', async () => {
    const database = join(dir, 'version.db');
    const mine = openStore(database);
    const other = openStore(database);
    try {
      const start = mine.changesElsewhere();
      await mine.addFeed({ url: 'https://news.example/a.rss', title: null, origin: 'api' }, new Date());
      expect(mine.changesElsewhere()).toBe(start);
      await other.addFeed({ url: 'https://news.example/b.rss', title: null, origin: 'api' }, new Date());
      expect(mine.changesElsewhere()).not.toBe(start);
    } finally {
      await mine.close();
      await other.close();
    }
  });
});
