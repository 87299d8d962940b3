import type { Item } from '../../src/model.js';
import type { ItemFilter, Store } from '../../src/store/index.js';

/** A minimal stored entry for the listing property tests. */
export function listingItem(identity: string, publishedAt: string): Item {
  return {
    identity, guid: identity, url: `https://x.example/${identity}`, title: identity, summary: 's', contentHtml: '<p>t</p>',
    authors: [], categories: [], publishedAt, updatedAt: null, language: null, enclosures: [],
  };
}

/** The ids a listing gives, read two entries a page by its cursor. */
export async function listedInPages(store: Store, filter: Omit<ItemFilter, 'limit' | 'after'>): Promise<number[]> {
  const ids: number[] = [];
  let after;
  for (;;) {
    const page = await store.listItems({ ...filter, limit: 2, after });
    if (page.length === 0) return ids;
    ids.push(...page.map((i) => i.id));
    after = { sortAt: page.at(-1)!.sortAt, id: page.at(-1)!.id };
  }
}
