// The marks the hub has sent through are kept past a pass's items only once the pass has sent
// them: while serve's own pass is under way (a slow feed keeps it so), the item logs are not read
// on the clock, so a crash in the middle of the pass leaves its stored items to be sent after the
// restart. A real service on 127.0.0.1 with its hub on, a real origin, a second connection to the
// database file reading the marks as another process would.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ITEM_LOGS_CHECK_MS } from '../../src/hub-item-logs.js';
import { createLogger } from '../../src/log.js';
import { openCore, startService } from '../../src/main.js';
import { startFaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';
import { useTempStores } from '../support/temp-store.js';
import { until } from '../support/until.js';

// Long enough that the checks below, begun by 2.5 s and lasting 1.5 s, end inside the pass.
const SLOW_FIRST_BYTE_MS = 5000;

describe('the hub\'s marks during serve\'s own pass', () => {
  const temp = useTempStores('hub-marks');

  it('stay where they were until the pass has sent its items, then move past them', async () => {
    const origin = await startFaultServer({
      '/fast.rss': { body: rssDocument('Fast desk', [1, 2, 3].map((n) => ({ guid: `fast-${n}`, title: `NATO update ${n}`, publishedAt: new Date(Date.now() - n * 60_000) }))) },
      '/slow.rss': { body: rssDocument('Slow desk', [{ guid: 'slow-1', title: 'NATO late word', publishedAt: new Date() }]), delayMs: SLOW_FIRST_BYTE_MS },
    });
    const port = await freePort();
    const config = parseConfig({
      database: temp.path, logLevel: 'silent',
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
      feeds: [{ url: origin.url('/fast.rss') }, { url: origin.url('/slow.rss') }],
      server: { host: '127.0.0.1', port, baseUrl: `http://127.0.0.1:${port}`, hub: { enabled: true } },
      ingest: { allowPrivateAddresses: true, timeoutMs: 10_000, schedule: '0 0 1 1 *' },
    }, `${temp.dir}/config.json`, {});
    const service = await startService(await openCore(config, createLogger('silent')));
    const reader = temp.open();
    try {
      // The fast feed's three items are stored while the slow one holds the pass open.
      await until(() => reader.newestItemId(), (newest) => newest === 3, 'the fast feed\'s items', 2500);
      // Past more than one of the follower's reads on the clock.
      await new Promise((resolve) => setTimeout(resolve, ITEM_LOGS_CHECK_MS * 1.5));
      expect((await reader.hubSentThrough())?.item ?? 0).toBe(0);
      await service.firstIngest;
      await until(() => reader.hubSentThrough(), (marks) => marks?.item === 4, 'the marks past the pass\'s items', 5000);
    } finally {
      await service.stop();
      await origin.close();
    }
  });
});
