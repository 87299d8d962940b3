// How serve's hub follows the item logs: two stores opened over one real file, the follower on one
// of them, the other writing as a `feedsieve ingest` run beside serve writes; the hub a stand-in
// that records what it is asked to send and says when it has sent it.
import { beforeEach, describe, expect, it } from 'vitest';
import { followItemLogs } from '../src/hub-item-logs.js';
import { createLogger } from '../src/log.js';
import type { Store } from '../src/store/index.js';
import { entry, fetched, hubStandIn, SAVED_AT } from './support/hub-stand-in.js';
import { useTempStores } from './support/temp-store.js';
import { until } from './support/until.js';

const NOW = SAVED_AT;
const SILENT = createLogger('silent');
/** Reads on the clock that never come within a test. */
const NO_CLOCK = { everyMs: 3_600_000 };

describe('the hub following the item logs', () => {
  const temp = useTempStores('item-logs');
  let serving: Store;
  let elsewhere: Store;
  let ownFeed: number;
  let otherFeed: number;

  beforeEach(async () => {
    serving = temp.open();
    elsewhere = temp.open();
    for (const slug of ['nato', 'gas']) await serving.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
    ownFeed = (await serving.addFeed({ url: 'https://own.example/', title: null, origin: 'api' }, NOW)).id;
    otherFeed = (await serving.addFeed({ url: 'https://other.example/', title: null, origin: 'api' }, NOW)).id;
  });

  it('sends what another connection stored, and nothing its own store wrote', async () => {
    const { hub, sent } = hubStandIn();
    const follower = await followItemLogs(serving, hub, SILENT, NO_CLOCK);
    try {
      await serving.saveFetchResult(ownFeed, fetched([entry('s-1', ['gas'])]));
      await follower.check();
      expect(sent).toEqual([]);

      await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', ['nato'])]));
      await follower.check();
      expect(sent).toEqual([{ slugs: ['nato'], all: true }]);
      // Sent once: the marks moved on.
      await follower.check();
      expect(sent).toHaveLength(1);

      // Another connection's commit that stores no item (a feed added) changes no feed.
      await elsewhere.addFeed({ url: 'https://third.example/', title: null, origin: 'api' }, NOW);
      await follower.check();
      expect(sent).toHaveLength(1);

      // Both wrote since the last read: this store's item is named again, which it had sent already.
      await serving.saveFetchResult(ownFeed, fetched([entry('s-2', ['gas'])]));
      await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-2', ['nato'])]));
      await follower.check();
      expect(sent.at(-1)).toEqual({ slugs: ['gas', 'nato'], all: true });
    } finally {
      follower.stop();
    }
  });

  it('keeps the marks once what was sent for them is delivered, and not when closing the hub cut a delivery short', async () => {
    const stand = hubStandIn();
    const follower = await followItemLogs(serving, stand.hub, SILENT, NO_CLOCK);
    await follower.settled();
    // A first start keeps where the logs stand.
    const start = await serving.changeMarks();
    expect(await serving.hubSentThrough()).toEqual({ item: start.item, edit: start.edit, deletion: start.deletion });

    stand.deliveriesUnderWay();
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', ['nato'])]));
    await follower.check();
    expect(stand.sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await serving.hubSentThrough())!.item).toBe(start.item);
    // Delivered later: settled waits for it, and for the marks kept after it.
    setTimeout(() => stand.finish(true), 30);
    await follower.settled();
    expect((await serving.hubSentThrough())!.item).toBe((await serving.changeMarks()).item);

    const delivered = await serving.hubSentThrough();
    stand.deliveriesUnderWay();
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-2', ['gas'])]));
    await follower.check();
    stand.finish(false);
    await follower.settled();
    expect(await serving.hubSentThrough()).toEqual(delivered);
    follower.stop();
  });

  it('sends at its start what came past the marks kept, whoever wrote it, and nothing when none did', async () => {
    const first = await followItemLogs(serving, hubStandIn().hub, SILENT, NO_CLOCK);
    await first.settled();
    first.stop();
    // Written while no follower read the logs: this store's own items (a pass whose deliveries a
    // crash cut short), and another's, in no topic.
    await serving.saveFetchResult(ownFeed, fetched([entry('s-1', ['gas']), entry('s-2', ['nato'])]));
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', [])]));

    const { hub, sent } = hubStandIn();
    const next = await followItemLogs(serving, hub, SILENT, NO_CLOCK);
    expect(sent).toEqual([{ slugs: ['gas', 'nato'], all: true }]);
    await next.settled();
    next.stop();

    const again = hubStandIn();
    const third = await followItemLogs(serving, again.hub, SILENT, NO_CLOCK);
    expect(again.sent).toEqual([]);
    third.stop();
  });

  it('reads on the clock, except while this process is busy writing items it has yet to send, until stopped', async () => {
    const { hub, sent } = hubStandIn();
    let busy = true;
    const follower = await followItemLogs(serving, hub, SILENT, { everyMs: 20, busy: () => busy });
    await follower.settled();
    const kept = await serving.hubSentThrough();
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', ['gas'])]));
    await serving.saveFetchResult(ownFeed, fetched([entry('s-1', ['nato'])]));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sent).toEqual([]);
    expect(await serving.hubSentThrough()).toEqual(kept);

    busy = false;
    await until(() => sent.length, (count) => count === 1, 'the read on the clock');
    expect(sent).toEqual([{ slugs: ['gas', 'nato'], all: true }]);
    follower.stop();
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-2', ['nato'])]));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(sent).toHaveLength(1);
  });
});
