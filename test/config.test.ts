import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, findConfigPath, loadConfig, parseConfig } from '../src/config.js';

const at = '/srv/feedsieve/config.json';

describe('config', () => {
  it('fills every default but feeds', () => {
    const config = parseConfig({ feeds: [] }, at);
    expect(config.database).toBe('/srv/feedsieve/data/feedsieve.db');
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, baseUrl: 'http://127.0.0.1:8080' });
    expect(config.ingest).toMatchObject({ schedule: '*/15 * * * *', concurrency: 8, timeoutMs: 20000, maxBytes: 10000000, allowPrivateAddresses: false });
    expect(config.topics).toEqual([]);
    expect(config.adminToken).toBeNull();
  });

  it('takes CORS origins as origins or *, none by default', () => {
    expect(parseConfig({ feeds: [] }, at).server.corsOrigins).toEqual([]);
    expect(parseConfig({ feeds: [], server: { corsOrigins: ['https://dash.example', 'http://127.0.0.1:3000', '*'] } }, at).server.corsOrigins)
      .toEqual(['https://dash.example', 'http://127.0.0.1:3000', '*']);
  });

  it('gives searches 250 ms of each second of the server unless told otherwise', () => {
    expect(parseConfig({ feeds: [] }, at).server.searchMsPerSecond).toBe(250);
    expect(parseConfig({ feeds: [], server: { searchMsPerSecond: 1000 } }, at).server.searchMsPerSecond).toBe(1000);
  });

  it('trusts no proxy\'s X-Forwarded-For unless told to: every one, the nearest so many, or those named', () => {
    expect(parseConfig({ feeds: [] }, at).server.trustProxy).toBe(false);
    for (const trustProxy of [true, 1, ['loopback'], ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1', 'uniquelocal']]) {
      expect(parseConfig({ feeds: [], server: { trustProxy } }, at).server.trustProxy).toEqual(trustProxy);
    }
  });

  it('requires feeds', () => {
    expect(() => parseConfig({}, at)).toThrow(/feeds: /);
  });

  it.each([
    [{ feeds: [], surprise: 1 }, /\(root\): Unrecognized key.*surprise/],
    [{ feeds: [], server: { port: 'eighty' } }, /server\.port: /],
    [{ feeds: [{ url: 'ftp://x.example/f' }] }, /feeds\[0\]\.url: must be an http:, https: or file: URL/],
    [{ feeds: [], topics: [{ slug: 'Bad Slug', title: 't', query: 'q' }] }, /topics\[0\]\.slug: /],
    [{ feeds: [], topics: [{ slug: 'ok', title: 't', query: 'NATO' }, { slug: 'nato', title: 'NATO', query: '(NATO' }] },
      /topics\[1\]\.query: not a topic query: expected "\)" to close "\(" at 0/],
    [{ feeds: [], ingest: { schedule: 'every minute' } }, /ingest\.schedule: must be a cron expression/],
    [{ feeds: [], ingest: { concurrency: 0 } }, /ingest\.concurrency: /],
    [{ feeds: [{ url: 'https://a.example/f', intervalMinutes: 0 }] }, /feeds\[0\]\.intervalMinutes: /],
    [{ feeds: [{ url: 'https://a.example/f', intervalMinutes: 2.5 }] }, /feeds\[0\]\.intervalMinutes: /],
    [{ feeds: [], server: { corsOrigins: ['https://dash.example/'] } }, /server\.corsOrigins\[0\]: must be \* or an origin such as https:\/\/dash\.example/],
    [{ feeds: [], server: { corsOrigins: ['*', 'dash.example'] } }, /server\.corsOrigins\[1\]: must be \* or an origin/],
    [{ feeds: [], server: { corsOrigins: ['https://dash.example/app'] } }, /server\.corsOrigins\[0\]: /],
    [{ feeds: [], server: { searchMsPerSecond: 5 } }, /server\.searchMsPerSecond: /],
    [{ feeds: [], server: { searchMsPerSecond: 1001 } }, /server\.searchMsPerSecond: /],
    [{ feeds: [], server: { trustProxy: ['proxy.example'] } }, /server\.trustProxy\[0\]: must be loopback, linklocal, uniquelocal, an IP address or a range/],
    [{ feeds: [], server: { trustProxy: ['10.0.0.0/33'] } }, /server\.trustProxy\[0\]: must be loopback, linklocal, uniquelocal, an IP address or a range/],
    [{ feeds: [], server: { trustProxy: ['fd00::/129'] } }, /server\.trustProxy\[0\]: must be loopback, linklocal, uniquelocal, an IP address or a range/],
    [{ feeds: [], server: { trustProxy: ['10.0.0.0/8/1'] } }, /server\.trustProxy\[0\]: must be loopback, linklocal, uniquelocal, an IP address or a range/],
    [{ feeds: [], server: { trustProxy: [] } }, /server\.trustProxy: /],
    [{ feeds: [], server: { trustProxy: 0 } }, /server\.trustProxy: /],
    [{ feeds: [], ingest: { websub: { subscribe: 'yes' } } }, /ingest\.websub\.subscribe: /],
    [{ feeds: [], ingest: { websub: { leaseSeconds: 60 } } }, /ingest\.websub\.leaseSeconds: /],
    [{ feeds: [], ingest: { websub: { minFetchSeconds: -1 } } }, /ingest\.websub\.minFetchSeconds: /],
    [{ feeds: [], ingest: { websub: { trustedPollMinutes: 0 } } }, /ingest\.websub\.trustedPollMinutes: /],
    [{ feeds: [], ingest: { websub: { hub: 'https://hub.example/' } } }, /ingest\.websub: Unrecognized key.*hub/],
  ])('rejects %j naming the path', (raw, message) => {
    expect(() => parseConfig(raw, at)).toThrow(ConfigError);
    expect(() => parseConfig(raw, at)).toThrow(message);
  });

  it('applies env overrides', () => {
    const config = parseConfig({ feeds: [] }, at, { FEEDSIEVE_DB: 'other.db', PORT: '9090', FEEDSIEVE_ADMIN_TOKEN: 's3cret-token' });
    expect(config.database).toBe('/srv/feedsieve/other.db');
    expect(config.server.port).toBe(9090);
    expect(config.server.baseUrl).toBe('http://127.0.0.1:9090');
    expect(config.adminToken).toBe('s3cret-token');
    expect(() => parseConfig({ feeds: [] }, at, { PORT: 'x' })).toThrow(/PORT/);
    expect(parseConfig({ feeds: [] }, at, { FEEDSIEVE_DB: '', PORT: '' }).database).toBe('/srv/feedsieve/data/feedsieve.db');
  });

  it('warns when a WebSub hub would be told of feeds at an address made of the listening host and port', () => {
    const warned = parseConfig({ feeds: [], server: { websubHub: 'https://hub.example/' } }, at);
    expect(warned.warnings).toHaveLength(1);
    expect(warned.warnings[0]).toMatch(/server\.websubHub is set without server\.baseUrl: the hub is told of topic feeds at http:\/\/127\.0\.0\.1:8080, .*set server\.baseUrl/);
    expect(parseConfig({ feeds: [], server: { websubHub: 'https://hub.example/', baseUrl: 'https://news.example' } }, at).warnings).toEqual([]);
    expect(parseConfig({ feeds: [] }, at).warnings).toEqual([]);
  });

  it('is no hub unless told to, never beside another hub, and warns when it would be named at the listening host and port', () => {
    expect(parseConfig({ feeds: [] }, at).server.hub).toEqual({ enabled: false, leaseSeconds: 864_000, maxSubscriptions: 1000, retrySeconds: 60 });
    expect(() => parseConfig({ feeds: [], server: { hub: { enabled: true }, websubHub: 'https://hub.example/', baseUrl: 'https://news.example' } }, at))
      .toThrow(/server\.hub\.enabled and server\.websubHub: the feeds name one hub/);
    expect(() => parseConfig({ feeds: [], server: { hub: { leaseSeconds: 60 } } }, at)).toThrow(/server\.hub\.leaseSeconds: /);
    expect(() => parseConfig({ feeds: [], server: { hub: { maxSubscriptions: 0 } } }, at)).toThrow(/server\.hub\.maxSubscriptions: /);
    const warned = parseConfig({ feeds: [], server: { hub: { enabled: true } } }, at);
    expect(warned.warnings).toEqual([expect.stringMatching(/server\.hub is enabled without server\.baseUrl: the hub and its feeds are named at http:\/\/127\.0\.0\.1:8080/)]);
    expect(parseConfig({ feeds: [], server: { hub: { enabled: true }, baseUrl: 'https://news.example' } }, at).warnings).toEqual([]);
  });

  it('subscribes to no hub unless told to, and warns when hubs would be given callbacks at the listening host and port', () => {
    expect(parseConfig({ feeds: [] }, at).ingest.websub).toEqual({ subscribe: false, leaseSeconds: 864_000, minFetchSeconds: 60, trustedPollMinutes: 1440 });
    expect(parseConfig({ feeds: [], ingest: { websub: { trustedPollMinutes: null } } }, at).ingest.websub.trustedPollMinutes).toBeNull();
    const warned = parseConfig({ feeds: [], ingest: { websub: { subscribe: true } } }, at);
    expect(warned.warnings).toHaveLength(1);
    expect(warned.warnings[0]).toMatch(/ingest\.websub\.subscribe is on without server\.baseUrl: hubs are given callbacks at http:\/\/127\.0\.0\.1:8080\/websub\/…, .*set server\.baseUrl/);
    expect(parseConfig({ feeds: [], ingest: { websub: { subscribe: true } }, server: { baseUrl: 'https://news.example' } }, at).warnings).toEqual([]);
  });

  it('resolves relative file: feed URLs against the config folder', () => {
    const config = parseConfig({ feeds: [{ url: 'file:samples/a.rss' }, { url: 'https://x.example/f' }] }, at);
    expect(config.feeds.map((f) => f.url)).toEqual(['file:///srv/feedsieve/samples/a.rss', 'https://x.example/f']);
  });

  it('takes the URLs a feed had before, resolved as its URL is', () => {
    const config = parseConfig({ feeds: [{ url: 'file:samples/b.rss', formerUrls: ['file:samples/a.rss', 'https://x.example/f'] }] }, at);
    expect(config.feeds[0]!.formerUrls).toEqual(['file:///srv/feedsieve/samples/a.rss', 'https://x.example/f']);
    expect(() => parseConfig({ feeds: [{ url: 'https://x.example/g', formerUrls: ['ftp://x.example/f'] }] }, at))
      .toThrow(/feeds\[0\]\.formerUrls\[0\]: must be an http:, https: or file: URL/);
  });

  it('finds --config, then FEEDSIEVE_CONFIG, then config.json, then config.example.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-config-'));
    expect(findConfigPath('a.json', { FEEDSIEVE_CONFIG: 'b.json' }, dir)).toBe(join(dir, 'a.json'));
    expect(findConfigPath(undefined, { FEEDSIEVE_CONFIG: 'b.json' }, dir)).toBe(join(dir, 'b.json'));
    expect(findConfigPath(undefined, {}, dir)).toBe(join(dir, 'config.example.json'));
    writeFileSync(join(dir, 'config.json'), '{"feeds":[]}');
    expect(findConfigPath(undefined, {}, dir)).toBe(join(dir, 'config.json'));
    expect(loadConfig(join(dir, 'config.json'), {}).feeds).toEqual([]);
    writeFileSync(join(dir, 'broken.json'), '{"feeds":');
    expect(() => loadConfig(join(dir, 'broken.json'), {})).toThrow(/not valid JSON/);
  });
});
