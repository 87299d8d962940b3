// What the tests of the hub's followers write and send: items saved as a pass saves them, through
// a store of their own, and a hub that records what it is asked to send.
import type { HubSending } from '../../src/hub-item-logs.js';
import type { HubRetries } from '../../src/hub-sending.js';
import type { Item } from '../../src/model.js';
import type { FetchResultToSave, ItemToSave } from '../../src/store/index.js';
import type { ChangedFeeds } from '../../src/websub.js';

/** When the items are fetched and saved. */
export const SAVED_AT = new Date('2026-11-01T12:00:00.000Z');

/** An item to save, in the topics `slugs`. */
export const entry = (identity: string, slugs: string[]): ItemToSave => ({
  item: {
    identity, guid: identity, url: `https://x.example/${identity}`, title: identity, summary: identity, contentHtml: '<p>t</p>',
    authors: [], categories: [], publishedAt: '2026-11-01T10:00:00.000Z', updatedAt: null, language: 'en', enclosures: [],
  } satisfies Item,
  contentHash: 'v1', markupHash: null, story: null, matches: slugs.map((slug) => ({ slug, terms: ['t'] })),
});

/** A fetch that found `items`. */
export const fetched = (items: ItemToSave[]): FetchResultToSave => ({
  fetchedAt: SAVED_AT, httpStatus: 200, newUrl: null, fetchedAs: null,
  validators: { etag: null, lastModified: null, contentHash: `h${Math.random()}` },
  feedInfo: { title: 'Source', siteUrl: null, minIntervalMinutes: null }, items, error: null,
  next: { nextFetchAt: new Date(SAVED_AT.getTime() + 900_000), consecutiveFailures: 0, disabled: false },
});

/**
 * A hub that records what it is asked to send, and whether it makes the deliveries to make again;
 * its deliveries are done when the test says so.
 */
export function hubStandIn() {
  const sent: ChangedFeeds[] = [];
  // As a hub does, it makes them until it leaves them.
  const retries = { resumed: 0, left: 0, made: true };
  let done: Promise<boolean> = Promise.resolve(true);
  let finish: (open: boolean) => void = () => {};
  const hub: HubSending & HubRetries = {
    send: (changed) => void sent.push(changed),
    idle: () => done,
    async resume() {
      retries.resumed += 1;
      retries.made = true;
    },
    leaveRetries() {
      retries.left += 1;
      retries.made = false;
    },
  };
  return {
    hub, sent, retries,
    /** Deliveries under way from now until `finish` is called. */
    deliveriesUnderWay() {
      done = new Promise<boolean>((resolve) => (finish = resolve));
    },
    finish: (open: boolean) => finish(open),
  };
}
