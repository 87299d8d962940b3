// Entries without a date all sort at the time they were first seen. A feed lists its newest entry
// first, so such entries must come out in the document's order, in topic feeds, the combined feed
// and the API alike; before, they all sorted at one time, and listings (newest time, then highest
// id first) turned every undated feed upside down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { startTestService, type TestService } from '../support/service.js';

const undated = (titles: string[], edited = '') => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Undated blog</title><link>https://blog.example/</link><description>no dates</description>
${titles.map((title) => `<item><title>${title}</title><link>https://blog.example/${encodeURIComponent(title)}</link><description>On NATO${title === edited ? ', corrected' : ''}</description></item>`).join('\n')}
</channel></rss>`;

describe('a feed whose entries have no date', () => {
  let origin: FaultServer;
  let service: TestService;
  let titles = ['Third post', 'Second post', 'First post'];
  let edited = '';

  beforeAll(async () => {
    origin = await startFaultServer({ '/blog.rss': () => ({ body: undated(titles, edited) }) });
    service = await startTestService({ feeds: [{ url: origin.url('/blog.rss') }] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  const ingest = async () => {
    const pass = await service.core.ingest(await service.core.store.listFeeds());
    if (pass.status !== 'done') throw new Error('busy');
  };
  const listed = async (path: string, key: 'items') => ((await (await service.get(path)).json()) as Record<typeof key, { title: string }[]>)[key]
    .map((i) => i.title);

  it('is listed in its document\'s order everywhere; an entry added on top later comes first', async () => {
    await ingest();
    expect(await listed('/topics/nato.json', 'items')).toEqual(titles);
    expect(await listed('/feeds/all.json', 'items')).toEqual(titles);
    expect(await listed('/api/items?topic=nato', 'items')).toEqual(titles);
    const rss = await (await service.get('/topics/nato.rss')).text();
    expect([...rss.matchAll(/<title>([^<]*post)<\/title>/g)].map((m) => m[1])).toEqual(titles);

    titles = ['Fourth post', ...titles];
    await ingest();
    expect(await listed('/api/items', 'items')).toEqual(titles);
    expect(await listed('/api/items?topic=nato', 'items')).toEqual(titles);

    // An entry edited keeps its place.
    edited = 'Second post';
    await ingest();
    expect(await listed('/api/items', 'items')).toEqual(titles);
    const items = (await (await service.get('/api/items')).json()) as { items: { title: string; summary: string }[] };
    expect(items.items.find((i) => i.title === 'Second post')!.summary).toBe('On NATO, corrected');
  });
});
