import { compileQuery, matchQuery, type AtomMatcher, type CompiledQuery } from './match.js';
import { parseQuery, type QuerySyntaxError } from './query.js';
import { foldWord, type AnalyzedDoc } from './text.js';

// Ingest runs every new item against every topic. Each topic is filed under keys that any
// matching item must have (its "required set"), so an item meets only the topics it could match.

export interface TopicDefinition {
  slug: string;
  query: string;
}

/** A topic whose query did not parse: left out of the index, reported to the caller. */
export interface RejectedTopic {
  slug: string;
  error: QuerySyntaxError;
}

/** Keys a document must have at least one of for a query to match it. */
export interface Requirement {
  norms: string[];
  /** Prefix terms, filed under their first PREFIX_KEY_LENGTH letters. */
  prefixes: string[];
  /** Language subtag prefixes: "en", "en-gb". */
  languages: string[];
  feedIds: number[];
}

export interface CompiledTopic {
  slug: string;
  compiled: CompiledQuery;
}

export interface TopicIndex {
  topics: CompiledTopic[];
  rejected: RejectedTopic[];
  byNorm: Map<string, number[]>;
  byPrefix: Map<string, number[]>;
  /** The lengths of the keys in byPrefix, so a document's words are sliced only to those. */
  prefixKeyLengths: number[];
  byLanguage: Map<string, number[]>;
  byFeedId: Map<number, number[]>;
  /** Topics with no required set (e.g. `NOT sport`): checked against every item. */
  alwaysCheck: number[];
}

export const PREFIX_KEY_LENGTH = 3;

const emptyRequirement = (): Requirement => ({ norms: [], prefixes: [], languages: [], feedIds: [] });
const size = (r: Requirement): number => r.norms.length + r.prefixes.length + r.languages.length + r.feedIds.length;

function atomRequirement(atom: AtomMatcher): Requirement {
  const r = emptyRequirement();
  if (atom.kind === 'prefix') {
    // An exact prefix ("=Nat*") still files under the folded form: the document's words set holds folded forms.
    r.prefixes.push((atom.exact ? foldWord(atom.prefix) : atom.prefix).slice(0, PREFIX_KEY_LENGTH));
  } else {
    // Any one word of a phrase must be present; the longest is usually the rarest.
    const longest = atom.norms.reduce((a, b) => (b.length > a.length ? b : a));
    r.norms.push(longest);
  }
  return r;
}

/** The required set of a compiled query, or null when no set exists (negations). */
export function requirementOf(node: CompiledQuery): Requirement | null {
  switch (node.kind) {
    case 'words':
    case 'prefix':
      return atomRequirement(node);
    case 'lang':
      return { ...emptyRequirement(), languages: [node.tag] };
    case 'feed-id':
      return { ...emptyRequirement(), feedIds: [node.id] };
    case 'near': {
      const left = atomRequirement(node.left);
      const right = atomRequirement(node.right);
      return size(right) < size(left) ? right : left;
    }
    case 'and': {
      let best: Requirement | null = null;
      for (const child of node.children) {
        const r = requirementOf(child);
        if (r && (best === null || size(r) < size(best))) best = r;
      }
      return best;
    }
    case 'or': {
      const union = emptyRequirement();
      for (const child of node.children) {
        const r = requirementOf(child);
        if (r === null) return null;
        union.norms.push(...r.norms);
        union.prefixes.push(...r.prefixes);
        union.languages.push(...r.languages);
        union.feedIds.push(...r.feedIds);
      }
      return union;
    }
    case 'not':
      return null;
    case 'nothing':
      return emptyRequirement(); // matches no document, so needs no key
  }
}

function file<K>(map: Map<K, number[]>, key: K, topic: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [topic]);
  else if (list[list.length - 1] !== topic) list.push(topic);
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
  };
  for (const topic of topics) {
    const parsed = parseQuery(topic.query);
    if (!parsed.ok) {
      index.rejected.push({ slug: topic.slug, error: parsed.error });
      continue;
    }
    const compiled = compileQuery(parsed.query);
    const n = index.topics.push({ slug: topic.slug, compiled }) - 1;
    const required = requirementOf(compiled);
    if (required === null) {
      index.alwaysCheck.push(n);
      continue;
    }
    for (const norm of required.norms) file(index.byNorm, norm, n);
    for (const prefix of required.prefixes) {
      file(index.byPrefix, prefix, n);
      if (!index.prefixKeyLengths.includes(prefix.length)) index.prefixKeyLengths.push(prefix.length);
    }
    for (const language of required.languages) file(index.byLanguage, language, n);
    for (const id of required.feedIds) file(index.byFeedId, id, n);
  }
  return index;
}

/** Numbers of the topics the document could match, ascending. */
export function candidateTopics(index: TopicIndex, doc: AnalyzedDoc): number[] {
  const found = new Set<number>(index.alwaysCheck);
  const add = (list: number[] | undefined) => {
    if (list) for (const n of list) found.add(n);
  };
  for (const norm of doc.norms) add(index.byNorm.get(norm));
  for (const k of index.prefixKeyLengths) {
    for (const word of doc.words) if (word.length >= k) add(index.byPrefix.get(word.slice(0, k)));
  }
  if (doc.language !== null && index.byLanguage.size > 0) {
    const subtags = doc.language.split('-');
    for (let k = 1; k <= subtags.length; k++) add(index.byLanguage.get(subtags.slice(0, k).join('-')));
  }
  if (doc.feedId !== null) add(index.byFeedId.get(doc.feedId));
  return [...found].sort((a, b) => a - b);
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
