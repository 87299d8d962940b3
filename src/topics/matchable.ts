import type { Item } from '../model.js';
import type { MatchableDoc } from './text.js';

/** The fields of an item that topic queries can see. */
export function matchableDoc(item: Item, feed: { id: number; title: string | null }): MatchableDoc {
  return {
    title: item.title,
    summary: item.summary,
    contentHtml: item.contentHtml,
    categories: item.categories,
    authors: item.authors,
    feedTitle: feed.title,
    feedId: feed.id,
    language: item.language,
  };
}
