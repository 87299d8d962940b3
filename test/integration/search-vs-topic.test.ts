import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';

const WORDS = ['NATO', 'Nato', 'missile', 'missiles', 'defence', 'defense', 'Russia', 'summit', 'Lisbon', 'café', 'cafe',
  'NATO-led', "NATO's", 'systems', 'targeted', 'senatorial', 'shield', 'Iran', 'talks', 'us', 'US'];
const TOKEN = 'property-test-admin-token';

const word = fc.constantFrom(...WORDS);
const term = fc.oneof(
  word.map((w) => w.replace(/['-].*/, '')),
  fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`),
  word.map((w) => `title:${w.replace(/['-].*/, '')}`),
  word.map((w) => `${w.replace(/['-].*/, '').slice(0, 4)}*`),
  fc.tuple(word, word, fc.integer({ min: 1, max: 4 })).map(([a, b, n]) => `${a.replace(/['-].*/, '')} NEAR/${n} ${b.replace(/['-].*/, '')}`),
  fc.constantFrom('=NATO', '=US', 'category:World'),
);
const query: fc.Arbitrary<string> = fc.oneof(
  term,
  fc.tuple(term, term).map(([a, b]) => `${a} ${b}`),
  fc.tuple(term, term).map(([a, b]) => `${a} OR ${b}`),
  fc.tuple(term, term).map(([a, b]) => `${a} -${b.replace(/^[=a-z]+:/, '')}`),
  fc.tuple(term, term, term).map(([a, b, c]) => `(${a} OR ${b}) AND NOT ${c}`),
);

describe('search and topics agree', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    // A random corpus, fixed by seed so a failure can be replayed.
    const docs = fc.sample(fc.tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.array(word, { minLength: 0, maxLength: 14 })), { numRuns: 80, seed: 7 });
    const now = Date.now();
    const body = rssDocument('Random', docs.map(([title, text], i) => ({
      guid: `doc-${i}`, title: title.join(' '), description: text.join(' '), publishedAt: new Date(now - i * 60_000),
    })));
    origin = await startFaultServer({ '/random.rss': { body } });
    service = await startTestService({ feeds: [{ url: origin.url('/random.rss') }], topics: [], adminToken: TOKEN });
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('GET /api/items?q= returns exactly what a topic with that query holds, item for item', async () => {
    let n = 0;
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const slug = `p${n++}`;
        const put = await fetch(`${service.baseUrl}/api/topics/${slug}`, {
          method: 'PUT', body: JSON.stringify({ title: q, query: q }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        });
        expect(put.status, await put.clone().text()).toBe(201);
        const ids = async (path: string) =>
          ((await (await service.get(path)).json()) as { items: { id: number }[] }).items.map((i) => i.id).sort((a, b) => a - b);
        const searched = await ids(`/api/items?limit=500&q=${encodeURIComponent(q)}`);
        const held = await ids(`/api/items?limit=500&topic=${slug}`);
        expect(searched, q).toEqual(held);
        if (held.length > 0) nonEmpty++;
      }),
      { numRuns: 60, seed: 11 },
    );
    // The property says something only if many queries match something.
    expect(nonEmpty).toBeGreaterThan(20);
  });
});
