import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, matchQuery, queryMatches } from '../../src/topics/match.js';
import { parseQuery } from '../../src/topics/query.js';
import { analyzeDoc, type AnalyzedDoc, type MatchableDoc } from '../../src/topics/text.js';
import { buildTopicIndex, matchTopics, topicIndexData, topicIndexFrom } from '../../src/topics/topic-index.js';

// The topic index only narrows which topics an item meets; it must never lose a match. And the
// normalized text of a query must mean the same as the text it came from.

const DOC_WORDS = [
  'NATO', 'Nato', 'nato', 'senatorial', 'Donato', 'missile', 'missiles', 'Missile', 'defence', 'defense', 'defences',
  'shield', 'Russia', 'US', 'us', 'U.S.', 'UN', 'un', 'Un', 'café', 'cafe', 'CAFÉS', 'licence', 'licensing', 'license',
  'peacekeepers', 'peace', 'keeping', 'organised', 'organized', 'the', 'of', 'sport', 'budget', 'national',
  'ΟΔΟΣ', 'ΟΔΟΣΗ', 'Straße', 'STRASSE',
];
const SEPARATORS = [' ', ' ', ' ', '-', "'s ", ', ', '. '];

const text = fc
  .array(fc.tuple(fc.constantFrom(...DOC_WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 12 })
  .map((parts) => parts.map(([w, s]) => w + s).join('').trim());

const doc: fc.Arbitrary<MatchableDoc> = fc.record({
  title: text,
  summary: text,
  contentHtml: fc.oneof(text.map((t) => `<p>${t}</p>`), text.map((t) => `<a href="https://x.example/nato/">${t}</a>`)),
  categories: fc.array(text, { maxLength: 2 }),
  authors: fc.array(fc.constantFrom('Jane Doe', 'NATO press office', 'Donato Rossi'), { maxLength: 1 }),
  feedTitle: fc.constantFrom(null, 'World Wire', 'Missile Monitor'),
  feedId: fc.constantFrom(null, 1, 2, 3),
  language: fc.constantFrom(null, 'en', 'en-GB', 'fr', 'de-AT'),
});

const ATOMS = [
  'NATO', 'nato', 'missile', 'defence', 'defense', 'shield', 'us', '=US', '=UN', 'un', 'cafe', 'café', 'licence',
  'peacekeepers', 'organised', 'sport', 'budget', 'Russia', 'def*', 'nat*', 'pea*', '=Nat*', 'caf*', 'u*',
  '"missile defence"', '"missile shield"', '"peace keeping"', '="Missile Monitor"', 'NATO-led', "NATO's",
  '=ΟΔΟΣ*', 'οδος*', 'strass*', '=Straß*',
  'lang:en', 'lang:fr', 'lang:en-gb', 'feed:2', 'feed:wire', 'feed:"missile monitor"',
];
const FIELDS = ['', '', '', 'title:', 'text:', 'category:', 'author:'];

const atom = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...ATOMS)).map(([f, a]) => (a.includes(':') ? a : f + a)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ATOMS.filter((a) => !a.includes(':'))), fc.integer({ min: 1, max: 6 }), fc.constantFrom(...ATOMS.filter((a) => !a.includes(':'))))
      .map(([a, n, b]) => `${a} NEAR/${n} ${b}`),
  },
);

