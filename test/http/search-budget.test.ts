// Searches take a bounded share of the server's thread: the bucket itself, then a real service
// refusing searches once they used it, while feeds and the rest of the API are served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOfAddress, createSearchBudget, MAX_CLIENTS_SEARCHING } from '../../src/http/search-budget.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';

/** Admits and spends `ms` for `client` this many times, each admitted. */
function searchAdmitted(budget: ReturnType<typeof createSearchBudget>, client: string, times: number, ms: number): void {
  for (let i = 0; i < times; i++) {
    expect(budget.admit(client)).toEqual({ ok: true });
    budget.spend(client, ms);
  }
}

describe('createSearchBudget', () => {
  it('admits searches while the bucket holds time, refuses them once spent, and refills at its rate', () => {
    let now = 0;
    const budget = createSearchBudget(100, () => now);
    // Ten seconds' worth at 100 ms a second.
    searchAdmitted(budget, 'a', 10, 100);
    expect(budget.admit('a')).toEqual({ ok: false, retryAfterSeconds: 1, spent: 'server' });
    // A search admitted with little left may overdraw: the wait grows with the debt.
    now += 10;
    expect(budget.admit('a')).toEqual({ ok: true });
    budget.spend('a', 251);
    expect(budget.admit('a')).toEqual({ ok: false, retryAfterSeconds: 3, spent: 'server' });
    now += 2_500;
    expect(budget.admit('a')).toEqual({ ok: false, retryAfterSeconds: 1, spent: 'server' });
    now += 20;
    expect(budget.admit('a')).toEqual({ ok: true });
    // A long quiet spell fills it up to its burst, no further.
    now += 3_600_000;
    budget.spend('a', 999);
    expect(budget.admit('a')).toEqual({ ok: true });
    budget.spend('a', 1);
    expect(budget.admit('a')).toEqual({ ok: false, retryAfterSeconds: 1, spent: 'server' });
  });

  it('lets a client take all of it alone, and half of it while another client searches too', () => {
    let now = 0;
    const budget = createSearchBudget(100, () => now);
    // Alone, a client spends past its half: the one program a server has is not held back.
    searchAdmitted(budget, 'a', 6, 100);
    expect(budget.clientsSearching()).toBe(1);
    // Another client comes: the first, past its half, waits for its part; the other goes on.
    expect(budget.admit('b')).toEqual({ ok: true });
    budget.spend('b', 100);
    expect(budget.admit('a')).toEqual({ ok: false, retryAfterSeconds: 3, spent: 'client' });
    expect(budget.admit('b')).toEqual({ ok: true });
    budget.spend('b', 200);
    // The server's bucket is spent: every client waits for it.
    expect(budget.admit('b')).toEqual({ ok: true });
    budget.spend('b', 100);
    expect(budget.admit('b')).toEqual({ ok: false, retryAfterSeconds: 1, spent: 'server' });
    expect(budget.clientsSearching()).toBe(2);
    // Once a client's part has refilled it is forgotten, and the other searches alone again.
    now += 8_000;
    expect(budget.clientsSearching()).toBe(1);
    expect(budget.admit('a')).toEqual({ ok: true });
    now += 4_000;
    expect(budget.clientsSearching()).toBe(0);
  });

  it('keeps the parts of so many clients at most, dropping the one written longest ago', () => {
    const budget = createSearchBudget(1000, () => 0);
    for (let i = 0; i <= MAX_CLIENTS_SEARCHING; i++) budget.spend(`client-${i}`, 0.001);
    expect(budget.clientsSearching()).toBe(MAX_CLIENTS_SEARCHING);
  });
});

