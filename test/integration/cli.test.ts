import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer } from '../support/fault-server.js';
import { startHubStandIn } from '../support/hub.js';
import { ingestElsewhere } from '../support/ingest-elsewhere.js';
import { freePort } from '../support/net.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';

// These run the built CLI, exactly what `npm start` runs (`npm test` builds first).
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');


function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

async function waitFor<T>(probe: () => Promise<T | null>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the feedsieve command', () => {
  let dir: string;
  beforeAll(() => {
    expect(existsSync(CLI), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serve with the example config answers /healthz, serves the demo items and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), FEEDSIEVE_DB: join(dir, 'serve.db'), FEEDSIEVE_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      const health = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? ((await res.json()) as { status: string }) : null;
      }, 20_000);
      expect(health.status).toBe('ok');
      const rss = await waitFor(async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/topics/nato.rss`)).text();
        return text.includes('<item>') ? text : null;
      }, 20_000);
      expect(rss).toContain('NATO, Russia consider joint missile defence plan');
      // The start-up pass stores the four demo feeds one by one: wait until each has been fetched.
      await waitFor(async () => {
        const { feeds } = (await (await fetch(`http://127.0.0.1:${port}/api/feeds`)).json()) as { feeds: { status: { ok: boolean } }[] };
        return feeds.length === 4 && feeds.every((f) => f.status.ok) ? feeds : null;
      }, 20_000);
      const { items } = (await (await fetch(`http://127.0.0.1:${port}/api/items`)).json()) as { items: unknown[] };
      expect(items).toHaveLength(10);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, output).toBe(0);
  });

  it('serve reads its config again on SIGHUP: new feeds and topics at once, a broken file refused, other settings at the next start, a feed moved named so', async () => {
    const origin: StaticServer = await startStaticServer(resolve(ROOT, 'test/fixtures/feeds'));
    const port = await freePort();
    const configPath = join(dir, 'reload.json');
    const base = { database: join(dir, 'reload.db'), server: { port }, ingest: { allowPrivateAddresses: true } };
    writeFileSync(configPath, JSON.stringify({ ...base,
      feeds: [{ url: origin.url('world-wire.rss') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }] }));
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--config', configPath], {
      cwd: ROOT, env: { ...process.env, PORT: '', FEEDSIEVE_DB: '', FEEDSIEVE_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const api = async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T;
    type Feeds = { feeds: { url: string; status: { ok: boolean } }[] };
    type Topics = { topics: { slug: string; itemCount: number }[] };
    try {
      await waitFor(async () => ((await api<Feeds>('/api/feeds')).feeds.every((f) => f.status.ok) ? true : null), 20_000);
      expect((await api<Topics>('/api/topics')).topics.map((t) => t.slug)).toEqual(['nato']);

      // A feed and a topic added, and a setting that only a start can apply.
      writeFileSync(configPath, JSON.stringify({ ...base, server: { port: port + 1 },
        feeds: [{ url: origin.url('world-wire.rss') }, { url: origin.url('eastern-desk.atom') }],
        topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }] }));
      child.kill('SIGHUP');
      const feeds = await waitFor(async () => {
        const { feeds } = await api<Feeds>('/api/feeds');
        return feeds.length === 2 && feeds.every((f) => f.status.ok) ? feeds : null;
      }, 20_000);
      expect(feeds.map((f) => f.url).sort()).toEqual([origin.url('eastern-desk.atom'), origin.url('world-wire.rss')].sort());
      const defence = await waitFor(async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/topics/missile-defence.rss`)).text();
        return text.includes('NATO, Russia consider joint missile defence plan') ? text : null;
      }, 20_000);
      expect(defence).toContain('<item>');
      await waitFor(async () => (output.includes('these settings take effect at the next start') ? true : null), 5_000);
      expect(output).toMatch(/"feedsAdded":\["[^"]*eastern-desk\.atom"\]/);
      expect(output).toContain('"topicsAdded":["missile-defence"]');
      expect(output).toMatch(/"settings":\["server\.baseUrl","server\.port"\]/);

      // A file that does not parse leaves the running config as it is.
      writeFileSync(configPath, '{"feeds": [');
      child.kill('SIGHUP');
      await waitFor(async () => (output.includes('config not reloaded: the running one stays') ? true : null), 5_000);
      expect((await api<Topics>('/api/topics')).topics.map((t) => t.slug).sort()).toEqual(['missile-defence', 'nato']);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);

      // A topic dropped from the file is dropped from the service.
      writeFileSync(configPath, JSON.stringify({ ...base,
        feeds: [{ url: origin.url('world-wire.rss') }, { url: origin.url('eastern-desk.atom') }],
        topics: [{ slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }] }));
      child.kill('SIGHUP');
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/topics/nato.rss`)).status === 404 ? true : null), 10_000);
      expect(output).toContain('"topicsRemoved":["nato"]');

      // A feed given another URL that names the old one keeps its items: named as moved, not as removed and added.
      const reloads = () => output.split('\n').filter((line) => line.includes('config reloaded'));
      const before = reloads().length;
      const moved = `${origin.url('world-wire.rss')}?edition=2`;
      writeFileSync(configPath, JSON.stringify({ ...base,
        feeds: [{ url: moved, formerUrls: [origin.url('world-wire.rss')] }, { url: origin.url('eastern-desk.atom') }],
        topics: [{ slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }] }));
      child.kill('SIGHUP');
      const line = await waitFor(async () => reloads()[before] ?? null, 10_000);
      expect(JSON.parse(line)).toMatchObject({ feedsAdded: [], feedsRemoved: [], feedsMoved: [{ from: origin.url('world-wire.rss'), to: moved }] });
      expect((await api<Feeds>('/api/feeds')).feeds.map((f) => f.url).sort()).toEqual([origin.url('eastern-desk.atom'), moved]);
    } finally {
      child.kill('SIGTERM');
      await origin.close();
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
    expect(code, output).toBe(0);
  });

  it('serve fetches the feeds a reload adds when the pass under way ends, not at the next tick', async () => {
    const fixtures = resolve(ROOT, 'test/fixtures/feeds');
    const origin = await startFaultServer({
      '/slow.rss': { body: readFileSync(join(fixtures, 'world-wire.rss')), headers: { 'content-type': 'application/rss+xml' }, delayMs: 1500 },
      '/added.atom': { body: readFileSync(join(fixtures, 'eastern-desk.atom')), headers: { 'content-type': 'application/atom+xml' } },
    });
    const port = await freePort();
    const configPath = join(dir, 'reload-during-pass.json');
    const base = { database: join(dir, 'reload-during-pass.db'), server: { port }, ingest: { allowPrivateAddresses: true }, topics: [] };
    writeFileSync(configPath, JSON.stringify({ ...base, feeds: [{ url: origin.url('/slow.rss') }] }));
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--config', configPath], {
      cwd: ROOT, env: { ...process.env, PORT: '', FEEDSIEVE_DB: '', FEEDSIEVE_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      // The start-up pass is waiting on the slow feed: reload now.
      await waitFor(async () => (origin.hits('/slow.rss') > 0 ? true : null), 20_000);
      writeFileSync(configPath, JSON.stringify({ ...base, feeds: [{ url: origin.url('/slow.rss') }, { url: origin.url('/added.atom') }] }));
      child.kill('SIGHUP');
      await waitFor(async () => (output.includes('config reloaded') ? true : null), 10_000);
      expect(origin.hits('/added.atom')).toBe(0);
      await waitFor(async () => (origin.hits('/added.atom') > 0 ? true : null), 10_000);
      const { feeds } = await waitFor(async () => {
        const listed = (await (await fetch(`http://127.0.0.1:${port}/api/feeds`)).json()) as { feeds: { url: string; status: { ok: boolean } }[] };
        return listed.feeds.length === 2 && listed.feeds.every((f) => f.status.ok) ? listed : null;
      }, 10_000);
      expect(feeds.map((f) => f.url).sort()).toEqual([origin.url('/added.atom'), origin.url('/slow.rss')]);
    } finally {
      child.kill('SIGTERM');
      await origin.close();
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
    expect(code, output).toBe(0);
  });

  /** A config of its own database with two fixture feeds: a good one (feed 1) and a broken one (feed 2). */
  const goodAndBroken = (name: string) => {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({
      database: `${name}.db`,
      feeds: ['world-wire.rss', 'broken.rss'].map((file) => ({ url: `file:${join(ROOT, 'test/fixtures/feeds', file)}` })),
    }));
    return config;
  };

  it('ingest prints one line per feed, the error for a broken one, and exits 0', () => {
    const config = goodAndBroken('ingest');
    const first = run(['ingest', '--config', config], {});
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/world-wire\.rss\s+ok: 4 new, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/broken\.rss\s+error parse: /);
    const second = run(['ingest', '--config', config], {});
    expect(second.stdout).toMatch(/world-wire\.rss\s+(not modified \(304\)|unchanged body|ok): 0 new, 0 updated/);
  });

  it('feeds lists each feed\'s state; a feed disabled is left out of ingest and refused by id, then fetched again once enabled', () => {
    const config = goodAndBroken('feeds');
    const lines = (args: string[]) => {
      const result = run([...args, '--config', config], {});
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.trimEnd().split('\n');
    };
    const before = lines(['feeds']);
    expect(before[0]).toMatch(/^id\s+state\s+items\s+last fetch \(UTC\)\s+next fetch \(UTC\)\s+url$/);
    expect(before.slice(1)).toEqual([
      expect.stringMatching(/^ 1\s+waiting\s+0\s+-\s+-\s+file:.*world-wire\.rss$/),
      expect.stringMatching(/^ 2\s+waiting\s+0\s+-\s+-\s+file:.*broken\.rss$/),
    ]);

    lines(['ingest']);
    const after = lines(['feeds']);
    expect(after[1]).toMatch(/^ 1\s+ok\s+4\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+file:.*world-wire\.rss$/);
    expect(after[2]).toMatch(/^ 2\s+failing x1\s+0\s/);
    expect(after[3]).toMatch(/^\s+error parse: not well-formed XML/);

    expect(lines(['feeds', 'disable', '2'])).toEqual([expect.stringMatching(/^feed 2 disabled, not fetched until enabled: file:.*broken\.rss$/)]);
    expect(lines(['ingest']).at(-1)).toBe('1 feed, 0 failed, 0 new items');
    const refused = run(['ingest', '2', '--config', config], {});
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe('feed 2 is disabled: `feedsieve feeds enable 2` fetches it again');
    const unknown = run(['ingest', '7', '--config', config], {});
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('no feed 7: `feedsieve feeds` lists their ids');

    expect(lines(['feeds', 'enable', '2'])[0]).toMatch(/^feed 2 enabled, due now/);
    const one = lines(['ingest', '2']);
    expect(one).toEqual([expect.stringMatching(/broken\.rss\s+error parse: /), '1 feed, 1 failed, 0 new items']);
    // Enabling forgot the failures before it: this is the first since.
    expect(lines(['feeds'])[2]).toMatch(/^ 2\s+failing x1\s/);
  });

  it('warns at start when a WebSub hub is set and the feeds\' public address is not', () => {
    const bare = join(dir, 'hub-bare.json');
    const hub = { websubHub: 'http://127.0.0.1:9/hub' };
    writeFileSync(bare, JSON.stringify({ database: 'hub.db', server: hub, feeds: [] }));
    const warned = run(['ingest', '--config', bare], {});
    expect(warned.status, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/server\.websubHub is set without server\.baseUrl/);
    const placed = join(dir, 'hub-placed.json');
    writeFileSync(placed, JSON.stringify({ database: 'hub.db', server: { ...hub, baseUrl: 'https://news.example' }, feeds: [] }));
    const quiet = run(['ingest', '--config', placed], {});
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/websubHub/);
  });

  it('ingest says how many feeds a WebSub hub it could not reach was left untold of, and the next run tells it of them', async () => {
    const down = join(dir, 'hub-down.json');
    const settings = (websubHub: string) => JSON.stringify({
      database: 'hub-down.db', server: { websubHub, baseUrl: 'https://news.example' },
      feeds: [{ url: `file:${join(ROOT, 'test/fixtures/feeds/world-wire.rss')}` }], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    });
    writeFileSync(down, settings('http://127.0.0.1:9/hub'));
    const result = run(['ingest', '--config', down], {});
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/world-wire\.rss\s+ok: 4 new/);
    // The topic's feeds and the combined feed, each in three formats.
    const untold = result.stderr.split('\n').find((line) => line.includes('was not told of every feed that changed'));
    expect(untold, result.stderr).toBeDefined();
    expect(JSON.parse(untold!)).toMatchObject({ hub: 'http://127.0.0.1:9/hub', feeds: 6 });

    // The hub back (at this address): the next run, whose feed did not change, names them all.
    const hub = await startHubStandIn();
    try {
      const back = join(dir, 'hub-back.json');
      writeFileSync(back, settings(hub.url));
      expect(await ingestElsewhere(back)).toMatch(/world-wire\.rss\s+(not modified \(304\)|unchanged body|ok): 0 new, 0 updated/);
      expect(hub.pings.map((ping) => ping.getAll('hub.url').sort())).toEqual([
        ['rss', 'atom', 'json'].flatMap((ext) => [`https://news.example/feeds/all.${ext}`, `https://news.example/topics/nato.${ext}`]).sort(),
      ]);
      await ingestElsewhere(back);
      expect(hub.pings).toHaveLength(1);
    } finally {
      hub.close();
    }
  });

  it('backup refuses to copy the database onto itself or its log, by any path, and leaves it whole', () => {
    const config = goodAndBroken('self-backup');
    expect(run(['ingest', '--config', config], {}).status).toBe(0);
    const database = join(dir, 'self-backup.db');
    for (const target of [database, `${dir}/../${dir.split('/').pop()}/self-backup.db`, `${database}-wal`]) {
      const result = run(['backup', target, '--config', config], {});
      expect(result.status, target).toBe(2);
      expect(result.stderr).toContain('is the database itself: name another file to copy it to');
    }
    const copy = run(['backup', join(dir, 'self-backup.copy.db'), '--config', config], {});
    expect(copy.status, copy.stderr).toBe(0);
    const listed = run(['feeds', '--config', config], {});
    expect(listed.stdout).toMatch(/^ +\d+ +ok +4 .*world-wire\.rss$/m);
  });

  it('migrate is idempotent', () => {
    const env = { FEEDSIEVE_DB: join(dir, 'migrate.db') };
    const first = run(['migrate', '--config', join(ROOT, 'config.example.json')], env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('applied 0001_init.sql');
    const second = run(['migrate', '--config', join(ROOT, 'config.example.json')], env);
    expect(second.stdout).toContain('database is up to date');
  });

  it('migrate starts a history of its own for a backup it opens as a database, once', () => {
    const env = { FEEDSIEVE_DB: join(dir, 'history.db') };
    const config = join(ROOT, 'config.example.json');
    expect(run(['migrate', '--config', config], env).status).toBe(0);
    expect(run(['backup', join(dir, 'history.copy.db'), '--config', config], env).status).toBe(0);
    const live = run(['migrate', '--config', config], env);
    expect(live.stdout).not.toContain('starts a history');
    const restored = run(['migrate', '--config', config], { FEEDSIEVE_DB: join(dir, 'history.copy.db') });
    expect(restored.stdout).toContain('the database is a backup, opened as a database for the first time: it starts a history of its own');
    expect(run(['migrate', '--config', config], { FEEDSIEVE_DB: join(dir, 'history.copy.db') }).stdout).not.toContain('starts a history');
  });

  it('a bad config is a clear error naming the path, and a non-zero exit', () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ feeds: [{ url: 'ftp://x.example/feed' }], ingest: { concurrency: 0, colour: 'red' } }));
    const result = run(['ingest', '--config', config], {});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('feeds[0].url');
    expect(result.stderr).toContain('ingest.concurrency');
    expect(result.stderr).toMatch(/colour/);
  });

  it('a topic query that does not parse is refused with the config, before anything is stored', () => {
    const config = join(dir, 'bad-query.json');
    const database = join(dir, 'bad-query.db');
    writeFileSync(config, JSON.stringify({ feeds: [], topics: [{ slug: 'nato', title: 'NATO', query: '"missile defence' }] }));
    const result = run(['ingest', '--config', config], { FEEDSIEVE_DB: database });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('config error: ');
    expect(result.stderr).toContain('topics[0].query: not a topic query: unclosed quote at 0');
    expect(existsSync(database)).toBe(false);
  });
});

