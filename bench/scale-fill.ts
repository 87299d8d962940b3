import { SANITIZE_POLICY, sanitizeContent } from '../src/html/sanitize.js';
import type { TopicMatch } from '../src/model.js';
import { type ItemToSave, openStore } from '../src/store/index.js';
import { generateItem } from './generate.js';
import { type Random, seededRandom } from './random.js';
import { SERVED_TOPIC, type BenchTopic } from './topic-queries.js';

export interface FillFigures {
  items: number;
  feeds: number;
  ms: number;
  itemsPerSec: number;
}

const BATCH = 500;
const CONTENT_POOL = 2000;
const FAR_FUTURE = new Date('2999-01-01T00:00:00Z');

// Matching a million items against every query would take longer than the rest of the bench; the
// database only needs matches shaped like real ones: the served topic where the title names it,
// plus a few others at random.
function syntheticMatches(title: string, topics: BenchTopic[], random: Random): TopicMatch[] {
  const matches: TopicMatch[] = [];
  if (title.includes(SERVED_TOPIC.title)) matches.push({ slug: SERVED_TOPIC.slug, terms: [SERVED_TOPIC.title.toLowerCase()] });
  for (let i = 0, n = random.int(5); i < n; i++) {
    const topic = topics[1 + random.int(topics.length - 1)];
    if (topic && !matches.some((m) => m.slug === topic.slug)) matches.push({ slug: topic.slug, terms: ['synthetic'] });
  }
  return matches;
}

/**
 * Fills a new database with `items` items across `feeds` feeds through the store module's own
 * saveFetchResult, in batches of 500: the same writes ingest makes, without fetching or parsing.
 */
export async function fillDatabase(path: string, items: number, feeds: number, topics: BenchTopic[],
  contentBytes: number, onProgress?: (done: number) => void): Promise<FillFigures> {
  const store = openStore(path);
  // Durability is worthless for a throw-away database: let SQLite skip the syncs while filling.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -262144');
  const started = process.hrtime.bigint();
  const now = new Date();
  // Stored as ingest stores content: sanitized, and marked with the rules that did it.
  const bodies = Array.from({ length: CONTENT_POOL }, (_, i) => {
    const item = generateItem(1_000_000 + i, i, now, contentBytes);
    return sanitizeContent(item.contentHtml, item.url);
  });
  try {
    await store.syncConfigTopics(topics.map((topic) => ({ ...topic, pinned: false })), now);
    const perFeed = Math.ceil(items / feeds);
    let done = 0;
    for (let f = 0; f < feeds && done < items; f++) {
      const feed = await store.addFeed({ url: `http://scale.invalid/feeds/${f}.rss`, title: `Scale outlet ${f}`, origin: 'api' }, now);
      const random = seededRandom(900_000 + f);
      for (let first = 0; first < perFeed && done < items; first += BATCH) {
        const batch: ItemToSave[] = [];
        for (let i = first; i < Math.min(perFeed, first + BATCH) && done + batch.length < items; i++) {
          // Bodies come from a pool: generating a million distinct ones would dominate the fill.
          const item = { ...generateItem(f, i, now, 0), contentHtml: bodies[(f * 7919 + i) % CONTENT_POOL]!, sanitizedWith: SANITIZE_POLICY };
          batch.push({ item, contentHash: `${f}:${i}`, markupHash: null, matches: syntheticMatches(item.title, topics, random), story: null });
        }
        await store.saveFetchResult(feed.id, {
          fetchedAt: now, httpStatus: 200, newUrl: null, error: null, fetchedAs: null,
          validators: { etag: null, lastModified: null, contentHash: `feed-${f}-${first}` },
          feedInfo: { title: `Scale outlet ${f}`, siteUrl: `https://scale${f}.example/`, minIntervalMinutes: null },
          items: batch,
          next: { nextFetchAt: FAR_FUTURE, consecutiveFailures: 0, disabled: false },
        });
        done += batch.length;
        onProgress?.(done);
      }
    }
    // The synthetic matches stand for the queries': nothing is left for a backfill to match.
    for (const topic of topics) await store.finishTopicBackfill(topic.slug, topic.query);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { items: done, feeds, ms, itemsPerSec: (done * 1000) / ms };
  } finally {
    await store.close();
  }
}