describe('clientOfAddress', () => {
  it('takes an IPv4 address as it is, and an IPv6 address by its /64, however it is written', () => {
    expect(clientOfAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(clientOfAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    for (const address of ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:DB8:1:2::1', '2001:0db8:0001:0002::99', '2001:db8:1:2:0:0:0:1']) {
      expect(clientOfAddress(address), address).toBe('2001:db8:1:2::/64');
    }
    expect(clientOfAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientOfAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientOfAddress('::')).toBe('0:0:0:0::/64');
    expect(clientOfAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientOfAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientOfAddress('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(clientOfAddress('unknown')).toBe('unknown');
  });
});

/** Searches until one is refused (503), each admitted one read whole: the refusal and how many were admitted. */
async function searchUntilRefused(search: (turn: number) => Promise<Response>): Promise<{ refused: Response; searches: number }> {
  for (let searches = 0; searches < 5_000; searches++) {
    const res = await search(searches);
    if (res.status === 503) return { refused: res, searches };
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
  throw new Error('no search was refused in 5,000');
}

describe('a service whose searches used their share', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    const routes: Record<string, { body: string }> = {};
    for (let f = 0; f < 4; f++) {
      routes[`/feed-${f}.rss`] = { body: rssDocument(`feed ${f}`, Array.from({ length: 100 }, (_, i) => ({
        guid: `f${f}-${i}`, title: `Item ${f}-${i} on NATO`, publishedAt: new Date(Date.UTC(2026, 10, 1) - (i * 4 + f) * 60_000),
        description: `Ministers met on ${i} questions. `.repeat(40),
      }))) };
    }
    origin = await startFaultServer(routes);
    service = await startTestService({
      feeds: Object.keys(routes).map((path) => ({ url: origin.url(path) })),
      server: { searchMsPerSecond: 10 },
    });
    await service.core.ingest();
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('refuses searches with 503 and Retry-After, serves feeds and listings meanwhile, and searches again after the wait', async () => {
    // A term no item holds: each search reads all 400 items. The addresses the requests say they
    // were forwarded for are not taken from a proxy the server does not trust: one client, alone,
    // may spend the whole bucket.
    const { refused, searches } = await searchUntilRefused((turn) =>
      service.get('/api/items?q=absent&limit=10', { 'x-forwarded-for': `203.0.113.${turn % 7}` }));
    // A second of 10 ms holds 100 ms of searching: far fewer than the loop's bound.
    expect(searches).toBeGreaterThan(0);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail)
      .toMatch(/^searches have used their share of the server \(10 ms a second\); try again in \d+ s$/);

    // A topic's preview spends from it too (the bucket refills meanwhile, so it may admit a few).
    let previews = 0;
    let previewRefused: Response | null = null;
    while (previewRefused === null && previews < 50) {
      const preview = await fetch(`${service.baseUrl}/api/topics/preview`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'absent' }),
      });
      if (preview.status === 503) previewRefused = preview;
      else expect(preview.status).toBe(200);
      await preview.arrayBuffer();
      previews++;
    }
    expect(previewRefused).not.toBeNull();
    // What is not a search is served as ever.
    const feed = await service.get('/topics/nato.rss');
    expect(feed.status).toBe(200);
    expect(await feed.text()).toMatch(/<title>Item \d-0 on NATO<\/title>/);
    const listing = await service.get('/api/items?topic=nato&limit=5');
    expect(listing.status).toBe(200);
    expect(((await listing.json()) as { items: unknown[] }).items).toHaveLength(5);

    // The wait the last refusal named, the previews admitted before it included.
    await new Promise((resolve) => setTimeout(resolve, Number(previewRefused!.headers.get('retry-after')) * 1000 + 100));
    const again = await service.get('/api/items?q=%22on+NATO%22&limit=3');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { items: unknown[] }).items).toHaveLength(3);
  });
});

describe('a service told to trust the proxy in front of it', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    origin = await startFaultServer({ '/feed.rss': { body: rssDocument('feed', Array.from({ length: 400 }, (_, i) => ({
      guid: `f-${i}`, title: `Item ${i} on NATO`, publishedAt: new Date(Date.UTC(2026, 10, 1) - i * 60_000),
      description: `Ministers met on ${i} questions. `.repeat(40),
    }))) } });
    service = await startTestService({ feeds: [{ url: origin.url('/feed.rss') }], server: { searchMsPerSecond: 10, trustProxy: ['loopback'] } });
    await service.core.ingest();
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('keeps a client that searches in a loop to its half while another searches, by the address the proxy forwarded', async () => {
    const search = (client: string) => service.get('/api/items?q=absent&limit=10', { 'x-forwarded-for': client });
    // Each client searches from two addresses of its /64, one then the other.
    const { refused } = await searchUntilRefused(async (turn) => {
      // The other client searches now and then meanwhile, a quarter as often.
      if (turn % 4 === 0) expect((await search(`2001:db8:2:2::${(turn % 8) / 4 + 1}`)).status).toBe(200);
      return search(`2001:db8:1:1::${(turn % 2) + 1}`);
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { detail: string }).detail)
      .toMatch(/^this client's searches have used its part of the server's share while others search too \(half of 10 ms a second\); try again in \d+ s$/);
    // The other client still searches, from an address it had not used: the one in the loop took no more than its half.
    expect((await search('2001:db8:2:2::3')).status).toBe(200);
  });
});