describe('feedsieve topics check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-topics-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      database: 'topics.db',
      feeds: ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json']
        .map((f) => ({ url: `file:${join(ROOT, 'test/fixtures/feeds', f)}` })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the normalized query, the matching items with the words highlighted, and the count', () => {
    expect(run(['ingest', '--config', join(dir, 'config.json')], {}).status).toBe(0);
    const result = run(['topics', 'check', '"missile defence"', '--config', join(dir, 'config.json')], {});
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^query: /m);
    expect(result.stdout).toContain('Pentagon weighs new interceptor sites for');
    expect(result.stdout).toMatch(/matched: .*defense/);
    expect(result.stdout).toMatch(/^4 matching of 10 recent items$/m);
  });

  it('names the position of a syntax error and exits 2', () => {
    const result = run(['topics', 'check', '"missile defence', '--config', join(dir, 'config.json')], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unclosed quote at \d+/);
  });

  it('shows backfill progress, one line per step when not on a terminal', () => {
    const config = join(dir, 'config.json');
    const raw = JSON.parse(readFileSync(config, 'utf8')) as { topics: unknown[] };
    raw.topics.push({ slug: 'lisbon', title: 'Lisbon', query: 'Lisbon' });
    writeFileSync(config, JSON.stringify(raw));
    const result = run(['ingest', '--config', config], {});
    expect(result.stderr).toMatch(/^backfill lisbon 10\/10 \([\d.]+\/s\) \d+ matched$/m);
  });
});
