import { describe, expect, it } from 'vitest';
import { analyzeDoc } from '../../src/topics/text.js';
import { buildTopicIndex, candidateTopics, matchTopics } from '../../src/topics/topic-index.js';
import { makeDoc } from './helpers.js';

const topics = [
  { slug: 'nato', query: 'NATO' },
  { slug: 'missile-defence', query: '"missile defence"' },
  { slug: 'not-sport', query: 'NOT category:sport' },
  { slug: 'peacekeeping', query: '=UN AND (peacekeep* OR "peace keeping")' },
  { slug: 'english-budget', query: 'lang:en budget' },
  { slug: 'broken', query: 'NATO AND' },
  { slug: 'feed-3', query: 'feed:3' },
  { slug: 'russia-not-nato', query: 'Russia -NATO' },
];
const index = buildTopicIndex(topics);
const slugs = (doc: Parameters<typeof makeDoc>[0]) => matchTopics(index, analyzeDoc(makeDoc(doc))).map((m) => m.slug);

describe('buildTopicIndex', () => {
  it('skips a topic whose query does not parse and reports it', () => {
    expect(index.rejected).toEqual([{ slug: 'broken', error: { message: 'expected term after AND at 8', position: 8 } }]);
    expect(index.topics.map((t) => t.slug)).not.toContain('broken');
  });

  it('puts a NOT-only query on the always-check list', () => {
    expect(index.alwaysCheck.map((n) => index.topics[n]?.slug)).toEqual(['not-sport']);
  });

  it('files a phrase under one of its words', () => {
    const filed = [...index.byNorm.entries()].filter(([, list]) => list.some((n) => index.topics[n]?.slug === 'missile-defence'));
    expect(filed).toHaveLength(1);
    expect(['missil', 'defens']).toContain(filed[0]?.[0]);
  });

  it('accepts an empty list', () => {
    const empty = buildTopicIndex([]);
    expect(matchTopics(empty, analyzeDoc(makeDoc({ title: 'NATO' })))).toEqual([]);
  });
});

describe('matchTopics', () => {
  it.each([
    ['an item meets the topics whose words it has', { title: 'NATO missile defence talks' }, ['nato', 'missile-defence', 'not-sport']],
    ['a NOT-only topic meets every item without the term', { title: 'Weather' }, ['not-sport']],
    ['a NOT-only topic skips items with the term', { title: 'Weather', categories: ['Sport'] }, []],
    ['prefix and exact terms are found through the index', { title: 'UN peacekeepers arrive' }, ['not-sport', 'peacekeeping']],
    ['a language topic is found through the index', { title: 'Budget day', language: 'en-GB' }, ['not-sport', 'english-budget']],
    ['a feed-id topic is found through the index', { title: 'x', feedId: 3 }, ['not-sport', 'feed-3']],
    ['a negated term does not hide a topic', { title: 'Russia' }, ['not-sport', 'russia-not-nato']],
  ])('%s', (_name, doc, expected) => {
    expect(slugs(doc)).toEqual(expected);
  });

  it('returns the words that matched', () => {
    expect(matchTopics(index, analyzeDoc(makeDoc({ title: "Nato's missile defences", categories: ['Sport'] })))).toEqual([
      { slug: 'nato', terms: ['Nato'] },
      { slug: 'missile-defence', terms: ['missile defences'] },
    ]);
  });

  it('narrows the candidates to topics that could match', () => {
    const candidates = candidateTopics(index, analyzeDoc(makeDoc({ title: 'Weather report' }))).map((n) => index.topics[n]?.slug);
    expect(candidates).toEqual(['not-sport']);
  });
});

describe('candidateTopics: narrowing before the query runs', () => {
  const narrow = buildTopicIndex([
    { slug: 'nato-russia', query: 'NATO Russia' },
    { slug: 'phrase', query: '"missile defence shield"' },
    { slug: 'prefix', query: 'peacekeep*' },
    { slug: 'either', query: 'NATO OR Russia' },
  ]);
  const candidates = (doc: Parameters<typeof makeDoc>[0]) =>
    candidateTopics(narrow, analyzeDoc(makeDoc(doc))).map((n) => narrow.topics[n]?.slug);

  it.each([
    ['an AND topic needs every conjunct present', { title: 'NATO meets' }, ['either']],
    ['an AND topic with every conjunct present', { title: 'NATO meets Russia' }, ['nato-russia', 'either']],
    ['a phrase needs all its words present', { title: 'missile shield' }, []],
    ['a phrase with all its words (in any order) is a candidate', { title: 'shield defence missile' }, ['phrase']],
    ['a prefix needs a word starting with the whole prefix', { title: 'peace talks' }, []],
    ['a prefix with such a word', { title: 'peacekeepers' }, ['prefix']],
  ])('%s', (_name, doc, expected) => {
    expect(candidates(doc)).toEqual(expected);
  });

  it('files an AND topic under its least shared clause', () => {
    const shared = buildTopicIndex([
      { slug: 'a', query: 'NATO Lisbon' },
      { slug: 'b', query: 'NATO Madrid' },
      { slug: 'c', query: 'NATO Vilnius' },
    ]);
    expect(shared.byNorm.has('nato')).toBe(false);
    expect([...shared.byNorm.keys()].sort()).toEqual(['lisbon', 'madrid', 'vilnius']);
  });
});
