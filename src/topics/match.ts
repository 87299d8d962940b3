import type { AtomQuery, Query, QueryField } from './query.js';
import { foldWord, normalizeLanguage, tokenize, type AnalyzedDoc, type FieldTokens, type TextField, type Vocabulary, type WordForms } from './text.js';

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
  /** The prefix's first code unit, -1 for an empty prefix: most words are turned away by it alone. */
  firstUnit: number;
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
    const prefix = atom.exact ? written : foldWord(written);
    return { kind: 'prefix', fields, prefix, firstUnit: prefix.length > 0 ? prefix.charCodeAt(0) : -1, exact: atom.exact };
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

/** The query's atoms: those of NEAR nodes in `near`, the others in `alone`. */
function collectAtoms(node: CompiledQuery, alone: AtomMatcher[], near: AtomMatcher[]): void {
  switch (node.kind) {
    case 'words':
    case 'prefix':
      alone.push(node);
      return;
    case 'near':
      near.push(node.left, node.right);
      return;
    case 'and':
    case 'or':
      for (const child of node.children) collectAtoms(child, alone, near);
      return;
    case 'not':
      collectAtoms(node.child, alone, near);
      return;
    case 'lang':
    case 'feed-id':
    case 'nothing':
      return;
  }
}

/**
 * The words any of the queries can look up: every term's norms (a term is found by its first
 * norm, a phrase continues through the others, `NOT` and NEAR terms included) and every word a
 * prefix term accepts. analyzeDoc keeps only these for matching these queries.
 *
 * A word is wanted at its first occurrence in each field only when no phrase or NEAR can use
 * it: a term of one word, or a prefix, finds an item by any one occurrence, and its matched
 * terms are the distinct written forms, one of which each entry of the word table is.
 */
export function vocabularyOf(queries: readonly CompiledQuery[]): Vocabulary {
  const alone: AtomMatcher[] = [];
  const near: AtomMatcher[] = [];
  for (const query of queries) collectAtoms(query, alone, near);
  // Norms whose every occurrence counts (phrases, NEAR), and those found by any one.
  const everyNorm = new Set<string>();
  const anyNorm = new Set<string>();
  const everyPrefix: PrefixMatcher[] = [];
  const anyPrefix: PrefixMatcher[] = [];
  for (const atom of near) {
    if (atom.kind === 'words') for (const norm of atom.norms) everyNorm.add(norm);
    else everyPrefix.push(atom);
  }
  for (const atom of alone) {
    if (atom.kind === 'prefix') anyPrefix.push(atom);
    else if (atom.norms.length === 1) anyNorm.add(atom.norms[0] as string);
    else for (const norm of atom.norms) everyNorm.add(norm);
  }
  const everyOccurrence = (forms: WordForms) => everyNorm.has(forms.norm) || everyPrefix.some((prefix) => prefixAccepts(prefix, forms));
  // analyzeDoc remembers each word's answers beside the word: no memory of its own here.
  return {
    keeps: (forms) => everyOccurrence(forms) || anyNorm.has(forms.norm) || anyPrefix.some((prefix) => prefixAccepts(prefix, forms)),
    firstOnly: (forms) => !everyOccurrence(forms),
  };
}

/** A run of tokens [first, last] (token numbers) in one field. */
interface Occurrence {
  field: FieldTokens;
  first: number;
  last: number;
}

/** Called with each occurrence's first and last token number; returning true stops the scan. */
type Visit = (first: number, last: number) => boolean;

function scanWords(m: WordsMatcher, field: FieldTokens, visit: Visit): void {
  const starts = field.byNorm.get(m.norms[0] as string);
  if (!starts) return;
  for (const first of starts) {
    if (sequenceAt(m, field, first) && visit(first, first + m.norms.length - 1)) return;
  }
}

function sequenceAt(m: WordsMatcher, field: FieldTokens, first: number): boolean {
  const start = field.positions[first] as number;
  for (let k = 0; k < m.norms.length; k++) {
    const i = first + k;
    const forms = field.forms[i];
    if (forms === undefined) return false;
    if (k > 0 && (forms.norm !== m.norms[k] || field.positions[i] !== start + k || field.clauseStarts[i])) return false;
    if (m.exact && withoutDots(forms.surface) !== m.exact[k]) return false;
  }
  return true;
}

function prefixAccepts(m: PrefixMatcher, forms: WordForms): boolean {
  // A scan of a field asks of every word, most of which start otherwise: their first code unit
  // turns them away without a call.
  const first = m.firstUnit;
  if (m.exact) return (first < 0 || forms.surface.charCodeAt(0) === first) && forms.surface.startsWith(m.prefix);
  if (first >= 0 && forms.folded.charCodeAt(0) !== first && forms.american.charCodeAt(0) !== first) return false;
  return forms.folded.startsWith(m.prefix) || forms.american.startsWith(m.prefix);
}

function prefixAt(m: PrefixMatcher, field: FieldTokens, i: number): boolean {
  return prefixAccepts(m, field.forms[i] as WordForms);
}

