import { lexQuery, type Lexeme, type QueryField } from './query-lexer.js';
import { tokenize } from './text.js';

export type { QueryField } from './query-lexer.js';

/** A word: `NATO`, `title:NATO`, `defen*` (prefix), `=US` (exact form). */
export interface TermQuery {
  type: 'term';
  field: QueryField | null;
  text: string;
  exact: boolean;
  prefix: boolean;
}
/** Words in order: `"missile defence"`, `="Foo Bar"` (exact forms). */
export interface PhraseQuery {
  type: 'phrase';
  field: QueryField | null;
  text: string;
  exact: boolean;
}
export type AtomQuery = TermQuery | PhraseQuery;
/** Two atoms at most `distance` word positions apart, either order. */
export interface NearQuery {
  type: 'near';
  left: AtomQuery;
  right: AtomQuery;
  distance: number;
}
export type Query =
  | AtomQuery
  | NearQuery
  | { type: 'and'; children: Query[] }
  | { type: 'or'; children: Query[] }
  | { type: 'not'; child: Query };

export interface QuerySyntaxError {
  message: string;
  position: number;
}
export type QueryParse = { ok: true; query: Query; normalized: string } | { ok: false; error: QuerySyntaxError };

class SyntaxFailure extends Error {
  constructor(readonly position: number, message: string) {
    super(`${message} at ${position}`);
  }
}

const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** Parses the query language (documented in the README, "Topic queries"). Never throws: errors carry their position. */
export function parseQuery(text: string): QueryParse {
  const lexed = lexQuery(text);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  try {
    const query = new Parser(lexed.lexemes, text.length).parseAll();
    return { ok: true, query, normalized: formatQuery(query) };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: { message: err.message, position: err.position } };
    throw err;
  }
}

const OPERATOR_NAMES: Partial<Record<Lexeme['kind'], string>> = { and: 'AND', or: 'OR', not: 'NOT', minus: '"-"' };

class Parser {
  private i = 0;
  constructor(private readonly lexemes: Lexeme[], private readonly end: number) {}

  parseAll(): Query {
    const query = this.parseOr(null);
    const next = this.peek();
    if (next) throw new SyntaxFailure(next.pos, next.kind === 'close' ? 'unbalanced ")"' : 'expected AND, OR or end of query');
    return query;
  }

  private peek(): Lexeme | undefined {
    return this.lexemes[this.i];
  }

  private here(): number {
    return this.peek()?.pos ?? this.end;
  }

  private parseOr(field: QueryField | null): Query {
    const children = [this.parseAnd(field)];
    while (this.peek()?.kind === 'or') {
      this.i++;
      this.expectOperand('OR');
      children.push(this.parseAnd(field));
    }
    return group('or', children);
  }

  private parseAnd(field: QueryField | null): Query {
    const children = [this.parseUnary(field)];
    for (;;) {
      const next = this.peek();
      if (next?.kind === 'and') {
        this.i++;
        this.expectOperand('AND');
      } else if (!next || !startsOperand(next)) {
        break;
      }
      children.push(this.parseUnary(field));
    }
    return group('and', children);
  }

  private expectOperand(after: string): void {
    const next = this.peek();
    if (!next || !startsOperand(next)) throw new SyntaxFailure(this.here(), `expected term after ${after}`);
  }

  private parseUnary(field: QueryField | null): Query {
    const next = this.peek();
    if (next?.kind === 'not' || next?.kind === 'minus') {
      this.i++;
      this.expectOperand(OPERATOR_NAMES[next.kind] as string);
      const child = next.kind === 'not' ? this.parseUnary(field) : this.parsePrimary(field);
      return { type: 'not', child };
    }
    return this.parsePrimary(field);
  }

  private parsePrimary(field: QueryField | null): Query {
    const next = this.peek();
    if (!next) throw new SyntaxFailure(this.end, 'expected term');
    if (next.kind === 'open') {
      this.i++;
      const inner = this.parseOr(field);
      if (this.peek()?.kind !== 'close') throw new SyntaxFailure(next.pos, 'expected ")" to close "("');
      this.i++;
      return inner;
    }
    if (next.kind === 'field') {
      this.i++;
      const after = this.peek();
      if (!after || !(after.kind === 'open' || after.kind === 'word' || after.kind === 'phrase')) {
        throw new SyntaxFailure(this.here(), `expected term after ${next.field}:`);
      }
      return this.parsePrimary(next.field);
    }
    if (next.kind === 'word' || next.kind === 'phrase') return this.parseNearChain(field);
    if (next.kind === 'close') throw new SyntaxFailure(next.pos, 'unbalanced ")"');
    const name = next.kind === 'near' ? `NEAR/${next.distance}` : (OPERATOR_NAMES[next.kind] ?? next.kind);
    throw new SyntaxFailure(next.pos, `expected term before ${name}`);
  }

