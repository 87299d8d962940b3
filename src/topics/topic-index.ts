import { compileQuery, matchQuery, vocabularyOf, type CompiledQuery } from './match.js';
import { parseQuery, type QuerySyntaxError } from './query.js';
import type { AnalyzedDoc, Vocabulary, WordForms } from './text.js';
import {
  requirementKeys,
  requirementsOf,
  requirementSize,
  type Requirement,
} from './topic-requirements.js';
import { buildScreen, markNorms, passesScreen, type TopicScreen } from './topic-screen.js';

// Ingest runs every new item against every topic. Each topic is filed under the keys of one
// clause any matching item must meet (topic-requirements.ts), so an item meets only the topics
// it could match; their other clauses are checked by set lookups before the query runs.

export interface TopicDefinition {
  slug: string;
  query: string;
}

/**
 * The topics at one moment: the definitions (what a save checks the topics stored then against),
 * the index built from them (whose data a worker thread is sent: topicIndexData), and a version
 * that changes whenever they do.
 */
export interface TopicSnapshot {
  version: number;
  definitions: TopicDefinition[];
  index: TopicIndex;
}

/** A topic whose query did not parse: left out of the index, reported to the caller. */
export interface RejectedTopic {
  slug: string;
  error: QuerySyntaxError;
}

export interface CompiledTopic {
  slug: string;
  compiled: CompiledQuery;
  /** Every clause a matching document meets. */
  clauses: Requirement[];
}

/** A topic filed under a prefix: a candidate when a document word starts with the whole prefix. */
export interface PrefixEntry {
  topic: number;
  prefix: string;
}

export const PREFIX_KEY_LENGTH = 3;

export interface TopicIndex {
  topics: CompiledTopic[];
  rejected: RejectedTopic[];
  byNorm: Map<string, number[]>;
  /** Prefix topics by the code of their prefix's first PREFIX_KEY_LENGTH letters (see prefixCode). */
  byPrefix: Map<number, PrefixEntry[]>;
  /** The lengths of the keys in byPrefix, so a document's words are looked up only at those. */
  prefixKeyLengths: number[];
  byLanguage: Map<string, number[]>;
  byFeedId: Map<number, number[]>;
  /** Topics with no requirement (e.g. `NOT sport`): checked against every item. */
  alwaysCheck: number[];
  /**
   * Scratch for candidateTopics: marks[n] === pass when topic n is already a candidate in this
   * pass. Reused so that matching an item allocates no per-topic array.
   */
  marks: Uint32Array;
  pass: number;
  /** Every topic's clauses, compact, checked before a candidate's query runs. */
  screen: TopicScreen;
  /**
   * The topics each word makes a candidate, by norm and by prefix, remembered per word: a word
   * met again (most words of news text) costs one lookup. Emptied when it grows past a bound.
   */
  byWord: Map<WordForms, readonly number[]>;
  /** The words any topic can look up: what an item's analysis needs to keep (text.ts). */
  vocabulary: Vocabulary;
}

const BY_WORD_LIMIT = 200_000;
const NONE: readonly number[] = [];

/**
 * The first `length` UTF-16 units of a word packed into one number (16 bits each, at most 3
 * units, so under 2^48). Looking a word up by number allocates no substring per word.
 */
export function prefixCode(word: string, length: number): number {
  let code = 0;
  for (let i = 0; i < length; i++) code = code * 65536 + word.charCodeAt(i);
  return code;
}

function file<K>(map: Map<K, number[]>, key: K, topic: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [topic]);
  else if (list[list.length - 1] !== topic) list.push(topic);
}

