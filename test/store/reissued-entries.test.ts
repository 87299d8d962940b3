import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import type { FetchResultToSave, ItemToSave, StoryKey, Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const FIRST_FETCH = new Date('2026-11-01T06:00:00.000Z');
const LATER_FETCH = new Date('2026-11-01T12:00:00.000Z');
const SAME = Buffer.from([7, 7, 7]);
// Both band keys shared, so every pair below is compared; the signature alone says whether it is one story.
const story = (signature: Buffer): StoryKey => ({ signature, bandKeys: new Uint32Array([700, 701]) });

function entry(identity: string, url: string | null, signature: Buffer, hash: string, matches: string[] = []): ItemToSave {
  const item: Item = {
    identity, guid: identity, url, title: `Title ${hash}`, summary: `Summary ${hash}`,
    contentHtml: `<p>${hash}</p>`, authors: [], categories: [], publishedAt: '2026-11-01T05:00:00.000Z', updatedAt: null,
    language: 'en', enclosures: [],
  };
  return { item, contentHash: hash, markupHash: null, story: story(signature), matches: matches.map((slug) => ({ slug, terms: ['nato'] })) };
}

function fetched(at: Date, items: ItemToSave[], documentIdentities: string[] | undefined): FetchResultToSave {
  return {
    fetchedAt: at, httpStatus: 200, newUrl: null, fetchedAs: null, validators: null, feedInfo: null, items, error: null,
    next: { nextFetchAt: new Date(at.getTime() + 900_000), consecutiveFailures: 0, disabled: false },
    ...(documentIdentities ? { documentIdentities } : {}),
  };
}

describe('store: an entry its feed issues again under a new identity', () => {
  const temp = useTempStores('reissue');
  let store: Store;
  let feedId: number;
  const ARTICLE = 'https://wire.example/2026/11/air-policing';
  beforeEach(async () => {
    store = temp.open({ stories: { isSameStory: (a, b) => a.equals(b), windowHours: 48, minSharedKeys: 2 } });
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, FIRST_FETCH);
    feedId = (await store.addFeed({ url: 'https://wire.example/feed', title: 'Wire', origin: 'api' }, FIRST_FETCH)).id;
    await store.saveFetchResult(feedId, fetched(FIRST_FETCH, [entry('old-guid', ARTICLE, SAME, 'v1', ['nato'])], ['old-guid']));
  });

  const rows = () => store.db.prepare('SELECT id, identity, guid, title, first_seen_at AS firstSeenAt FROM items ORDER BY id').all() as
    { id: number; identity: string; guid: string; title: string; firstSeenAt: string }[];

  it('is the same item, updated and renamed, when its link and story agree and the old entry left the document', async () => {
    const [before] = rows();
    const summary = await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('new-guid', ARTICLE, SAME, 'v2', ['nato'])], ['new-guid']));
    expect(summary).toMatchObject({ inserted: 0, updated: 1, touchedTopics: ['nato'] });
    expect(rows()).toEqual([{ id: before!.id, identity: 'new-guid', guid: 'new-guid', title: 'Title v2', firstSeenAt: FIRST_FETCH.toISOString() }]);
    const listed = await store.listItems({ topicSlug: 'nato', limit: 10 });
    expect(listed.map((item) => [item.id, item.title])).toEqual([[before!.id, 'Title v2']]);
    // The feed's count of entries is unchanged, and the entry is known under its new identity.
    expect((await store.getFeed(feedId))!.itemCount).toBe(1);
    expect([...(await store.feedItemHashes(feedId)).byIdentity]).toEqual([['new-guid', 'v2']]);
  });

  it('renames an entry whose guid alone changed, each time, and counts it unchanged: no topic feed changes', async () => {
    const [before] = rows();
    const changedAt = () => store.db.prepare('SELECT changed_at FROM items').pluck().get();
    const changedBefore = changedAt();
    // The old guid coming back, its successor gone, is the same case.
    for (const guid of ['rotated-1', 'rotated-2', 'old-guid']) {
      const summary = await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry(guid, ARTICLE, SAME, 'v1', ['nato'])], [guid]));
      expect(summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, touchedTopics: [] });
      expect(rows()).toEqual([{ ...before!, identity: guid, guid }]);
    }
    expect(changedAt()).toBe(changedBefore);
  });

  it('stays two items while the document still carries the old entry', async () => {
    const summary = await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('new-guid', ARTICLE, SAME, 'v2')], ['new-guid', 'old-guid']));
    expect(summary).toMatchObject({ inserted: 1, updated: 0 });
    expect(rows().map((row) => row.identity)).toEqual(['old-guid', 'new-guid']);
  });

  it('stays two items under another link, or another story, or with no document to tell what the feed still carries', async () => {
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('other-link', `${ARTICLE}-2`, SAME, 'v2')], ['other-link']));
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('other-story', ARTICLE, Buffer.from([8]), 'v3')], ['other-story']));
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('no-document', ARTICLE, SAME, 'v4')], undefined));
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('no-link', null, SAME, 'v5')], ['no-link']));
    expect(rows().map((row) => row.identity)).toEqual(['old-guid', 'other-link', 'other-story', 'no-document', 'no-link']);
  });

  it('takes only an entry of the same feed: another feed\'s copy under the same link joins its story as before', async () => {
    const other = await store.addFeed({ url: 'https://paper.example/feed', title: 'Paper', origin: 'api' }, FIRST_FETCH);
    await store.saveFetchResult(other.id, fetched(LATER_FETCH, [entry('paper-1', ARTICLE, SAME, 'v2')], ['paper-1']));
    const [first, copy] = rows();
    expect(copy!.identity).toBe('paper-1');
    const listed = await store.listItems({ limit: 10 });
    expect(listed.find((item) => item.id === copy!.id)!.storyId).toBe(first!.id);
  });
});