const { query } = fc.letrec<{ query: string }>((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    tie('query').map((q) => `(${q})`),
    tie('query').map((q) => `NOT (${q})`),
    atom.map((a) => (a.includes(' NEAR/') ? `-(${a})` : `-${a}`)),
    fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} ${b}`),
    fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} AND ${b}`),
    fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} OR ${b}`),
  ),
}));

function directMatches(queries: string[], analyzed: AnalyzedDoc): { slug: string; terms: string[] }[] {
  return queries.flatMap((q, i) => {
    const parsed = parseQuery(q);
    if (!parsed.ok) throw new Error(`${q}: ${parsed.error.message}`);
    const result = matchQuery(compileQuery(parsed.query), analyzed);
    return result.matched ? [{ slug: `t${i}`, terms: result.terms }] : [];
  });
}

describe('topic index agrees with direct matching', () => {
  it('every generated query parses', () => {
    fc.assert(
      fc.property(query, (q) => {
        const parsed = parseQuery(q);
        expect(parsed.ok, `${q}: ${parsed.ok ? '' : parsed.error.message}`).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('matchTopics finds exactly what matchQuery finds, item for item, also from an analysis of the topics\' vocabulary only', () => {
    let matched = 0;
    let checked = 0;
    let kept = 0;
    let all = 0;
    fc.assert(
      fc.property(fc.array(query, { minLength: 1, maxLength: 12 }), fc.array(doc, { minLength: 1, maxLength: 15 }), (queries, docs) => {
        const index = buildTopicIndex(queries.map((q, i) => ({ slug: `t${i}`, query: q })));
        expect(index.rejected).toEqual([]);
        for (const d of docs) {
          const analyzed = analyzeDoc(d);
          const direct = directMatches(queries, analyzed);
          expect(matchTopics(index, analyzed)).toEqual(direct);
          // Keeping only the vocabulary changes no match and no matched term.
          const narrow = analyzeDoc(d, index.vocabulary);
          expect(matchTopics(index, narrow)).toEqual(direct);
          matched += direct.length;
          checked += queries.length;
          kept += narrow.fields.text.forms.length;
          all += analyzed.fields.text.forms.length;
        }
      }),
      { numRuns: 300 },
    );
    // Guards against a vacuous property: the generators must produce both outcomes often, and
    // the vocabulary must leave words out and keep some.
    expect(matched / checked).toBeGreaterThan(0.1);
    expect(matched / checked).toBeLessThan(0.9);
    expect(kept / all).toBeGreaterThan(0.05);
    expect(kept / all).toBeLessThan(0.95);
  });

  it('the index a worker thread receives (its data cloned, then topicIndexFrom) matches as the sender\'s, which has matched before', () => {
    let matched = 0;
    fc.assert(
      fc.property(fc.array(query, { minLength: 1, maxLength: 12 }), fc.array(doc, { minLength: 1, maxLength: 15 }), (queries, docs) => {
        const index = buildTopicIndex(queries.map((q, i) => ({ slug: `t${i}`, query: q })));
        // The sender's scratch (its candidates' marks and pass, its words met) is as matching left it.
        const expected = docs.map((d) => matchTopics(index, analyzeDoc(d, index.vocabulary)));
        const received = topicIndexFrom(structuredClone(topicIndexData(index)));
        expect(received.byWord.size).toBe(0);
        expect(docs.map((d) => matchTopics(received, analyzeDoc(d, received.vocabulary)))).toEqual(expected);
        matched += expected.flat().length;
      }),
      { numRuns: 200 },
    );
    expect(matched).toBeGreaterThan(100);
  });

  it('parseQuery(normalized) matches the same items as the original text, and queryMatches agrees', () => {
    fc.assert(
      fc.property(query, fc.array(doc, { minLength: 1, maxLength: 15 }), (q, docs) => {
        const first = parseQuery(q);
        if (!first.ok) throw new Error(first.error.message);
        const second = parseQuery(first.normalized);
        expect(second.ok).toBe(true);
        if (!second.ok) return;
        expect(second.normalized).toBe(first.normalized);
        const a = compileQuery(first.query);
        const b = compileQuery(second.query);
        for (const d of docs) {
          const analyzed = analyzeDoc(d);
          const result = matchQuery(a, analyzed);
          expect(matchQuery(b, analyzed)).toEqual(result);
          expect(queryMatches(a, analyzed)).toBe(result.matched);
        }
      }),
      { numRuns: 300 },
    );
  });
});
