import { describe, expect, it } from 'vitest';
import { createFeedCache } from '../../src/http/feed-cache.js';

const page = (text: string) => ({
  parts: [Buffer.from(text)], digest: Buffer.alloc(32, text.length), lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml',
});

describe('feed cache', () => {
  it('keeps a page until a topic changes: its own, or another whose new copies may join its stories', () => {
    const cache = createFeedCache();
    cache.set('nato', 'nato.rss', page('a'));
    expect(cache.get('nato', 'nato.rss')?.parts[0]?.toString()).toBe('a');
    cache.invalidate(['defence']);
    expect(cache.get('nato', 'nato.rss')).toBeNull();
    cache.set('nato', 'nato.rss', page('b'));
    cache.invalidate(['nato']);
    expect(cache.get('nato', 'nato.rss')).toBeNull();
    cache.set('nato', 'nato.rss', page('c'));
    cache.invalidateAll();
    expect(cache.get('nato', 'nato.rss')).toBeNull();
  });

  it('does not keep a page whose rows were read before an invalidation that came while it was rendered', () => {
    const cache = createFeedCache();
    const asOf = cache.generation('nato');
    cache.invalidateAll(); // another process committed while the page was put together
    const answered = cache.set('nato', 'nato.rss', page('stale'), asOf);
    expect(answered.parts[0]?.toString()).toBe('stale');
    expect(cache.get('nato', 'nato.rss')).toBeNull();
    cache.set('nato', 'nato.rss', page('fresh'), cache.generation('nato'));
    expect(cache.get('nato', 'nato.rss')?.parts[0]?.toString()).toBe('fresh');
  });
});
