import { compileQuery, type AtomMatcher, type CompiledQuery, matchQuery, vocabularyOf } from './match.js';
import { parseQuery } from './query.js';
import { analyzeDoc, type AnalyzedDoc } from './text.js';

const readsFeedTitle = (atom: AtomMatcher): boolean => atom.fields.includes('feed');

/** The parts of a query that read a feed's title: its `feed:` terms, and NEAR pairs with one. */
function feedTitleParts(node: CompiledQuery, into: CompiledQuery[]): void {
  switch (node.kind) {
    case 'words':
    case 'prefix':
      if (readsFeedTitle(node)) into.push(node);
      return;
    case 'near':
      if (readsFeedTitle(node.left) || readsFeedTitle(node.right)) into.push(node);
      return;
    case 'and':
    case 'or':
      for (const child of node.children) feedTitleParts(child, into);
      return;
    case 'not':
      feedTitleParts(node.child, into);
      return;
    case 'lang':
    case 'feed-id':
    case 'nothing':
      return;
  }
}

const titleOnly = (feedTitle: string | null, vocabulary: ReturnType<typeof vocabularyOf>): AnalyzedDoc => analyzeDoc({
  title: '', summary: '', contentHtml: '', contentText: '', categories: [], authors: [], feedTitle, feedId: null, language: null,
}, vocabulary);

/**
 * Whether renaming a feed from `from` to `to` can change what `query` says of the feed's items,
 * so that the topic must be matched again: some `feed:` term matches one title and not the other,
 * or through other words of it. Everything else a query reads is the item's own, and a feed's id
 * does not change. A NEAR pair with a `feed:` side counts as changed whenever the title does. A
 * query that does not parse matches nothing either way.
 */
export function renameChangesMatches(query: string, from: string | null, to: string | null): boolean {
  if (from === to) return false;
  const parsed = parseQuery(query);
  if (!parsed.ok) return false;
  const parts: CompiledQuery[] = [];
  feedTitleParts(compileQuery(parsed.query), parts);
  if (parts.length === 0) return false;
  const vocabulary = vocabularyOf(parts);
  const before = titleOnly(from, vocabulary);
  const after = titleOnly(to, vocabulary);
  return parts.some((part) => {
    if (part.kind === 'near') return true;
    const was = matchQuery(part, before);
    const is = matchQuery(part, after);
    return was.matched !== is.matched || was.terms.join('\u0000') !== is.terms.join('\u0000');
  });
}
