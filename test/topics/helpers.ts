import { compileQuery, matchQuery } from '../../src/topics/match.js';
import { parseQuery } from '../../src/topics/query.js';
import { analyzeDoc, type MatchableDoc } from '../../src/topics/text.js';

export function makeDoc(fields: Partial<MatchableDoc>): MatchableDoc {
  return {
    title: '',
    summary: '',
    contentHtml: '',
    categories: [],
    authors: [],
    feedTitle: null,
    feedId: null,
    language: null,
    ...fields,
  };
}

/** Parses, compiles and matches in one step; a query that does not parse fails the test. */
export function run(query: string, doc: Partial<MatchableDoc>): { matched: boolean; terms: string[] } {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message}`);
  return matchQuery(compileQuery(parsed.query), analyzeDoc(makeDoc(doc)));
}
