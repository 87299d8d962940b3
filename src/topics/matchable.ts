import type { Item } from '../model.js';
import type { MatchableDoc } from './text.js';

/** The fields of an item that topic queries can see. */
export function matchableDoc(item: Item, feed: { id: number; title: string | null }, contentText?: string): MatchableDoc {
  return {
    title: item.title,
    summary: item.summary,
    contentHtml: item.contentHtml,
    // The visible text of contentHtml, when the caller has it: ingest reads it while sanitizing.
    contentText,
    categories: item.categories,
    authors: item.authors,
    feedTitle: feed.title,
    feedId: feed.id,
    language: item.language,
  };
}
