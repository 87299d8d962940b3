import { fileURLToPath } from 'node:url';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshReport } from '../../src/ingest/refresh.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const FEEDS = ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json', 'broken.rss'];

const SEED = 'NATO, Russia consider joint missile defence plan';
const AFGHAN = 'Afghan transit route reopens for supply convoys';
const LISBON = 'What to expect from the Lisbon summit';
const SENATOR = 'Senator questions harbour dredging budget';
const US_SPELLING = 'Pentagon weighs new interceptor sites for missile defense';

describe('from fixture feeds on a web server to topic feeds in a reader', () => {
  let origin: StaticServer;
  let service: TestService;
  let firstRun: RefreshReport[];
  let secondRun: RefreshReport[];

  beforeAll(async () => {
    origin = await startStaticServer(FIXTURES);
    service = await startTestService({ feeds: FEEDS.map((file) => ({ url: origin.url(file) })) });
    const feeds = await service.core.store.listFeeds();
    const passes = [await service.core.ingest(feeds), await service.core.ingest(await service.core.store.listFeeds())];
    [firstRun = [], secondRun = []] = passes.map((pass) => (pass.status === 'done' ? pass.reports : []));
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  const titlesOf = async (path: string) => {
    const res = await service.get(path);
    expect(res.status).toBe(200);
    const text = await res.text();
    if (path.endsWith('.json')) return (JSON.parse(text) as { items: { title: string }[] }).items.map((i) => i.title);
    return (await new Parser().parseString(text)).items.map((i) => i.title ?? '');
  };

  it.each(['rss', 'atom', 'json'])('topic nato as %s holds the seed, Afghan and Lisbon stories and not the senator', async (format) => {
    const titles = await titlesOf(`/topics/nato.${format}`);
    expect(titles).toContain(SEED);
    expect(titles).toContain(AFGHAN);
    expect(titles).toContain(LISBON);
    expect(titles).not.toContain(SENATOR);
    expect(titles.filter((t) => t === SEED)).toHaveLength(1); // two outlets, one story
    expect(new Set(titles)).toEqual(new Set([SEED, AFGHAN, LISBON]));
  });

  it('topic missile-defence holds the seed story, the Lisbon preview and the US-spelled story', async () => {
    const titles = await titlesOf('/topics/missile-defence.rss');
    expect(new Set(titles)).toEqual(new Set([SEED, LISBON, US_SPELLING]));
  });

  it('stores the four good feeds and records broken.rss as that feed\'s error', async () => {
    const byFile = new Map(firstRun.map((r) => [r.url.split('/').pop(), r]));
    expect(byFile.get('broken.rss')?.status).toBe('error');
    expect(byFile.get('broken.rss')?.error?.kind).toBe('parse');
    for (const file of FEEDS.slice(0, 4)) {
      expect(byFile.get(file)?.error, file).toBeNull();
      expect(byFile.get(file)?.inserted, file).toBeGreaterThan(0);
    }
    const res = await service.get('/api/feeds');
    const { feeds } = (await res.json()) as { feeds: { url: string; itemCount: number; status: { error: { kind: string } | null } }[] };
    const broken = feeds.find((f) => f.url.endsWith('broken.rss'))!;
    expect(broken.status.error?.kind).toBe('parse');
    expect(broken.itemCount).toBe(0);
    expect(feeds.filter((f) => f.itemCount > 0)).toHaveLength(4);
  });

  it('a second ingest stores nothing new', async () => {
    expect(secondRun.reduce((n, r) => n + r.inserted + r.updated, 0)).toBe(0);
    const res = await service.get('/api/items?limit=500');
    const { items } = (await res.json()) as { items: unknown[] };
    expect(items).toHaveLength(firstRun.reduce((n, r) => n + r.inserted, 0));
  });

  it('reads "Café owners" correctly out of the ISO-8859-1 feed', async () => {
    const { items } = (await (await service.get('/api/items?limit=500')).json()) as { items: { title: string; summary: string }[] };
    const cafe = items.find((i) => i.title.startsWith('Caf'));
    expect(cafe?.title).toBe('Café owners protest new licence fees');
    expect(cafe?.summary).toContain('£400');
  });

  it('answers /healthz and a JSON 404 for an unknown topic', async () => {
    expect(await (await service.get('/healthz')).json()).toEqual({ status: 'ok' });
    const res = await service.get('/topics/no-such-topic.rss');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('no-such-topic');
  });

  it('lists items for a topic with their topics, newest first, and pages with nextCursor', async () => {
    const first = (await (await service.get('/api/items?topic=nato&limit=2')).json()) as {
      items: { id: number; title: string; sortAt: string; topics: { slug: string; terms: string[] }[] }[]; nextCursor: string | null };
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.sortAt >= first.items[1]!.sortAt).toBe(true);
    expect(first.items.every((i) => i.topics.some((t) => t.slug === 'nato' && t.terms.length > 0))).toBe(true);
    expect(first.nextCursor).not.toBeNull();
    const rest = (await (await service.get(`/api/items?topic=nato&limit=50&cursor=${first.nextCursor}`)).json()) as { items: { id: number; title: string }[] };
    const ids = [...first.items, ...rest.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    const titles = [...first.items, ...rest.items].map((i) => i.title);
    // The API lists every copy (the seed story from both outlets); feeds show each story once.
    expect(titles.filter((t) => t === SEED)).toHaveLength(2);
    expect(new Set(titles)).toEqual(new Set([SEED, AFGHAN, LISBON]));
  });
});
