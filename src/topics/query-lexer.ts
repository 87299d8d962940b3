// Splits a query into lexemes with their offsets. Errors are values: the first problem found,
// with the position it was found at.

export type QueryField = 'title' | 'text' | 'author' | 'category' | 'feed' | 'lang';
const FIELDS = new Set<string>(['title', 'text', 'author', 'category', 'feed', 'lang']);

export type Lexeme =
  | { kind: 'open' | 'close' | 'and' | 'or' | 'not' | 'minus'; pos: number }
  | { kind: 'near'; distance: number; pos: number }
  | { kind: 'field'; field: QueryField; pos: number }
  | { kind: 'word'; text: string; exact: boolean; prefix: boolean; pos: number }
  | { kind: 'phrase'; text: string; exact: boolean; pos: number };

export interface LexError {
  message: string;
  position: number;
}

export const MAX_NEAR = 100;

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);
// A bare word runs until whitespace, a parenthesis or a quote.
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && !/[\s()"]/.test(ch);

export function lexQuery(text: string): { ok: true; lexemes: Lexeme[] } | { ok: false; error: LexError } {
  const lexemes: Lexeme[] = [];
  const fail = (message: string, position: number) => ({ ok: false as const, error: { message, position } });
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (isSpace(ch)) { i++; continue; }
    if (ch === '(') { lexemes.push({ kind: 'open', pos: i++ }); continue; }
    if (ch === ')') { lexemes.push({ kind: 'close', pos: i++ }); continue; }
    if (ch === '-' && (isWordChar(text[i + 1]) || text[i + 1] === '"' || text[i + 1] === '(')) {
      lexemes.push({ kind: 'minus', pos: i++ });
      continue;
    }
    if (ch === '-') return fail(`expected term after "-" at ${i + 1}`, i + 1);
    let exact = false;
    const start = i;
    if (ch === '=') {
      exact = true;
      i++;
      if (!isWordChar(text[i]) && text[i] !== '"') return fail(`expected term after "=" at ${i}`, i);
    }
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close === -1) return fail(`unclosed quote at ${i}`, i);
      const phrase = text.slice(i + 1, close).trim().replace(/\s+/g, ' ');
      if (phrase === '') return fail(`empty phrase at ${i}`, i);
      lexemes.push({ kind: 'phrase', text: phrase, exact, pos: start });
      i = close + 1;
      continue;
    }
    let end = i;
    while (isWordChar(text[end])) end++;
    const run = text.slice(i, end);
    if (!exact) {
      const field = /^([A-Za-z]+):/.exec(run);
      if (field) {
        const name = (field[1] as string).toLowerCase();
        if (!FIELDS.has(name)) return fail(`unknown field "${field[1]}" at ${i}`, i);
        lexemes.push({ kind: 'field', field: name as QueryField, pos: i });
        i += field[0].length;
        // "title: NATO" would otherwise search every field for NATO, silently.
        if (!isWordChar(text[i]) && text[i] !== '"' && text[i] !== '(') return fail(`expected term after ${name}: at ${i}`, i);
        continue;
      }
      if (run === 'AND' || run === 'OR' || run === 'NOT') {
        lexemes.push({ kind: run.toLowerCase() as 'and' | 'or' | 'not', pos: i });
        i = end;
        continue;
      }
      if (run.startsWith('NEAR/')) {
        const distance = /^NEAR\/(\d+)$/.exec(run) ? Number(run.slice(5)) : NaN;
        if (!(distance >= 1 && distance <= MAX_NEAR)) {
          return fail(`expected a number from 1 to ${MAX_NEAR} after NEAR/ at ${i + 5}`, i + 5);
        }
        lexemes.push({ kind: 'near', distance, pos: i });
        i = end;
        continue;
      }
    }
    const prefix = run.endsWith('*');
    const word = prefix ? run.slice(0, -1) : run;
    if (word === '') return fail(`expected letters before "*" at ${end - 1}`, end - 1);
    lexemes.push({ kind: 'word', text: word, exact, prefix, pos: start });
    i = end;
  }
  return { ok: true, lexemes };
}
