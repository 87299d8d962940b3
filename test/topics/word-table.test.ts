import { describe, expect, it } from 'vitest';
import { compileQuery, matchQuery, vocabularyOf } from '../../src/topics/match.js';
import { parseQuery } from '../../src/topics/query.js';
import { analyzeDoc, tokenize, type AnalyzedDoc, type MatchableDoc } from '../../src/topics/text.js';
import { knownWordCount } from '../../src/topics/word-table.js';

// Analysis remembers every written word it has met, with its forms and each vocabulary's answer,
// in a table it shares across calls and empties when full. Whatever the table holds, an analysis
// must be the one a fresh table gives.

const vocabulary = (query: string) => {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(query);
  return vocabularyOf([compileQuery(parsed.query)]);
};

const doc = (text: string): MatchableDoc => ({
  title: 'NATO summit opens', summary: '', contentHtml: '', contentText: text,
  categories: ['World'], authors: ['Jane Doe'], feedTitle: 'Wire', feedId: 1, language: 'en',
});

const kept = (analyzed: AnalyzedDoc) =>
  Object.fromEntries(Object.entries(analyzed.fields).map(([name, field]) => [name, field.forms.map((f) => f.surface)]));

const SENTENCE = 'Allies back the missile defence plan at the NATO summit in Lisbon, officials said.';

describe('the table of known words', () => {
  it('reads a short text after a longer one without the longer one\'s characters', () => {
    expect(tokenize('Natoland summits and defences').map((t) => t.surface)).toEqual(['Natoland', 'summits', 'and', 'defences']);
    expect(tokenize('Nato').map((t) => t.surface)).toEqual(['Nato']);
    expect(tokenize('sum').map((t) => t.norm)).toEqual(['sum']);
  });

  it('tells apart words that share their first characters or their length', () => {
    expect(tokenize('defence defences defense Defence defenc').map((t) => t.surface))
      .toEqual(['defence', 'defences', 'defense', 'Defence', 'defenc']);
    expect(tokenize('abc abd abc').map((t) => t.norm)).toEqual(['abc', 'abd', 'abc']);
  });

  it('answers for each vocabulary, also when another analyzed in between', () => {
    const nato = vocabulary('NATO');
    const lisbon = vocabulary('Lisbon OR summit');
    const first = kept(analyzeDoc(doc(SENTENCE), nato));
    const other = kept(analyzeDoc(doc(SENTENCE), lisbon));
    expect(first.text).toEqual(['NATO']);
    expect(other.text).toEqual(['summit', 'Lisbon']);
    expect(kept(analyzeDoc(doc(SENTENCE), nato))).toEqual(first);
    expect(kept(analyzeDoc(doc(SENTENCE), null)).text).toHaveLength(tokenize(SENTENCE).length);
  });

  it('gives the same tokens and analyses after it has been emptied', () => {
    const nato = vocabulary('"missile defense" OR NATO');
    const before = { tokens: tokenize(SENTENCE), analysis: kept(analyzeDoc(doc(SENTENCE), nato)) };
    // More distinct words than the table holds (100,000), analyzed for the same vocabulary: it
    // empties itself on the way, and what it knew of the words before must not stick to the
    // words after.
    const words = Array.from({ length: 105_000 }, (_, i) => `w${i.toString(36)}x`);
    for (let i = 0; i < words.length; i += 5_000) analyzeDoc(doc(words.slice(i, i + 5_000).join(' ')), nato);
    expect(tokenize(SENTENCE)).toEqual(before.tokens);
    expect(kept(analyzeDoc(doc(SENTENCE), nato))).toEqual(before.analysis);
    expect(tokenize(`${words[3]} ${words[104_999]}`).map((t) => t.surface)).toEqual([words[3], words[104_999]]);
  });

  it('keeps a word wanted once a field when the table empties inside the field, under a number a word before it had', () => {
    const parsed = parseQuery('Lisbon AND Madrid');
    if (!parsed.ok) throw new Error('query');
    const query = compileQuery(parsed.query);
    const words = vocabularyOf([query]);
    const junk = (from: number, count: number) => Array.from({ length: count }, (_, i) => `q${(from + i).toString(36)}z`).join(' ');
    // A full table: each reading of the text below meets LISBON, fills the table and empties it,
    // and MADRID then takes the number LISBON had. It must not pass for a word this field has met.
    tokenize(junk(0, 100_000 - knownWordCount()));
    const text = `LISBON ${junk(200_000, 99_999)} MADRID`;
    const item: MatchableDoc = { ...doc(text), title: '', categories: [], authors: [], feedTitle: null };
    const full = matchQuery(query, analyzeDoc(item));
    expect(full).toEqual({ matched: true, terms: ['LISBON', 'MADRID'] });
    expect(matchQuery(query, analyzeDoc(item, words))).toEqual(full);
  });
});
