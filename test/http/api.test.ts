import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANITIZE_POLICY } from '../../src/html/sanitize.js';
import { feedState } from '../../src/feed-status.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { createMetrics } from '../../src/metrics.js';
import { buildApp, buildListener } from '../../src/main.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const TOKEN = 'test-admin-token-0123456789';

describe('the HTTP API', () => {
  let origin: StaticServer;
  let service: TestService;
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${service.baseUrl}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    origin = await startStaticServer(FIXTURES);
    service = await startTestService({
      feeds: ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json'].map((f) => ({ url: origin.url(f) })),
      adminToken: TOKEN,
    });
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  describe('malformed requests get the right 4xx as problem+json', () => {
    const cases: [string, string, string, string | undefined, Record<string, string>, number, RegExp][] = [
      ['bad JSON', 'POST', '/api/topics', '{"slug": ', auth, 400, /not valid JSON/],
      ['a JSON array body', 'POST', '/api/topics', '[]', auth, 400, /^invalid body: body: must be a JSON object /],
      ['no body', 'POST', '/api/topics', undefined, auth, 400, /^invalid body: body\.slug: .*; body\.title: .*; body\.query: /],
      ['a form body, as curl -d sends', 'POST', '/api/topics', 'slug=x&title=x&query=x', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 415,
        /^the body must be JSON, sent with Content-Type: application\/json \(not application\/x-www-form-urlencoded\)/],
      ['a WebSub subscription where server.hub is off', 'POST', '/hub', 'hub.mode=subscribe', { 'content-type': 'application/x-www-form-urlencoded' }, 404,
        /^this service is not a WebSub hub: server\.hub\.enabled is off \[\]$/],
      ['a text body', 'PATCH', '/api/feeds/1', '{"disabled": true}', { ...auth, 'content-type': 'text/plain; charset=utf-8' }, 415, /\(not text\/plain\)/],
      ['a JSON body under a +json type', 'POST', '/api/topics/preview', '{}', { 'content-type': 'application/merge-patch+json' }, 400, /body\.query/],
      ['a number where a string belongs', 'POST', '/api/topics', '{"slug": 5, "title": "x", "query": "y"}', auth, 400, /body\.slug/],
      ['a bad slug', 'POST', '/api/topics', '{"slug": "Not OK", "title": "x", "query": "y"}', auth, 400, /body\.slug/],
      ['a missing query', 'POST', '/api/topics', '{"slug": "ok", "title": "x"}', auth, 400, /body\.query/],
      ['an unknown body field', 'POST', '/api/topics', '{"slug": "ok", "title": "x", "query": "y", "colour": 1}', auth, 400, /colour/],
      ['a query with an unclosed quote', 'POST', '/api/topics', '{"slug": "ok", "title": "x", "query": "\\"missile defence"}', auth, 400, /unclosed quote/],
      ['a huge body', 'POST', '/api/topics', JSON.stringify({ slug: 'big', title: 'x', query: 'y'.repeat(200_000) }), auth, 413, /too large/],
      ['a duplicate topic', 'POST', '/api/topics', '{"slug": "nato", "title": "x", "query": "y"}', auth, 409, /already exists/],
      ['a preview without a query', 'POST', '/api/topics/preview', '{}', {}, 400, /body\.query/],
      ['a preview with a syntax error', 'POST', '/api/topics/preview', '{"query": "(NATO"}', {}, 400, /invalid query/],
      ['a feed URL that is not http', 'POST', '/api/feeds', '{"url": "file:///etc/passwd"}', auth, 400, /body\.url/],
      ['a feed URL that is no URL', 'POST', '/api/feeds', '{"url": "not a url"}', auth, 400, /body\.url/],
      ['limit zero', 'GET', '/api/items?limit=0', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not 0/],
      ['limit over 500', 'GET', '/api/items?limit=501', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not 501/],
      ['limit not a number', 'GET', '/api/items?limit=many', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not "many"/],
      ['limit empty', 'GET', '/api/items?limit=', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not ""/],
      ['limit in exponent form', 'GET', '/api/items?limit=1e2', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not "1e2"/],
      ['limit in hexadecimal', 'GET', '/api/stories?limit=0x10', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not "0x10"/],
      ['limit given twice', 'GET', '/api/items?limit=5&limit=6', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, given more than once/],
      ['a topic feed limit not a number', 'GET', '/topics/nato.rss?limit=ten', undefined, {}, 400, /query\.limit: must be a whole number from 1 to 500, not "ten"/],
      ['a feed filter not a number', 'GET', '/api/items?feed=world-wire', undefined, {}, 400, /query\.feed: must be a whole number of at least 1, not "world-wire"/],
      ['a feed filter of zero', 'GET', '/api/items?feed=0', undefined, {}, 400, /query\.feed: must be a whole number of at least 1, not 0/],
      ['a bad cursor', 'GET', '/api/items?cursor=garbage', undefined, {}, 400, /cursor/],
      ['a bad since date', 'GET', '/api/items?since=yesterday', undefined, {}, 400, /query\.since: must be a date \(2026-12-01, the start of that day in UTC\) or a date-time with its zone \(2026-12-01T08:00:00Z\), not "yesterday"/],
      ['a bad until date', 'GET', '/api/items?until=2026-13-45', undefined, {}, 400, /query\.until: must be a date .*, not "2026-13-45"/],
      ['a day that is not in its month', 'GET', '/api/stories?since=2026-02-29', undefined, {}, 400, /query\.since: must be a date .*, not "2026-02-29"/],
      ['a date-time without its zone', 'GET', '/api/items?since=2010-11-04T06:00:00', undefined, {}, 400, /query\.since: must be .*a date-time with its zone/],
      ['a since given twice', 'GET', '/api/items?since=2010-11-01&since=2010-11-02', undefined, {}, 400, /query\.since: must be .*, given more than once/],
      ['an unknown query parameter', 'GET', '/api/items?colour=red', undefined, {}, 400, /colour/],
      ['an unknown topic', 'GET', '/api/items?topic=nope', undefined, {}, 404, /no topic "nope" \[\]$/],
      ['a topic slug with capitals', 'GET', '/api/items?topic=NATO', undefined, {}, 404, /no topic "NATO" \(slugs are lowercase: "nato"\)/],
      ['a story topic slug with capitals', 'GET', '/api/stories?topic=Nato', undefined, {}, 404, /no topic "Nato" \(slugs are lowercase: "nato"\)/],
      ['a topic asked for with capitals', 'GET', '/api/topics/NATO', undefined, {}, 404, /no topic "NATO" \(slugs are lowercase: "nato"\)/],
      ['a topic deleted with capitals', 'DELETE', '/api/topics/Missile-Defence', undefined, auth, 404, /no topic "Missile-Defence" \(slugs are lowercase: "missile-defence"\)/],
      ['a bad search query', 'GET', '/api/items?q=NATO%20AND', undefined, {}, 400, /invalid query/],
      ['an item id that is not a number', 'GET', '/api/items/abc', undefined, {}, 400, /positive integer/],
      ['an item id in exponent form', 'GET', '/api/items/1e0', undefined, {}, 400, /positive integer/],
      ['a feed id in hexadecimal', 'GET', '/api/feeds/0x1', undefined, {}, 400, /positive integer/],
      ['an unknown item', 'GET', '/api/items/999999', undefined, {}, 404, /no item/],
      ['an unknown feed', 'GET', '/api/feeds/999999', undefined, {}, 404, /no feed/],
      ['an unknown topic feed', 'GET', '/topics/nope.rss', undefined, {}, 404, /no topic/],
      ['an unknown feed format', 'GET', '/topics/nato.xml', undefined, {}, 404, /\.rss, \.atom or \.json/],
      ['a bad feed page cursor', 'GET', '/topics/nato.rss?before=zzz', undefined, {}, 400, /before/],
      ['an unknown route', 'GET', '/api/nothing-here', undefined, {}, 404, /no route/],
      ['deleting an unknown topic', 'DELETE', '/api/topics/nope', undefined, auth, 404, /no topic/],
    ];
    it.each(cases)('%s → %s %s', async (_name, method, path, body, headers, status, detail) => {
      const res = await send(method, path, body, headers);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { status: number; title: string; detail: string; errors?: { field: string }[] };
      expect(problem.status).toBe(status);
      expect(problem.title.length).toBeGreaterThan(0);
      expect(`${problem.detail} ${JSON.stringify(problem.errors ?? [])}`).toMatch(detail);
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
    });
    it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  });

  it('lists a topic with its own fields, its counts and its feeds, and nothing of the rows they came from', async () => {
    const fields = ['feeds', 'itemCount', 'origin', 'pinned', 'query', 'recentItemCount', 'slug', 'title'];
    const { topics } = (await (await send('GET', '/api/topics')).json()) as { topics: Record<string, unknown>[] };
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(Object.keys(topic).sort()).toEqual(fields);
    const nato = (await (await send('GET', '/api/topics/nato')).json()) as Record<string, unknown>;
    expect(Object.keys(nato).sort()).toEqual(fields);
    expect(nato.pinned).toBe(false);
    // Counted alone, as the listing counts it.
    const listed = topics.find((t) => t.slug === 'nato')!;
    expect(listed.itemCount).toBeGreaterThan(0);
    expect([nato.itemCount, nato.recentItemCount]).toEqual([listed.itemCount, listed.recentItemCount]);
  });

  describe('since and until', () => {
    type Listed = { items: { id: number; sortAt: string }[] };
    const ids = async (query: string) => {
      const res = await send('GET', `/api/items?limit=500${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as Listed).items.map((item) => item.id).sort((a, b) => a - b);
    };
    let all: { id: number; sortAt: string }[] = [];
    let day = '';
    beforeAll(async () => {
      all = ((await (await send('GET', '/api/items?limit=500')).json()) as Listed).items;
      // A day with items on both sides of its start, so that either bound selects part of them.
      const days = [...new Set(all.map((item) => item.sortAt.slice(0, 10)))].sort();
      day = days.find((d) => all.some((i) => i.sortAt < d) && all.some((i) => i.sortAt >= d)) ?? '';
    });

    it('reads a date alone as the start of that day in UTC: since takes it, until stops before it', async () => {
      expect(day).not.toBe('');
      const from = all.filter((item) => item.sortAt >= `${day}T00:00:00.000Z`).map((item) => item.id).sort((a, b) => a - b);
      const before = all.filter((item) => item.sortAt < `${day}T00:00:00.000Z`).map((item) => item.id).sort((a, b) => a - b);
      expect(from.length).toBeGreaterThan(0);
      expect(before.length).toBeGreaterThan(0);
      expect(await ids(`&since=${day}`)).toEqual(from);
      expect(await ids(`&until=${day}`)).toEqual(before);
      expect(await ids(`&since=${day}T00:00:00Z`)).toEqual(from);
    });

    it('reads a date-time in its own zone', async () => {
      // Midnight UTC is 01:00 at +01:00 and 19:00 the day before at -05:00.
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      const eveBefore = new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
      const inUtc = await ids(`&since=${day}T00:00:00Z`);
      expect(await ids(`&since=${day}T01:00:00%2B01:00`)).toEqual(inUtc);
      expect(await ids(`&since=${eveBefore}T19:00:00-05:00`)).toEqual(inUtc);
    });
  });

  describe('a topic asked for without an extension', () => {
    const ask = (path: string, accept?: string) =>
      fetch(`${service.baseUrl}${path}`, { redirect: 'manual', headers: accept === undefined ? {} : { accept } });

    it('is sent to the format the Accept header prefers, for now, varying with Accept', async () => {
      const cases: [string | undefined, string][] = [
        ['application/atom+xml', '/topics/nato.atom'],
        ['application/feed+json', '/topics/nato.json'],
        ['application/json', '/topics/nato.json'],
        ['application/rss+xml', '/topics/nato.rss'],
        // No header; newsboat's "*/*"; a reader that weighs the formats; a browser's list.
        [undefined, '/topics/nato.rss'],
        ['*/*', '/topics/nato.rss'],
        ['application/rss+xml;q=0.5, application/atom+xml;q=0.9, */*;q=0.1', '/topics/nato.atom'],
        ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', '/topics/nato.rss'],
      ];
      for (const [accept, location] of cases) {
        const res = await ask('/topics/nato', accept);
        expect(res.status, accept).toBe(302);
        expect(res.headers.get('location'), accept).toBe(location);
        expect(res.headers.get('vary'), accept).toMatch(/accept/i);
      }
    });

    it('keeps the query string, and a slug typed with capitals goes to its lowercase feed in one step', async () => {
      const res = await ask('/topics/NATO?limit=2', 'application/atom+xml');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/topics/nato.atom?limit=2');
      const followed = await fetch(`${service.baseUrl}${res.headers.get('location')}`);
      expect(followed.status).toBe(200);
      expect((await followed.text()).match(/<entry>/g)).toHaveLength(2);
    });

    it('is followed by a client to the feed itself', async () => {
      const res = await fetch(`${service.baseUrl}/topics/missile-defence`, { headers: { accept: 'application/feed+json' } });
      expect(res.status).toBe(200);
      expect(res.url).toBe(`${service.baseUrl}/topics/missile-defence.json`);
      expect(((await res.json()) as { version: string }).version).toBe('https://jsonfeed.org/version/1.1');
    });

    it('works for everything too: /feeds/all', async () => {
      const res = await ask('/feeds/all?limit=3', 'application/atom+xml');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/feeds/all.atom?limit=3');
      expect(res.headers.get('vary')).toMatch(/accept/i);
      expect((await ask('/feeds/all')).headers.get('location')).toBe('/feeds/all.rss');
      expect((await ask('/feeds/everything')).status).toBe(404);
    });

    it('is not found when no topic has the slug, saying so', async () => {
      const res = await ask('/topics/nope', 'application/rss+xml');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { detail: string }).detail).toBe('no topic "nope"');
    });
  });

  describe('a topic feed asked for with capitals', () => {
    it('is sent to its slug for good, the extension and query kept', async () => {
      const res = await fetch(`${service.baseUrl}/topics/NATO.atom?limit=2`, { redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe('/topics/nato.atom?limit=2');
      const followed = await fetch(`${service.baseUrl}${res.headers.get('location')}`);
      expect(followed.status).toBe(200);
      expect((await followed.text()).match(/<entry>/g)).toHaveLength(2);
      expect((await fetch(`${service.baseUrl}/topics/Missile-Defence.rss`, { redirect: 'manual' })).headers.get('location'))
        .toBe('/topics/missile-defence.rss');
    });

    it('is still not found when no topic has that slug in lowercase', async () => {
      const res = await fetch(`${service.baseUrl}/topics/NOPE.rss`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { detail: string }).detail).toBe('no topic "NOPE"');
    });
  });

  describe('writes need the admin token', () => {
    const writes: [string, string, string | undefined][] = [
      ['POST', '/api/topics', '{"slug": "auth-test", "title": "A", "query": "Lisbon"}'],
      ['PUT', '/api/topics/auth-test', '{"title": "A", "query": "Lisbon"}'],
      ['DELETE', '/api/topics/nato', undefined],
      ['POST', '/api/feeds', '{"url": "https://example.org/feed.xml"}'],
      ['DELETE', '/api/feeds/1', undefined],
    ];
    it.each(writes)('%s %s without a token → 401', async (method, path, body) => {
      const res = await send(method, path, body);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    });
    it.each(writes)('%s %s with a wrong token → 401', async (method, path, body) => {
      const res = await send(method, path, body, { authorization: 'Bearer wrong-token' });
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain(TOKEN);
    });
    it('with the token, topics are created, edited (backfilled) and deleted', async () => {
      const created = await send('POST', '/api/topics', '{"slug": "lisbon", "title": "Lisbon", "query": "Lisbon"}', auth);
      expect(created.status).toBe(201);
      const items = async () => ((await (await service.get('/api/items?topic=lisbon')).json()) as { items: { title: string }[] }).items;
      expect((await items()).map((i) => i.title)).toContain('What to expect from the Lisbon summit');
      const edited = await send('PUT', '/api/topics/lisbon', '{"title": "Kyiv", "query": "Kyiv"}', auth);
      expect(edited.status).toBe(200);
      expect((await items()).map((i) => i.title)).toEqual(['Gas transit talks resume in Kyiv']);
      expect((await send('DELETE', '/api/topics/lisbon', undefined, auth)).status).toBe(204);
      expect((await service.get('/api/items?topic=lisbon')).status).toBe(404);
    });
    it('a topic renamed with its query unchanged is renamed in its feed and the listings at once', async () => {
      expect((await send('POST', '/api/topics', '{"slug": "summit", "title": "Summit", "query": "summit"}', auth)).status).toBe(201);
      const title = async () => /<channel>\s*<title>([^<]*)<\/title>/.exec(await (await service.get('/topics/summit.rss')).text())?.[1];
      const listed = async () => ((await (await service.get('/api/topics')).json()) as { topics: { slug: string; title: string }[] })
        .topics.find((t) => t.slug === 'summit')?.title;
      // Rendered and listed once, so that what is kept is what the rename must replace.
      expect(await title()).toBe('Summit');
      expect(await listed()).toBe('Summit');
      expect(await title()).toBe('Summit');
      expect((await send('PUT', '/api/topics/summit', '{"title": "Lisbon summit", "query": "summit"}', auth)).status).toBe(200);
      expect(await title()).toBe('Lisbon summit');
      expect(await listed()).toBe('Lisbon summit');
      expect((await (await service.get('/')).text())).toContain('<strong>Lisbon summit</strong>');
      expect((await send('DELETE', '/api/topics/summit', undefined, auth)).status).toBe(204);
    });
    it('a config file\'s topic is refused an edit and a delete, which the next start or reload would undo', async () => {
      const before = await service.core.store.getTopic('nato');
      expect(before?.origin).toBe('config');
      const rss = async () => (await service.get('/topics/nato.rss')).text();
      const page = await rss();
      for (const [method, body, what] of [['PUT', '{"title": "Alliance", "query": "alliance"}', 'change it there'], ['DELETE', undefined, 'remove it there']] as const) {
        const res = await send(method, '/api/topics/nato', body, auth);
        expect(res.status).toBe(409);
        expect(((await res.json()) as { detail: string }).detail).toBe(`topic "nato" comes from the config file: ${what}, then reload serve (SIGHUP)`);
      }
      expect(await service.core.store.getTopic('nato')).toEqual(before);
      expect(await rss()).toBe(page);
    });
    it('with no admin token configured, writes are refused, not open', async () => {
      const open = await startTestService({ feeds: [] });
      try {
        const res = await fetch(`${open.baseUrl}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"slug":"x","title":"x","query":"x"}' });
        expect(res.status).toBe(403);
      } finally {
        await open.close();
      }
    });
  });

  describe('OpenAPI', () => {
    let document: ReturnType<typeof buildOpenApiDocument>;
    beforeAll(async () => {
      document = (await (await service.get('/api/openapi.json')).json()) as typeof document;
    });

    it('is a valid OpenAPI 3.1 document', async () => {
      const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0]);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(document.openapi).toBe('3.1.0');
    });

    it('lists exactly the routes the app serves', () => {
      const app = buildApp(service.core, createFeedCache()) as Express & { router: { stack: Layer[] } };
      type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
      const served = new Set<string>();
      const walk = (stack: Layer[]) => {
        for (const layer of stack) {
          if (layer.route) {
            for (const method of Object.keys(layer.route.methods)) served.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
          } else if (layer.handle?.stack) walk(layer.handle.stack);
        }
      };
      walk(app.router.stack);
      const documented = new Set(Object.entries(document.paths ?? {}).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`)));
      expect([...served].sort()).toEqual([...documented].sort());
    });

    it('describes what real responses look like', async () => {
      const ajv = new Ajv2020({ strict: false });
      const schemas = (document.components?.schemas ?? {}) as Record<string, object>;
      const relink = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/components/schemas/')) as object;
      ajv.addSchema({ $id: 'components', components: { schemas: relink(schemas) } });
      const check = async (path: string, method: 'get', status: string, res: Response) => {
        const op = (document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>)[path]![method]!;
        const schema = op.responses[status]!.content!['application/json']!.schema;
        const validate = ajv.compile(relink(schema));
        const body = await res.json();
        expect(validate(body), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
        return body;
      };
      await check('/api/items', 'get', '200', await service.get('/api/items'));
      const following = await check('/api/items', 'get', '200', await service.get('/api/items?afterId=0&limit=2')) as { items: unknown[]; more: boolean };
      expect(following.items).toHaveLength(2);
      expect(following.more).toBe(true);
      const ofTopic = await check('/api/items', 'get', '200', await service.get('/api/items?afterId=0&topic=nato')) as { topicRematching: boolean };
      expect(ofTopic.topicRematching).toBe(false);
      const { items } = (await (await service.get('/api/items')).json()) as { items: { id: number }[] };
      await check('/api/items/{id}', 'get', '200', await service.get(`/api/items/${items[0]!.id}`));
      // An edit's number, as a save that changes the item takes one, for the shape of the edits' page.
      service.core.store.db.prepare('INSERT INTO item_edits (item_id) VALUES (?)').run(items[0]!.id);
      const edits = await check('/api/items', 'get', '200', await service.get('/api/items?afterEdit=0')) as { items: { id: number }[] };
      expect(edits.items.map((item) => item.id)).toEqual([items[0]!.id]);
      service.core.store.db.prepare('DELETE FROM item_edits').run();
      // A deletion logged as deleting an item logs it, for the shape of the deletions' page.
      service.core.store.db.prepare(`INSERT INTO item_deletions (item_id, feed_id, topic_ids, deleted_at) VALUES (?, 1, NULL, '2026-11-01T00:00:00.000Z')`)
        .run(items[0]!.id);
      const deletions = await check('/api/items', 'get', '200', await service.get('/api/items?afterDeletion=0')) as { items: { id: number }[] };
      expect(deletions.items.map((item) => item.id)).toEqual([items[0]!.id]);
      service.core.store.db.prepare('DELETE FROM item_deletions').run();
      await check('/api/topics', 'get', '200', await service.get('/api/topics'));
      // A feed naming a hub, subscribed there, for the shape of its subscription.
      service.core.store.db.prepare(`UPDATE feeds SET websub_hub = 'https://hub.example/', websub_topic = 'https://a.example/self' WHERE id = 1`).run();
      service.core.store.db.prepare(`INSERT INTO websub_subscriptions (token, callback_base, feed_id, hub, topic, secret, mode, state, lease_expires_at, next_action_at, notified_at, notifications,
          changes_announced, unannounced_change_at)
        VALUES ('t', 'http://127.0.0.1', 1, 'https://hub.example/', 'https://a.example/self', 's', 'subscribe', 'verified', '2026-12-01T00:00:00.000Z', '2026-11-29T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 3,
          2, '2026-11-20T00:00:00.000Z')`).run();
      const feeds = await check('/api/feeds', 'get', '200', await service.get('/api/feeds')) as { feeds: { websub: unknown }[] };
      expect(feeds.feeds.map((feed) => feed.websub)).toContainEqual({ hub: 'https://hub.example/', topic: 'https://a.example/self', subscription: {
        state: 'verified', leaseExpiresAt: '2026-12-01T00:00:00.000Z', error: null, lastNotifiedAt: '2026-11-21T00:00:00.000Z', notifications: 3,
        changesAnnounced: 2, lastUnannouncedChangeAt: '2026-11-20T00:00:00.000Z' } });
      expect(feeds.feeds.map((feed) => feed.websub)).toContain(null);
      service.core.store.db.prepare('DELETE FROM websub_subscriptions').run();
      service.core.store.db.prepare('UPDATE feeds SET websub_hub = NULL, websub_topic = NULL').run();
      await check('/api/stories', 'get', '200', await service.get('/api/stories?topic=nato'));
      await check('/readyz', 'get', '200', await service.get('/readyz'));
      // A subscription held at the hub, one with a delivery failed, its callback's credentials redacted.
      const lease = new Date(Date.now() + 86_400_000);
      await service.core.store.keepHubSubscription({ topic: `${service.baseUrl}/topics/nato.rss`, callback: 'https://user:pass@reader.example/cb?key=k',
        secret: 's', leaseExpiresAt: lease }, new Date(), 10);
      const [held] = await service.core.store.hubSubscribers([`${service.baseUrl}/topics/nato.rss`], new Date());
      await service.core.store.hubDelivery(held!.id, new Date(), 'the callback answered 500');
      const hub = await check('/api/hub/subscriptions', 'get', '200', await service.get('/api/hub/subscriptions', auth)) as { subscriptions: { callback: string }[] };
      expect(hub.subscriptions).toHaveLength(1);
      expect(hub.subscriptions[0]!.callback).not.toContain('pass');
      // Ended by the operator with the hub off: the row alone goes.
      expect((await send('DELETE', `/api/hub/subscriptions/${held!.id}`, undefined, auth)).status).toBe(204);
      expect(await service.core.store.hubSubscriptionCount(new Date())).toBe(0);
    });
  });

  it('an item\'s content is served as stored when the current rules sanitized it, and sanitized again otherwise', async () => {
    const { items } = (await (await service.get('/api/items')).json()) as { items: { id: number }[] };
    const id = items[0]!.id;
    const { db } = service.core.store;
    const before = db.prepare('SELECT content_html, sanitized_with FROM items WHERE id = ?').get(id);
    const contentOf = async () => ((await (await service.get(`/api/items/${id}`)).json()) as { contentHtml: string }).contentHtml;
    try {
      db.prepare(`UPDATE items SET content_html = '<p class="as-stored">Body</p><script>x()</script>', sanitized_with = ? WHERE id = ?`)
        .run(SANITIZE_POLICY, id);
      expect(await contentOf()).toContain('as-stored');
      db.prepare('UPDATE items SET sanitized_with = 0 WHERE id = ?').run(id);
      expect(await contentOf()).toBe('<p>Body</p>');
    } finally {
      db.prepare('UPDATE items SET content_html = @content_html, sanitized_with = @sanitized_with WHERE id = @id').run({ ...(before as object), id });
    }
  });

  describe('observability', () => {
    it('/metrics parses as Prometheus text and its counters move after an ingest', async () => {
      const metrics = createMetrics(service.core.store);
      const reading = async () => parsePrometheus(await metrics.registry.metrics());
      const before = await reading();
      const pass = await service.core.ingest(await service.core.store.listFeeds(), (r) => metrics.recordFetch(r));
      expect(pass.status).toBe('done');
      const after = await reading();
      const total = (m: Map<string, number>, prefix: string) => [...m].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
      expect(total(after, 'feedsieve_feed_fetches_total')).toBe(total(before, 'feedsieve_feed_fetches_total') + 4);
      expect(total(after, 'feedsieve_feed_fetch_duration_seconds_count')).toBe(4);
      expect(after.get('feedsieve_database_size_bytes')).toBeGreaterThan(0);
      // The states as `feedsieve feeds` names them, each feed counted once.
      const feeds = await service.core.store.listFeeds();
      for (const state of ['waiting', 'ok', 'failing', 'disabled'] as const) {
        expect(after.get(`feedsieve_feeds{state="${state}"}`), state).toBe(feeds.filter((feed) => feedState(feed) === state).length);
      }
      expect(after.get('feedsieve_feeds{state="ok"}')).toBeGreaterThan(0);
    });

    it('the served /metrics counts HTTP requests by route and status', async () => {
      const cache = createFeedCache();
      const metrics = createMetrics(service.core.store);
      const { createServer } = await import('node:http');
      const server = createServer(buildListener(service.core, cache, { metrics })).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        // The first poll renders through the app, the second is answered from the cache ahead of it:
        // both counted under the same route.
        await fetch(`${base}/topics/nato.rss`);
        await fetch(`${base}/topics/nato.rss`);
        await fetch(`${base}/api/items/abc`);
        const res = await fetch(`${base}/metrics`);
        expect(res.headers.get('content-type')).toMatch(/text\/plain/);
        const parsed = parsePrometheus(await res.text());
        expect(parsed.get('feedsieve_http_requests_total{method="GET",route="/topics/:file",status="200"}')).toBe(2);
        expect(parsed.get('feedsieve_http_requests_total{method="GET",route="/api/items/:id",status="400"}')).toBe(1);
        expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      } finally {
        server.close();
      }
    });

    it('/readyz reports database, scheduler and last tick', async () => {
      const body = (await (await service.get('/readyz')).json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'ready', database: 'ok', scheduler: 'running' });
    });
  });
});

/** Strict enough to fail on anything a Prometheus scraper would reject; returns series → value. */
function parsePrometheus(text: string): Map<string, number> {
  const series = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( \d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const match = sample.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    series.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return series;
}
