import { describe, expect, it } from 'vitest';
import { configChanges, mirroredChanges, settingsNeedingRestart } from '../src/config-changes.js';
import { parseConfig } from '../src/config.js';

const at = '/srv/feedsieve/config.json';
const running = parseConfig({
  server: { port: 8080, readToken: 'a-read-token-of-sixteen' },
  feeds: [{ url: 'https://a.example/feed' }, { url: 'https://b.example/feed' }],
  topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'who', title: 'WHO', query: '=WHO' }],
}, at);

describe('a config read again', () => {
  it('names the feeds and topics it adds, changes and drops', () => {
    const next = parseConfig({
      server: { port: 8080, readToken: 'a-read-token-of-sixteen' },
      feeds: [{ url: 'https://b.example/feed', title: 'B' }, { url: 'https://c.example/feed' }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO OR OTAN' }, { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }],
    }, at);
    expect(mirroredChanges(running, next)).toEqual({
      feedsAdded: ['https://c.example/feed'],
      feedsRemoved: ['https://a.example/feed'],
      feedsMoved: [],
      topicsAdded: ['missile-defence'],
      topicsChanged: ['nato'],
      topicsRemoved: ['who'],
    });
    expect(settingsNeedingRestart(running, next)).toEqual([]);
  });

  it('names a feed added with a password by its URL without it, for the log', () => {
    const next = parseConfig({ ...JSON.parse(JSON.stringify({ server: running.server, topics: running.topics })),
      feeds: [...running.feeds, { url: 'https://desk:s3cret-pass@c.example/feed' }] }, at);
    expect(mirroredChanges(running, next).feedsAdded).toEqual(['https://c.example/feed']);
  });

  it('names a feed given another URL that kept its items as moved, not as removed and added, without its password', () => {
    const next = parseConfig({ ...JSON.parse(JSON.stringify({ server: running.server, topics: running.topics })),
      feeds: [{ url: 'https://desk:s3cret-pass@www.a.example/feed' }, { url: 'https://b.example/feed' }] }, at);
    const changes = mirroredChanges(running, next, [{ from: 'https://a.example/feed', to: 'https://desk:s3cret-pass@www.a.example/feed' }]);
    expect(changes).toMatchObject({ feedsAdded: [], feedsRemoved: [], feedsMoved: [{ from: 'https://a.example/feed', to: 'https://www.a.example/feed' }] });
    // The same file, had the feed not kept its items.
    expect(mirroredChanges(running, next)).toMatchObject({ feedsAdded: ['https://www.a.example/feed'], feedsRemoved: ['https://a.example/feed'], feedsMoved: [] });
  });

  it('changes nothing when it is the same', () => {
    expect(mirroredChanges(running, running)).toEqual({ feedsAdded: [], feedsRemoved: [], feedsMoved: [], topicsAdded: [], topicsChanged: [], topicsRemoved: [] });
    expect(settingsNeedingRestart(running, parseConfig(JSON.parse(JSON.stringify({
      server: { port: 8080, readToken: 'a-read-token-of-sixteen' }, feeds: running.feeds, topics: running.topics,
    })), at))).toEqual([]);
  });

  it('lists, by name and never by value, the settings that wait for the next start', () => {
    const next = parseConfig({
      server: { port: 9090, readToken: 'another-read-token-16' },
      ingest: { timeoutMs: 5000 },
      retention: { maxAgeDays: 30 },
      feeds: [{ url: 'https://a.example/feed' }, { url: 'https://b.example/feed' }],
      topics: running.topics,
    }, at);
    const settings = settingsNeedingRestart(running, next);
    // The base URL is made of the port when none is set.
    expect(settings).toEqual(['ingest.timeoutMs', 'retention.maxAgeDays', 'server.baseUrl', 'server.port', 'server.readToken']);
    expect(JSON.stringify(settings)).not.toContain('another-read-token');
    expect(mirroredChanges(running, next).feedsAdded).toEqual([]);
  });

  it('names the service\'s feeds it changed: a topic added or given another title or query, one matched again, every one for a feed removed, moved or renamed, and the topics removed', () => {
    const nato = { slug: 'nato', title: 'NATO', query: 'NATO', origin: 'config' as const, pinned: false };
    const who = { slug: 'who', title: 'WHO', query: '=WHO', origin: 'api' as const, pinned: false };
    const a = { url: 'https://a.example/feed', title: 'A', siteUrl: 'https://a.example/' };
    const b = { url: 'https://b.example/feed', title: null, siteUrl: null };
    expect(configChanges([nato, who], [nato, who], [a, b], [a, b], [])).toEqual({ slugs: [], all: false, gone: [] });
    const defence = { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"', origin: 'config' as const, pinned: false };
    expect(configChanges([nato, who], [{ ...nato, title: 'NATO news' }, who, defence], [a], [a, b], ['who'])).toEqual({ slugs: ['nato', 'missile-defence', 'who'], all: false, gone: [] });
    // A pin keeps items longer; the feed shows the same.
    expect(configChanges([nato], [{ ...nato, pinned: true }], [a], [a], [])).toEqual({ slugs: [], all: false, gone: [] });
    // A topic removed takes its feed with it.
    expect(configChanges([nato, who], [who], [a], [a], [])).toEqual({ slugs: [], all: false, gone: ['nato'] });
    for (const after of [[b], [{ ...a, url: 'https://a.example/rss' }, b], [{ ...a, title: 'A daily' }, b], [{ ...a, siteUrl: null }, b]]) {
      expect(configChanges([nato], [nato], [a, b], after, [])).toEqual({ slugs: 'every', all: true, gone: [] });
    }
    expect(configChanges([nato, who], [who], [a], [], [])).toEqual({ slugs: 'every', all: true, gone: ['nato'] });
  });
});
