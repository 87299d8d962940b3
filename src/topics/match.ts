import type { AtomQuery, Query, QueryField } from './query.js';
import { americanSpelling } from './spelling.js';
import { foldWord, normalizeLanguage, tokenize, type AnalyzedDoc, type FieldTokens, type TextField } from './text.js';

/** Where an unprefixed term looks: what a reader sees as the item itself. */
export const DEFAULT_FIELDS: readonly TextField[] = ['title', 'text', 'category'];

/** Words in order (a single term is a one-word sequence); `exact` also pins the written forms. */
export interface WordsMatcher {
  kind: 'words';
  fields: readonly TextField[];
  norms: string[];
  exact: string[] | null;
}
export interface PrefixMatcher {
  kind: 'prefix';
  fields: readonly TextField[];
  /** Folded prefix, or the written prefix when exact. */
  prefix: string;
  exact: boolean;
}
export type AtomMatcher = WordsMatcher | PrefixMatcher;

/** A query with every term analyzed once, ready to run against any number of documents. */
export type CompiledQuery =
  | AtomMatcher
  | { kind: 'lang'; tag: string }
  | { kind: 'feed-id'; id: number }
  | { kind: 'near'; left: AtomMatcher; right: AtomMatcher; distance: number }
  | { kind: 'and' | 'or'; children: CompiledQuery[] }
  | { kind: 'not'; child: CompiledQuery }
  | { kind: 'nothing' };

function fieldsOf(field: QueryField | null): readonly TextField[] {
  if (field === null) return DEFAULT_FIELDS;
  return field === 'lang' ? [] : [field];
}

const withoutDots = (surface: string): string => surface.replace(/\./g, '');

function compileAtom(atom: AtomQuery): AtomMatcher | null {
  const fields = fieldsOf(atom.field);
  if (atom.type === 'term' && atom.prefix) {
    const written = atom.text.normalize('NFKC');
    return { kind: 'prefix', fields, prefix: atom.exact ? written : foldWord(written), exact: atom.exact };
  }
  const tokens = tokenize(atom.text);
  if (tokens.length === 0) return null;
  return {
    kind: 'words',
    fields,
    norms: tokens.map((t) => t.norm),
    exact: atom.exact ? tokens.map((t) => withoutDots(t.surface)) : null,
  };
}

/** Analyzes every term of a parsed query once. */
export function compileQuery(query: Query): CompiledQuery {
  switch (query.type) {
    case 'term':
    case 'phrase': {
      if (query.field === 'lang') return { kind: 'lang', tag: normalizeLanguage(query.text) };
      const atom = compileAtom(query) ?? { kind: 'nothing' };
      // `feed:12` names a feed by id, or a feed whose title has the word 12.
      if (query.field === 'feed' && query.type === 'term' && !query.prefix && /^\d+$/.test(query.text)) {
        return { kind: 'or', children: [{ kind: 'feed-id', id: Number(query.text) }, atom] };
      }
      return atom;
    }
    case 'near': {
      const left = query.left.field === 'lang' ? null : compileAtom(query.left);
      const right = query.right.field === 'lang' ? null : compileAtom(query.right);
      if (!left || !right) return { kind: 'nothing' };
      return { kind: 'near', left, right, distance: query.distance };
    }
    case 'and':
    case 'or':
      return { kind: query.type, children: query.children.map(compileQuery) };
    case 'not':
      return { kind: 'not', child: compileQuery(query.child) };
  }
}

/** A run of tokens [first, last] (token numbers) in one field. */
interface Occurrence {
  field: FieldTokens;
  first: number;
  last: number;
}

function wordsIn(m: WordsMatcher, field: FieldTokens, out: Occurrence[], firstOnly: boolean): void {
  const starts = field.byNorm.get(m.norms[0] as string);
  if (!starts) return;
  for (const first of starts) {
    if (sequenceAt(m, field, first)) {
      out.push({ field, first, last: first + m.norms.length - 1 });
      if (firstOnly) return;
    }
  }
}

function sequenceAt(m: WordsMatcher, field: FieldTokens, first: number): boolean {
  const start = field.positions[first] as number;
  for (let k = 0; k < m.norms.length; k++) {
    const i = first + k;
    if (k > 0 && (field.norms[i] !== m.norms[k] || field.positions[i] !== start + k || field.clauseStarts[i])) return false;
    if (m.exact && withoutDots(field.surfaces[i] as string) !== m.exact[k]) return false;
  }
  return true;
}

const BUCKET_KEY_LENGTH = 3;

// Non-exact prefix terms look words up by their first letters. The buckets are built for a field
// the first time a prefix term meets it, so items that meet no prefix term never pay for them.
const prefixBuckets = new WeakMap<FieldTokens, Map<string, number[]>>();