// A scan of the field: the topic index only offers a prefix topic to items that have a word
// starting with the prefix, so the scan usually finds one, and indexing words by their first
// letters for every item would cost more than these scans.
function scanPrefix(m: PrefixMatcher, field: FieldTokens, visit: Visit): void {
  for (let i = 0; i < field.forms.length; i++) {
    if (prefixAt(m, field, i) && visit(i, i)) return;
  }
}

function scan(m: AtomMatcher, field: FieldTokens, visit: Visit): void {
  if (m.kind === 'words') scanWords(m, field, visit);
  else scanPrefix(m, field, visit);
}

function hasAtom(m: AtomMatcher, doc: AnalyzedDoc): boolean {
  let found = false;
  for (const name of m.fields) {
    scan(m, doc.fields[name], () => (found = true));
    if (found) return true;
  }
  return false;
}

/**
 * Adds the written text of every occurrence to `terms`; whether there was any. The loops of
 * scanWords and scanPrefix, without a closure an atom and field: collecting terms is what nearly
 * every candidate topic does (generated news at 1,000 topics: 9.0 of an item's 9.8 candidates
 * match). With the closures, an "and" node's own array and a Set an answer, matching an item's
 * candidates took 11.4-13.3 µs an item (median 12.3), 10.1-11.4 so (median 10.4): 3,000 items,
 * the last two of four rounds in two processes a side.
 */
function collectAtom(m: AtomMatcher, doc: AnalyzedDoc, terms: string[]): boolean {
  const before = terms.length;
  for (const name of m.fields) {
    const field = doc.fields[name];
    if (m.kind === 'words') {
      const starts = field.byNorm.get(m.norms[0] as string);
      if (!starts) continue;
      const span = m.norms.length - 1;
      if (span === 0) {
        for (const first of starts) if (sequenceAt(m, field, first)) terms.push((field.forms[first] as WordForms).surface);
        continue;
      }
      // A phrase written as it was at the one before gives the same text: not joined again.
      let pushed = -1;
      for (const first of starts) {
        if (!sequenceAt(m, field, first) || (pushed >= 0 && sameForms(field, pushed, first, span))) continue;
        terms.push(fieldText(field, first, first + span));
        pushed = first;
      }
    } else {
      for (let i = 0; i < field.forms.length; i++) if (prefixAt(m, field, i)) terms.push((field.forms[i] as WordForms).surface);
    }
  }
  return terms.length > before;
}

function occurrences(m: AtomMatcher, doc: AnalyzedDoc, fields: readonly TextField[]): Occurrence[] {
  const out: Occurrence[] = [];
  for (const name of fields) {
    const field = doc.fields[name];
    scan(m, field, (first, last) => {
      out.push({ field, first, last });
      return false;
    });
  }
  return out;
}

/** The written words of tokens [first, last] of a field, joined by spaces. */
function fieldText(field: FieldTokens, first: number, last: number): string {
  let text = (field.forms[first] as WordForms).surface;
  for (let i = first + 1; i <= last; i++) text += ' ' + (field.forms[i] as WordForms).surface;
  return text;
}

/** Whether tokens [a, a + span] and [b, b + span] of a field are written alike, word for word. */
function sameForms(field: FieldTokens, a: number, b: number, span: number): boolean {
  for (let k = 0; k <= span; k++) if (field.forms[a + k] !== field.forms[b + k]) return false;
  return true;
}

function spanText(o: Occurrence): string {
  return fieldText(o.field, o.first, o.last);
}

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

/**
 * Evaluates a node; when `terms` is given, adds the surface text of what satisfied it. A node
 * that is not satisfied leaves `terms` as it found it.
 */
function evaluate(node: CompiledQuery, doc: AnalyzedDoc, terms: string[] | null): boolean {
  switch (node.kind) {
    case 'words':
    case 'prefix':
      return terms ? collectAtom(node, doc, terms) : hasAtom(node, doc);
    case 'lang':
      return doc.language !== null && (doc.language === node.tag || doc.language.startsWith(node.tag + '-'));
    case 'feed-id':
      return doc.feedId === node.id;
    case 'near': {
      const fields = commonFields(node.left, node.right);
      const left = occurrences(node.left, doc, fields);
      if (left.length === 0) return false;
      const near = nearOccurrences(left, occurrences(node.right, doc, fields), node.distance, terms === null);
      if (terms) for (const o of near) terms.push(spanText(o));
      return near.length > 0;
    }
    case 'and': {
      // What the children before a failing one added is taken back.
      const mark = terms ? terms.length : 0;
      for (const child of node.children) {
        if (!evaluate(child, doc, terms)) {
          if (terms) terms.length = mark;
          return false;
        }
      }
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
  return { matched: true, terms: distinct(terms) };
}

/** The terms without repeats, in order of first occurrence: a query's terms are a few words. */
function distinct(terms: string[]): string[] {
  if (terms.length > 16) return [...new Set(terms)];
  let kept = 0;
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i] as string;
    // A term met before is among the first `kept`, and found there first.
    if (terms.indexOf(term) >= kept) terms[kept++] = term;
  }
  terms.length = kept;
  return terms;
}

/** Matched or not, without collecting terms: cheaper, for counting and filtering. */
export function queryMatches(compiled: CompiledQuery, doc: AnalyzedDoc): boolean {
  return evaluate(compiled, doc, null);
}
