// Which pages may read feedsieve from a browser: none unless the operator lists their origins
// (server.corsOrigins), and then only with GET and HEAD. Real servers on 127.0.0.1, real headers.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/feeds');
const TOKEN = 'cors-admin-token-0123456789';
const DASH = 'https://dash.example';
const OTHER = 'https://elsewhere.example';

let origin: StaticServer;
beforeAll(async () => {
  origin = await startStaticServer(FIXTURES);
});
afterAll(async () => {
  await origin?.close();
});

async function serviceWith(corsOrigins?: string[]): Promise<TestService> {
  const service = await startTestService({
    feeds: [{ url: origin.url('/world-wire.rss') }],
    adminToken: TOKEN,
    ...(corsOrigins ? { server: { corsOrigins } } : {}),
  });
  await service.core.ingest();
  return service;
}

const preflight = (service: TestService, path: string, from: string, method: string) =>
  fetch(`${service.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin: from, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, if-none-match' },
  });
const varyOf = (res: Response) => (res.headers.get('vary') ?? '').split(/,\s*/).filter(Boolean);

describe('CORS with no origins configured', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await serviceWith();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('gives a page of another origin nothing to read by, on a feed or the API', async () => {
    for (const path of ['/topics/nato.rss', '/topics/nato.rss', '/api/items']) {
      const res = await service.get(path, { origin: DASH });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(varyOf(res)).not.toContain('Origin');
    }
  });

  it('answers a preflight without allowing anything', async () => {
    const res = await preflight(service, '/api/items', DASH, 'GET');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('CORS with listed origins', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await serviceWith([DASH]);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('lets a listed origin\'s page read a topic feed, rendered and then cached, and the API, each varying by Origin', async () => {
    // The first poll is rendered, the second answered from the cache ahead of the app, the third by the app.
    for (const path of ['/topics/nato.rss', '/topics/nato.rss', '/topics/nato.rss?limit=5', '/api/items?topic=nato', '/opml']) {
      const res = await service.get(path, { origin: DASH, 'accept-encoding': 'gzip' });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), path).toBe(DASH);
      expect(res.headers.get('access-control-expose-headers'), path).toBe('ETag, Last-Modified, Location, X-Request-Id');
      expect(varyOf(res), path).toContain('Origin');
    }
    // A feed keeps the Vary it had: its coding depends on Accept-Encoding.
    expect(varyOf(await service.get('/topics/nato.rss', { origin: DASH }))).toEqual(['Origin', 'Accept-Encoding']);
  });

  it('lets a listed origin\'s page poll conditionally: the 304 carries the headers too', async () => {
    const first = await service.get('/topics/nato.atom', { origin: DASH });
    const etag = first.headers.get('etag')!;
    const again = await service.get('/topics/nato.atom', { origin: DASH, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('access-control-allow-origin')).toBe(DASH);
  });

  it('gives an origin not listed nothing to read by, yet says the answer varies by Origin', async () => {
    for (const headers of [{ origin: OTHER }, {}] as Record<string, string>[]) {
      const res = await service.get('/topics/nato.rss', headers);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(varyOf(res)).toContain('Origin');
    }
  });

  it('allows a listed origin to ask for a read with a token and conditional headers, for a day', async () => {
    const res = await preflight(service, '/api/items?topic=nato', DASH, 'GET');
    expect(res.status).toBe(204);
    expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': DASH,
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'Authorization, If-None-Match, If-Modified-Since',
      'access-control-max-age': '86400',
    });
  });

  it('allows no write from a page: not in a preflight, not in a response', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await preflight(service, '/api/topics', DASH, method);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), method).toBeNull();
    }
    const unlisted = await preflight(service, '/api/items', OTHER, 'GET');
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    const posted = await fetch(`${service.baseUrl}/api/topics`, {
      method: 'POST',
      headers: { origin: DASH, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'lisbon', title: 'Lisbon', query: 'Lisbon' }),
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS open to every origin', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await serviceWith(['*']);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('answers every origin alike, so the answer does not vary by Origin', async () => {
    for (const from of [DASH, OTHER]) {
      const res = await service.get('/api/items', { origin: from });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(varyOf(res)).not.toContain('Origin');
    }
    expect((await preflight(service, '/topics/nato.json', OTHER, 'GET')).headers.get('access-control-allow-origin')).toBe('*');
  });
});