function bucketsOf(field: FieldTokens): Map<string, number[]> {
  let buckets = prefixBuckets.get(field);
  if (buckets) return buckets;
  buckets = new Map();
  const add = (key: string, i: number) => {
    const list = buckets?.get(key);
    if (list) list.push(i);
    else buckets?.set(key, [i]);
  };
  field.folded.forEach((folded, i) => {
    const key = folded.slice(0, BUCKET_KEY_LENGTH);
    add(key, i);
    const american = americanSpelling(folded).slice(0, BUCKET_KEY_LENGTH);
    if (american !== key) add(american, i);
  });
  prefixBuckets.set(field, buckets);
  return buckets;
}

function prefixAt(m: PrefixMatcher, field: FieldTokens, i: number): boolean {
  if (m.exact) return (field.surfaces[i] as string).startsWith(m.prefix);
  const folded = field.folded[i] as string;
  return folded.startsWith(m.prefix) || americanSpelling(folded).startsWith(m.prefix);
}

function prefixIn(m: PrefixMatcher, field: FieldTokens, out: Occurrence[], firstOnly: boolean): void {
  const useBuckets = !m.exact && m.prefix.length >= BUCKET_KEY_LENGTH;
  const candidates = useBuckets ? (bucketsOf(field).get(m.prefix.slice(0, BUCKET_KEY_LENGTH)) ?? []) : field.folded.keys();
  for (const i of candidates) {
    if (prefixAt(m, field, i)) {
      out.push({ field, first: i, last: i });
      if (firstOnly) return;
    }
  }
}

function occurrences(m: AtomMatcher, doc: AnalyzedDoc, fields: readonly TextField[], firstOnly: boolean): Occurrence[] {
  const out: Occurrence[] = [];
  for (const name of fields) {
    const field = doc.fields[name];
    if (m.kind === 'words') wordsIn(m, field, out, firstOnly);
    else prefixIn(m, field, out, firstOnly);
    if (firstOnly && out.length > 0) break;
  }
  return out;
}

const spanText = (o: Occurrence): string =>
  o.first === o.last ? (o.field.surfaces[o.first] as string) : o.field.surfaces.slice(o.first, o.last + 1).join(' ');

/** Occurrences that have a partner at most `distance` positions away; overlapping runs do not count. */
function nearOccurrences(left: Occurrence[], right: Occurrence[], distance: number, firstOnly: boolean): Occurrence[] {
  const out = new Set<Occurrence>();
  for (const l of left) {
    const lStart = l.field.positions[l.first] as number;
    const lEnd = l.field.positions[l.last] as number;
    for (const r of right) {
      if (r.field !== l.field) continue;
      const rStart = r.field.positions[r.first] as number;
      const rEnd = r.field.positions[r.last] as number;
      const gap = rStart > lEnd ? rStart - lEnd : lStart > rEnd ? lStart - rEnd : 0;
      if (gap >= 1 && gap <= distance) {
        out.add(l).add(r);
        if (firstOnly) return [...out];
      }
    }
  }
  return [...out];
}

function commonFields(a: AtomMatcher, b: AtomMatcher): TextField[] {
  return a.fields.filter((f) => b.fields.includes(f));
}

/** Evaluates a node; when `terms` is given, adds the surface text of what satisfied it. */
function evaluate(node: CompiledQuery, doc: AnalyzedDoc, terms: string[] | null): boolean {
  switch (node.kind) {
    case 'words':
    case 'prefix': {
      const found = occurrences(node, doc, node.fields, terms === null);
      if (terms) for (const o of found) terms.push(spanText(o));
      return found.length > 0;
    }
    case 'lang':
      return doc.language !== null && (doc.language === node.tag || doc.language.startsWith(node.tag + '-'));
    case 'feed-id':
      return doc.feedId === node.id;
    case 'near': {
      const fields = commonFields(node.left, node.right);
      const left = occurrences(node.left, doc, fields, false);
      if (left.length === 0) return false;
      const near = nearOccurrences(left, occurrences(node.right, doc, fields, false), node.distance, terms === null);
      if (terms) for (const o of near) terms.push(spanText(o));
      return near.length > 0;
    }
    case 'and': {
      const local: string[] | null = terms ? [] : null;
      for (const child of node.children) if (!evaluate(child, doc, local)) return false;
      if (terms && local) terms.push(...local);
      return true;
    }
    case 'or': {
      let matched = false;
      for (const child of node.children) {
        if (evaluate(child, doc, terms)) {
          matched = true;
          if (!terms) return true;
        }
      }
      return matched;
    }
    case 'not':
      return !evaluate(node.child, doc, null);
    case 'nothing':
      return false;
  }
}

/** Whether the document satisfies the query, and the document's words that made it so. */
export function matchQuery(compiled: CompiledQuery, doc: AnalyzedDoc): { matched: boolean; terms: string[] } {
  const terms: string[] = [];
  if (!evaluate(compiled, doc, terms)) return { matched: false, terms: [] };
  return { matched: true, terms: [...new Set(terms)] };
}

/** The cheaper test the topic index uses after narrowing: matched or not, no terms collected. */
export function queryMatches(compiled: CompiledQuery, doc: AnalyzedDoc): boolean {
  return evaluate(compiled, doc, null);
}