  /** `a NEAR/3 b NEAR/2 c` means (a NEAR/3 b) AND (b NEAR/2 c). */
  private parseNearChain(field: QueryField | null): Query {
    let left = this.parseAtom(field);
    const pairs: NearQuery[] = [];
    for (let near = this.peek(); near?.kind === 'near'; near = this.peek()) {
      this.i++;
      let atomField = field;
      const fieldLexeme = this.peek();
      if (fieldLexeme?.kind === 'field') {
        atomField = fieldLexeme.field;
        this.i++;
      }
      const operand = this.peek();
      if (!operand || !(operand.kind === 'word' || operand.kind === 'phrase')) {
        throw new SyntaxFailure(this.here(), `expected term or phrase after NEAR/${near.distance}`);
      }
      const right = this.parseAtom(atomField);
      if (left.field === 'lang' || right.field === 'lang') {
        throw new SyntaxFailure(near.pos, `NEAR/${near.distance} needs words on both sides, not lang:`);
      }
      pairs.push({ type: 'near', left, right, distance: near.distance });
      left = right;
    }
    if (pairs.length === 0) return left;
    return group('and', pairs);
  }

  private parseAtom(field: QueryField | null): AtomQuery {
    const lexeme = this.lexemes[this.i++] as Extract<Lexeme, { kind: 'word' | 'phrase' }>;
    const words = tokenize(lexeme.text);
    if (field === 'lang') {
      if (lexeme.kind !== 'word' || lexeme.exact || lexeme.prefix || !LANGUAGE_TAG.test(lexeme.text)) {
        throw new SyntaxFailure(lexeme.pos, 'expected a language tag like en or en-gb after lang:');
      }
    } else if (words.length === 0) {
      throw new SyntaxFailure(lexeme.pos, 'expected letters or digits in term');
    }
    if (lexeme.kind === 'phrase') return { type: 'phrase', field, text: lexeme.text, exact: lexeme.exact };
    if (lexeme.prefix && (words.length !== 1 || words[0]?.surface !== lexeme.text.normalize('NFKC'))) {
      throw new SyntaxFailure(lexeme.pos, 'expected one word before "*"');
    }
    return { type: 'term', field, text: lexeme.text, exact: lexeme.exact, prefix: lexeme.prefix };
  }
}

function startsOperand(lexeme: Lexeme): boolean {
  return ['open', 'field', 'word', 'phrase', 'not', 'minus'].includes(lexeme.kind);
}

function group(type: 'and' | 'or', children: Query[]): Query {
  const flat = children.flatMap((child) => (child.type === type ? child.children : [child]));
  return flat.length === 1 ? (flat[0] as Query) : { type, children: flat };
}

function formatAtom(atom: AtomQuery): string {
  const field = atom.field ? `${atom.field}:` : '';
  const exact = atom.exact ? '=' : '';
  if (atom.type === 'phrase') return `${field}${exact}"${atom.text}"`;
  return `${field}${exact}${atom.text}${atom.prefix ? '*' : ''}`;
}

/** The canonical text of a query: explicit AND, fields on every term; parses back to the same query. */
export function formatQuery(query: Query): string {
  switch (query.type) {
    case 'term':
    case 'phrase':
      return formatAtom(query);
    case 'near':
      return `${formatAtom(query.left)} NEAR/${query.distance} ${formatAtom(query.right)}`;
    case 'not':
      return `NOT ${query.child.type === 'and' || query.child.type === 'or' ? `(${formatQuery(query.child)})` : formatQuery(query.child)}`;
    case 'and':
      return query.children.map((c) => (c.type === 'or' ? `(${formatQuery(c)})` : formatQuery(c))).join(' AND ');
    case 'or':
      return query.children.map(formatQuery).join(' OR ');
  }
}