/** How many topics use each key: filing under the least shared keys keeps candidate lists short. */
function countKeys(topics: CompiledTopic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const topic of topics) {
    for (const key of new Set(topic.clauses.flatMap(requirementKeys))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function fileTopic(index: TopicIndex, n: number, clause: Requirement): void {
  for (const norm of clause.norms) file(index.byNorm, norm, n);
  for (const prefix of clause.prefixes) {
    const length = Math.min(prefix.length, PREFIX_KEY_LENGTH);
    const code = prefixCode(prefix, length);
    const entries = index.byPrefix.get(code);
    if (entries) entries.push({ topic: n, prefix });
    else index.byPrefix.set(code, [{ topic: n, prefix }]);
    if (!index.prefixKeyLengths.includes(length)) index.prefixKeyLengths.push(length);
  }
  for (const language of clause.languages) file(index.byLanguage, language, n);
  for (const id of clause.feedIds) file(index.byFeedId, id, n);
}

/** Parses and compiles every topic once. Topics whose query does not parse are skipped and listed in `rejected`. */
export function buildTopicIndex(topics: TopicDefinition[]): TopicIndex {
  const index: TopicIndex = {
    topics: [],
    rejected: [],
    byNorm: new Map(),
    byPrefix: new Map(),
    prefixKeyLengths: [],
    byLanguage: new Map(),
    byFeedId: new Map(),
    alwaysCheck: [],
    marks: new Uint32Array(0),
    pass: 0,
    screen: buildScreen([]),
    byWord: new Map(),
    vocabulary: vocabularyOf([]),
  };
  for (const topic of topics) {
    const parsed = parseQuery(topic.query);
    if (!parsed.ok) {
      index.rejected.push({ slug: topic.slug, error: parsed.error });
      continue;
    }
    const compiled = compileQuery(parsed.query);
    index.topics.push({ slug: topic.slug, compiled, clauses: requirementsOf(compiled) });
  }
  index.marks = new Uint32Array(index.topics.length);
  index.screen = buildScreen(index.topics.map((topic) => topic.clauses));
  index.vocabulary = vocabularyOf(index.topics.map((topic) => topic.compiled));
  const shared = countKeys(index.topics);
  const cost = (clause: Requirement) => requirementKeys(clause).reduce((sum, key) => sum + (shared.get(key) ?? 0), 0);
  index.topics.forEach((topic, n) => {
    if (topic.clauses.length === 0) index.alwaysCheck.push(n);
    // A topic with an empty clause can match nothing, so it is filed nowhere.
    else if (topic.clauses.every((c) => requirementSize(c) > 0)) {
      fileTopic(index, n, topic.clauses.reduce((a, b) => (cost(b) < cost(a) ? b : a)));
    }
  });
  return index;
}

/**
 * An index as it crosses to a worker thread (prepare-pool.ts): all of it but what holds functions
 * (the vocabulary) or only remembers (the words met). Built on the main thread, where the snapshot
 * needs it anyway: in a fresh process, as a worker starts, building an index of the bench's 1,000
 * topics took 61-96 ms, and reading this one's clone and making its vocabulary 16-27 ms.
 */
export type TopicIndexData = Omit<TopicIndex, 'byWord' | 'vocabulary'>;

export function topicIndexData(index: TopicIndex): TopicIndexData {
  const { byWord: _byWord, vocabulary: _vocabulary, ...data } = index;
  return data;
}

/** The index whose data another thread sent: a clone, whose scratch (the marks) is this thread's own. */
export function topicIndexFrom(data: TopicIndexData): TopicIndex {
  // Pass 1 comes next, which clears the marks and the screen's marks as the sender left them.
  return { ...data, pass: 0, byWord: new Map(), vocabulary: vocabularyOf(data.topics.map((topic) => topic.compiled)) };
}

/** The topics filed under the word's norm, or under a prefix of its folded or American spelling. */
function topicsOfWord(index: TopicIndex, word: WordForms): readonly number[] {
  const found = new Set(index.byNorm.get(word.norm));
  for (const spelling of word.folded === word.american ? [word.folded] : [word.folded, word.american]) {
    for (const k of index.prefixKeyLengths) {
      if (spelling.length < k) continue;
      const entries = index.byPrefix.get(prefixCode(spelling, k));
      if (entries) for (const entry of entries) if (spelling.startsWith(entry.prefix)) found.add(entry.topic);
    }
  }
  return found.size === 0 ? NONE : [...found];
}

/** Numbers of the topics the document could match, ascending. */
export function candidateTopics(index: TopicIndex, doc: AnalyzedDoc): number[] {
  const marks = index.marks;
  const pass = (index.pass = index.pass >= 0xffffffff ? 1 : index.pass + 1);
  if (pass === 1) marks.fill(0);
  const found: number[] = [];
  const addOne = (n: number) => {
    if (marks[n] !== pass) {
      marks[n] = pass;
      found.push(n);
    }
  };
  const add = (list: number[] | undefined) => {
    if (list) for (const n of list) addOne(n);
  };
  add(index.alwaysCheck);
  for (const word of doc.words) {
    let list = index.byWord.get(word);
    if (list === undefined) {
      if (index.byWord.size >= BY_WORD_LIMIT) index.byWord.clear();
      index.byWord.set(word, (list = topicsOfWord(index, word)));
    }
    for (let i = 0; i < list.length; i++) addOne(list[i] as number);
  }
  if (doc.language !== null && index.byLanguage.size > 0) {
    const subtags = doc.language.split('-');
    for (let k = 1; k <= subtags.length; k++) add(index.byLanguage.get(subtags.slice(0, k).join('-')));
  }
  if (doc.feedId !== null) add(index.byFeedId.get(doc.feedId));
  const candidates: number[] = [];
  markNorms(index.screen, doc, pass);
  for (const n of found) if (passesScreen(index.screen, n, doc, pass)) candidates.push(n);
  return sortAscending(candidates);
}

/**
 * Sorts a few numbers in place: an item has ~10 candidates, and Array.prototype.sort's call of
 * a comparator for each comparison cost as much as screening them.
 */
function sortAscending(numbers: number[]): number[] {
  for (let i = 1; i < numbers.length; i++) {
    const n = numbers[i] as number;
    let j = i - 1;
    for (; j >= 0 && (numbers[j] as number) > n; j--) numbers[j + 1] = numbers[j] as number;
    numbers[j + 1] = n;
  }
  return numbers;
}

/** The topics a document belongs to, in the order they were defined, each with the words that matched. */
export function matchTopics(index: TopicIndex, doc: AnalyzedDoc): { slug: string; terms: string[] }[] {
  const matches: { slug: string; terms: string[] }[] = [];
  for (const n of candidateTopics(index, doc)) {
    const topic = index.topics[n] as CompiledTopic;
    const result = matchQuery(topic.compiled, doc);
    if (result.matched) matches.push({ slug: topic.slug, terms: result.terms });
  }
  return matches;
}
