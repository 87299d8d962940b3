import type { StoredItem } from './model.js';
import type { ItemCursor, ItemFilter, Store } from './store/index.js';
import { matchableDoc } from './topics/matchable.js';
import { compileQuery, matchQuery, vocabularyOf } from './topics/match.js';
import { parseQuery, type QuerySyntaxError } from './topics/query.js';
import { analyzeDoc } from './topics/text.js';

export interface SearchHit {
  item: StoredItem;
  terms: string[];
}

export type SearchResult =
  | {
      ok: true;
      normalized: string;
      hits: SearchHit[];
      scanned: number;
      /** Set when the scan stopped at its budget with items left: continue after this item. */
      stoppedAt: ItemCursor | null;
    }
  | { ok: false; error: QuerySyntaxError };

const SCAN_BATCH = 500;

/**
 * Items matching a query, newest first, decided by the very matcher topics use, so a search
 * returns exactly what a topic with that query would hold. It examines at most `maxScan` items;
 * when that budget runs out first, `stoppedAt` says where to resume, so a rare term over a big
 * database costs bounded time per request and still skips nothing.
 */
export async function searchItems(store: Store, query: string, filter: Omit<ItemFilter, 'limit'>,
  limit: number, maxScan = Number.POSITIVE_INFINITY): Promise<SearchResult> {
  const parsed = parseQuery(query);
  if (!parsed.ok) return parsed;
  const compiled = compileQuery(parsed.query);
  const vocabulary = vocabularyOf([compiled]);
  const hits: SearchHit[] = [];
  let after = filter.after;
  let scanned = 0;
  while (scanned < maxScan) {
    const want = Math.min(SCAN_BATCH, maxScan - scanned);
    const batch = await store.listItems({ ...filter, after, limit: want });
    for (const item of batch) {
      scanned++;
      const result = matchQuery(compiled, analyzeDoc(matchableDoc(item, { id: item.feedId, title: item.feedTitle }), vocabulary));
      if (!result.matched) continue;
      hits.push({ item, terms: result.terms });
      if (hits.length === limit) return { ok: true, normalized: parsed.normalized, hits, scanned, stoppedAt: null };
    }
    const last = batch[batch.length - 1];
    if (batch.length < want || !last) return { ok: true, normalized: parsed.normalized, hits, scanned, stoppedAt: null };
    after = { sortAt: last.sortAt, id: last.id };
  }
  return { ok: true, normalized: parsed.normalized, hits, scanned, stoppedAt: after ?? null };
}
