import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import { fingerprintStory, serializeSignature, storyText } from '../../src/stories/fingerprint.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { startTestService, type TestService } from '../support/service.js';

const entry = (id: number, content: string) => `<item><title>NATO item ${id}</title><guid>g-${id}</guid>
  <pubDate>Wed, 03 Nov 2010 1${id}:00:00 GMT</pubDate><description><![CDATA[${content}]]></description></item>`;
const doc = (items: string[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${items.join('')}</channel></rss>`;

describe('refreshFeed on a feed that changes', () => {
  let origin: FaultServer;
  let service: TestService;
  let version = 1;

  beforeAll(async () => {
    origin = await startFaultServer({
      '/feed.rss': () => ({
        body: version === 1
          ? doc([entry(1, '<p>one</p>'), entry(2, '<p>two</p>'), entry(3, '<p>three</p>')])
          : doc([entry(1, '<p>one</p>'), entry(2, '<p>two, revised</p><script>alert(1)</script>'), entry(3, '<p>three</p>'), entry(4, '<p onclick="x()">four</p>')]),
      }),
    });
    service = await startTestService({ feeds: [{ url: origin.url('/feed.rss') }] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('stores the new entry, updates the changed one sanitized, and leaves the rest alone', async () => {
    const first = await service.core.ingest(await service.core.store.listFeeds());
    expect(first.status === 'done' && first.reports[0]).toMatchObject({ status: 'stored', inserted: 3, updated: 0 });
    version = 2;
    const second = await service.core.ingest(await service.core.store.listFeeds());
    expect(second.status === 'done' && second.reports[0]).toMatchObject({ status: 'stored', inserted: 1, updated: 1, unchanged: 2 });
    const items = await service.core.store.listItems({ limit: 10 });
    const byGuid = new Map(items.map((i) => [i.guid, i]));
    expect(byGuid.get('g-2')!.contentHtml).toBe('<p>two, revised</p>');
    expect(byGuid.get('g-4')!.contentHtml).toBe('<p>four</p>');
    // The revision keeps the item's place and its topic match.
    expect((await service.core.store.matchesForItems([byGuid.get('g-2')!.id])).get(byGuid.get('g-2')!.id)).toEqual([{ slug: 'nato', terms: ['NATO'] }]);
  });

  it('stores each entry under the fingerprint of its title and the opening of its text', async () => {
    // g-2 was revised after it was stored: an item keeps the story it joined when first seen.
    const items = (await service.core.store.listItems({ limit: 10 })).filter((item) => item.guid !== 'g-2');
    expect(items).toHaveLength(3);
    const stored = service.core.store.db.prepare('SELECT signature FROM story_members WHERE item_id = ?').pluck();
    for (const item of items) {
      const expected = serializeSignature(fingerprintStory(item.title, storyText(item.summary, htmlToText(item.contentHtml))).signature);
      expect(stored.get(item.id), item.guid ?? '').toEqual(expected);
    }
  });
});
