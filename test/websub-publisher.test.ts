// Publish pings to a third-party WebSub hub (server.websubHub): the feeds a change concerns, by the
// addresses they name themselves by, in pings a hub takes. A stand-in hub on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { createWebSubPublisher } from '../src/websub.js';
import { type HubStandIn, startHubStandIn } from './support/hub.js';

const BASE = 'https://news.example/feedsieve';
const formats = (path: string) => ['rss', 'atom', 'json'].map((ext) => `${BASE}/${path}.${ext}`);

describe('WebSub publish pings', () => {
  let hub: HubStandIn;
  beforeEach(async () => {
    hub = await startHubStandIn();
  });
  afterEach(() => hub.close());

  const publisher = (slugs: string[]) => createWebSubPublisher(hub.url, BASE, createLogger('silent'), async () => slugs);

  it('names each changed topic\'s feeds once, and the combined feed\'s when it changed', async () => {
    await publisher([]).publish({ slugs: ['nato', 'baltic', 'nato'], all: true });
    expect(hub.pings).toHaveLength(1);
    expect(hub.pings[0]!.get('hub.mode')).toBe('publish');
    expect(hub.pings[0]!.getAll('hub.url')).toEqual([...formats('topics/nato'), ...formats('topics/baltic'), ...formats('feeds/all')]);
    await publisher([]).publish({ slugs: [], all: false, gone: ['nato'] });
    expect(hub.pings).toHaveLength(1);
  });

  it('names every topic\'s feeds, at most 100 a ping, when every topic\'s feed changed', async () => {
    const slugs = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    await publisher(slugs).publish({ slugs: 'every', all: true });
    expect(hub.pings.map((ping) => ping.getAll('hub.url').length)).toEqual([100, 23]);
    expect(hub.pings.flatMap((ping) => ping.getAll('hub.url'))).toEqual([...slugs.flatMap((slug) => formats(`topics/${slug}`)), ...formats('feeds/all')]);
    expect(hub.pings.every((ping) => ping.get('hub.mode') === 'publish')).toBe(true);
  });
});
