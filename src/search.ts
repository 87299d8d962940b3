import type { StoredItem } from './model.js';
import type { ItemFilter, Store } from './store/index.js';
import { matchableDoc } from './topics/matchable.js';
import { compileQuery, matchQuery } from './topics/match.js';
import { parseQuery, type QuerySyntaxError } from './topics/query.js';
import { analyzeDoc } from './topics/text.js';

export interface SearchHit {
  item: StoredItem;
  terms: string[];
}

export type SearchResult =
  | { ok: true; normalized: string; hits: SearchHit[]; scanned: number }
  | { ok: false; error: QuerySyntaxError };

const SCAN_BATCH = 500;

/**
 * Items matching a query, newest first, decided by the very matcher topics use, so a search
 * returns exactly what a topic with that query would hold. Scans at most `maxScan` items.
 */
export async function searchItems(store: Store, query: string, filter: Omit<ItemFilter, 'limit'>,
  limit: number, maxScan = Number.POSITIVE_INFINITY): Promise<SearchResult> {
  const parsed = parseQuery(query);
  if (!parsed.ok) return parsed;
  const compiled = compileQuery(parsed.query);
  const hits: SearchHit[] = [];
  let after = filter.after;
  let scanned = 0;
  while (scanned < maxScan) {
    const batch = await store.listItems({ ...filter, after, limit: Math.min(SCAN_BATCH, maxScan - scanned) });
    for (const item of batch) {
      scanned++;
      const result = matchQuery(compiled, analyzeDoc(matchableDoc(item, { id: item.feedId, title: item.feedTitle })));
      if (!result.matched) continue;
      hits.push({ item, terms: result.terms });
      if (hits.length === limit) return { ok: true, normalized: parsed.normalized, hits, scanned };
    }
    if (batch.length < SCAN_BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { sortAt: last.sortAt, id: last.id };
  }
  return { ok: true, normalized: parsed.normalized, hits, scanned };
}
