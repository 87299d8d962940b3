import type { AnalyzedDoc } from './text.js';
import { mayMeet, type Requirement } from './topic-requirements.js';

// Every candidate topic's clauses are checked against the document before its query runs: about
// 80 candidates an item, most of them turned away. Reading each clause as objects (arrays of
// norms, of prefixes, of languages) cost a cache miss per array, since an item's own work evicts
// the index between items. Here the clauses that only name norms, nearly all of them, are numbers
// in one array, and the document's norms are marks in another.

export interface TopicScreen {
  /** Every norm some clause names, numbered. */
  normNumbers: Map<string, number>;
  /** Topic n's clauses of norms only are data[start[n], start[n + 1]): each a count, then that many norm numbers. */
  start: Int32Array;
  data: Int32Array;
  /** Per topic, its clauses with a language or a feed id (and no prefix), checked as objects; null when none. */
  others: (Requirement[] | null)[];
  /** normMarks[k] === the pass when the document being screened has norm k. */
  normMarks: Uint32Array;
}

/** The screen of the topics' clauses, topic n's at n. A clause with a prefix counts as met (see mayMeet). */
export function buildScreen(clausesByTopic: Requirement[][]): TopicScreen {
  const normNumbers = new Map<string, number>();
  const numberOf = (norm: string): number => {
    let k = normNumbers.get(norm);
    if (k === undefined) normNumbers.set(norm, (k = normNumbers.size));
    return k;
  };
  const start = new Int32Array(clausesByTopic.length + 1);
  const data: number[] = [];
  const others: (Requirement[] | null)[] = [];
  clausesByTopic.forEach((clauses, n) => {
    start[n] = data.length;
    let rest: Requirement[] | null = null;
    for (const clause of clauses) {
      if (clause.prefixes.length > 0) continue;
      if (clause.languages.length > 0 || clause.feedIds.length > 0) (rest ??= []).push(clause);
      else data.push(clause.norms.length, ...clause.norms.map(numberOf));
    }
    others.push(rest);
  });
  start[clausesByTopic.length] = data.length;
  return { normNumbers, start, data: Int32Array.from(data), others, normMarks: new Uint32Array(normNumbers.size) };
}

/** Marks the document's norms for this pass (a number no earlier screening of this screen used, or 1 after a reset). */
export function markNorms(screen: TopicScreen, doc: AnalyzedDoc, pass: number): void {
  if (pass === 1) screen.normMarks.fill(0);
  for (const norm of doc.norms) {
    const k = screen.normNumbers.get(norm);
    if (k !== undefined) screen.normMarks[k] = pass;
  }
}

/** Whether the document marked in this pass may meet every clause of topic n: mayMeet of each. */
export function passesScreen(screen: TopicScreen, n: number, doc: AnalyzedDoc, pass: number): boolean {
  const { data, normMarks } = screen;
  const end = screen.start[n + 1]!;
  for (let at = screen.start[n]!; at < end;) {
    const count = data[at++]!;
    let met = false;
    for (let i = 0; i < count; i++) {
      if (normMarks[data[at + i]!] === pass) {
        met = true;
        break;
      }
    }
    if (!met) return false;
    at += count;
  }
  const others = screen.others[n];
  return others === null || others === undefined || others.every((clause) => mayMeet(doc, clause));
}
