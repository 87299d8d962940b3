import type { AtomMatcher, CompiledQuery } from './match.js';
import { foldWord, type AnalyzedDoc } from './text.js';

// What a document must contain for a query to have a chance of matching it, as clauses that must
// all hold, each met by any one of its keys (conjunctive normal form, kept small). The topic
// index files each topic under one clause's keys and checks the other clauses with a few set
// lookups before running the query itself.

/** One clause: a matching document has at least one of these. */
export interface Requirement {
  norms: string[];
  /** Prefix terms, folded: met by a document word (folded or American spelling) starting with one. */
  prefixes: string[];
  /** Language tags, met by the tag or any longer one ("en" by "en-gb"). */
  languages: string[];
  feedIds: number[];
}

export const emptyRequirement = (): Requirement => ({ norms: [], prefixes: [], languages: [], feedIds: [] });
export const requirementSize = (r: Requirement): number =>
  r.norms.length + r.prefixes.length + r.languages.length + r.feedIds.length;

/** Keys with their kind, for counting how many topics share one. */
export function requirementKeys(r: Requirement): string[] {
  return [
    ...r.norms.map((k) => `n:${k}`),
    ...r.prefixes.map((k) => `p:${k}`),
    ...r.languages.map((k) => `l:${k}`),
    ...r.feedIds.map((k) => `f:${k}`),
  ];
}

function atomRequirements(atom: AtomMatcher): Requirement[] {
  if (atom.kind === 'prefix') {
    // An exact prefix ("=Nat*") is required in its folded form too: documents list folded words.
    return [{ ...emptyRequirement(), prefixes: [atom.exact ? foldWord(atom.prefix) : atom.prefix] }];
  }
  // Every word of a phrase must be present: a clause per distinct word.
  return [...new Set(atom.norms)].map((norm) => ({ ...emptyRequirement(), norms: [norm] }));
}

function merge(into: Requirement, from: Requirement): void {
  into.norms.push(...from.norms);
  into.prefixes.push(...from.prefixes);
  into.languages.push(...from.languages);
  into.feedIds.push(...from.feedIds);
}

/**
 * The clauses of a compiled query. No clauses: no requirement (`NOT sport` can match anything).
 * An empty clause: the query can match nothing.
 */
export function requirementsOf(node: CompiledQuery): Requirement[] {
  switch (node.kind) {
    case 'words':
    case 'prefix':
      return atomRequirements(node);
    case 'lang':
      return [{ ...emptyRequirement(), languages: [node.tag] }];
    case 'feed-id':
      return [{ ...emptyRequirement(), feedIds: [node.id] }];
    case 'near':
      return [...atomRequirements(node.left), ...atomRequirements(node.right)];
    case 'and':
      return node.children.flatMap(requirementsOf);
    case 'or': {
      // A matching document meets one branch, so it has a key of that branch's narrowest clause.
      const union = emptyRequirement();
      for (const child of node.children) {
        const clauses = requirementsOf(child);
        if (clauses.length === 0) return [];
        if (clauses.some((c) => requirementSize(c) === 0)) continue; // this branch never matches
        merge(union, clauses.reduce((a, b) => (requirementSize(b) < requirementSize(a) ? b : a)));
      }
      return [union];
    }
    case 'not':
      return [];
    case 'nothing':
      return [emptyRequirement()];
  }
}

/**
 * Whether the document could meet the clause. Prefixes count as met: checking them costs a scan
 * of the document's words, and the query itself settles it.
 */
export function mayMeet(doc: AnalyzedDoc, clause: Requirement): boolean {
  if (clause.prefixes.length > 0) return true;
  for (const norm of clause.norms) if (doc.norms.has(norm)) return true;
  const language = doc.language;
  if (language !== null) {
    for (const tag of clause.languages) if (language === tag || language.startsWith(tag + '-')) return true;
  }
  return doc.feedId !== null && clause.feedIds.includes(doc.feedId);
}
