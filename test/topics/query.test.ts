import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, matchQuery } from '../../src/topics/match.js';
import { parseQuery, type Query } from '../../src/topics/query.js';
import { analyzeDoc } from '../../src/topics/text.js';

function parsed(text: string): { query: Query; normalized: string } {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(`did not parse: ${result.error.message}`);
  return result;
}

type TermQuery = Extract<Query, { type: 'term' }>;
const term = (text: string, extra: Partial<TermQuery> = {}): TermQuery => ({
  type: 'term', field: null, text, exact: false, prefix: false, ...extra,
});

describe('parseQuery: structure', () => {
  it.each<[string, string, Query]>([
    ['a single term', 'NATO', term('NATO')],
    ['a phrase', '"missile  defence"', { type: 'phrase', field: null, text: 'missile defence', exact: false }],
    ['adjacent terms mean AND', 'NATO Russia', { type: 'and', children: [term('NATO'), term('Russia')] }],
    ['explicit AND', 'NATO AND Russia', { type: 'and', children: [term('NATO'), term('Russia')] }],
    ['OR', 'NATO OR OTAN', { type: 'or', children: [term('NATO'), term('OTAN')] }],
    ['lower-case operators are words', 'war and peace', { type: 'and', children: [term('war'), term('and'), term('peace')] }],
    ['AND binds tighter than OR', 'a b OR c', { type: 'or', children: [{ type: 'and', children: [term('a'), term('b')] }, term('c')] }],
    ['NOT binds tighter than AND', 'NOT a b', { type: 'and', children: [{ type: 'not', child: term('a') }, term('b')] }],
    ['-term is NOT', 'NATO -Russia', { type: 'and', children: [term('NATO'), { type: 'not', child: term('Russia') }] }],
    ['a hyphen inside a word is not NOT', 'anti-NATO', term('anti-NATO')],
    ['parentheses group', 'a (b OR c)', { type: 'and', children: [term('a'), { type: 'or', children: [term('b'), term('c')] }] }],
    ['a field', 'title:NATO', term('NATO', { field: 'title' })],
    ['field names ignore case', 'Title:NATO', term('NATO', { field: 'title' })],
    ['a field on a phrase', 'text:"missile defence"', { type: 'phrase', field: 'text', text: 'missile defence', exact: false }],
    ['a field on a group applies to its terms', 'author:(Smith OR Jones)', { type: 'or', children: [term('Smith', { field: 'author' }), term('Jones', { field: 'author' })] }],
    ['a prefix', 'defen*', term('defen', { prefix: true })],
    ['an exact form', '=US', term('US', { exact: true })],
    ['an exact phrase', '="New York"', { type: 'phrase', field: null, text: 'New York', exact: true }],
    ['a language', 'lang:en-GB', term('en-GB', { field: 'lang' })],
    ['NEAR', 'missile NEAR/3 shield', { type: 'near', left: term('missile'), right: term('shield'), distance: 3 }],
    ['a NEAR chain is pairwise AND', 'a NEAR/2 b NEAR/4 c', {
      type: 'and', children: [
        { type: 'near', left: term('a'), right: term('b'), distance: 2 },
        { type: 'near', left: term('b'), right: term('c'), distance: 4 },
      ],
    }],
  ])('%s: %s', (_name, text, expected) => {
    expect(parsed(text).query).toEqual(expected);
  });
});

describe('parseQuery: normalized form', () => {
  it.each([
    ['NATO -Russia', 'NATO AND NOT Russia'],
    ['a b OR c', 'a AND b OR c'],
    ['a (b OR c)', 'a AND (b OR c)'],
    ['NOT (a OR b)', 'NOT (a OR b)'],
    ['title:(a OR b) c', '(title:a OR title:b) AND c'],
    ['  "missile   defence"  ', '"missile defence"'],
    ['missile NEAR/3 =Shield*', 'missile NEAR/3 =Shield*'],
    ['((a))', 'a'],
  ])('%s -> %s', (text, normalized) => {
    expect(parsed(text).normalized).toBe(normalized);
  });

  it.each(['NATO -Russia', 'a (b OR NOT c) d', 'title:x OR author:"Jane Doe"', 'feed:12 lang:en =WHO', 'a NEAR/2 b NEAR/4 c'])(
    'the normalized form of %s parses to the same query',
    (text) => {
      const first = parsed(text);
      const second = parsed(first.normalized);
      expect(second.query).toEqual(first.query);
      expect(second.normalized).toBe(first.normalized);
    },
  );
});

describe('parseQuery: errors name the position and what was expected', () => {
  it.each([
    ['', 'expected term at 0'],
    ['   ', 'expected term at 3'],
    ['missile "defence', 'unclosed quote at 8'],
    ['title:"missile defence', 'unclosed quote at 6'],
    ['NOT ', 'expected term after NOT at 4'],
    ['NATO AND', 'expected term after AND at 8'],
    ['NATO OR )', 'expected term after OR at 8'],
    ['NATO - x', 'expected term after "-" at 6'],
    ['(NATO OR x))', 'unbalanced ")" at 11'],
    [')', 'unbalanced ")" at 0'],
    ['a (b OR c', 'expected ")" to close "(" at 2'],
    ['OR NATO', 'expected term before OR at 0'],
    ['NEAR/3 x', 'expected term before NEAR/3 at 0'],
    ['missile NEAR/3', 'expected term or phrase after NEAR/3 at 14'],
    ['missile NEAR/3 (a OR b)', 'expected term or phrase after NEAR/3 at 15'],
    ['missile NEAR/x shield', 'expected a number from 1 to 100 after NEAR/ at 13'],
    ['missile NEAR/0 shield', 'expected a number from 1 to 100 after NEAR/ at 13'],
    ['title: NATO', 'expected term after title: at 6'],
    ['title:NOT x', 'expected term after title: at 6'],
    ['colour:red', 'unknown field "colour" at 0'],
    ['"  "', 'empty phrase at 0'],
    ['= US', 'expected term after "=" at 1'],
    ['*', 'expected letters before "*" at 0'],
    ['NATO-le*', 'expected one word before "*" at 0'],
    ['a !!!', 'expected letters or digits in term at 2'],
    ['lang:en NEAR/2 x', 'NEAR/2 needs words on both sides, not lang: at 8'],
    ['lang:"en gb"', 'expected a language tag like en or en-gb after lang: at 5'],
  ])('%j -> %s', (text, message) => {
    const result = parseQuery(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(message);
    expect(result.error.position).toBe(Number(/at (\d+)$/.exec(message)?.[1]));
  });
});

describe('the README\'s "Topic queries" section', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const doc = /## Topic queries\n[\s\S]*?(?=\n## )/.exec(readme)?.[0] ?? '';
  const examples = (/```text\n([\s\S]*?)```/.exec(doc)?.[1] ?? '').split('\n').filter((l) => l.trim() !== '');
  const syntaxRows = [...doc.matchAll(/^\| `([^`]+)`(?:, `([^`]+)`)? \| (?!`)/gm)].flatMap((m) => [m[1], m[2]]).filter((q): q is string => !!q);
  const errorRows = [...doc.matchAll(/^\| `([^`]*)` \| `([^`]+)` \|$/gm)].map((m) => [m[1] as string, m[2] as string] as const);

  it('has examples, syntax rows and error rows to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(syntaxRows.length).toBeGreaterThanOrEqual(15);
    expect(errorRows.length).toBeGreaterThanOrEqual(8);
  });

  it('every example and syntax row parses', () => {
    for (const query of [...examples, ...syntaxRows]) expect(parseQuery(query).ok, query).toBe(true);
  });

  it('every error row gives that error', () => {
    for (const [query, message] of errorRows) {
      const result = parseQuery(query);
      expect(result.ok ? 'parsed' : result.error.message, query).toBe(message);
    }
  });
});

describe('parseQuery never throws; what it accepts compiles and runs', () => {
  const pieces = ['NATO', 'a', ' ', ' ', '"', '(', ')', '-', '=', '*', ':', 'title:', 'lang:', 'feed:', 'AND', 'OR', 'NOT', 'NEAR/', 'NEAR/2', '3', 'é', '\u0301', '’', 'ＮＡＴＯ', '\u{1F600}'];
  const sample = analyzeDoc({
    title: 'ＮＡＴＯ: a 3 é', summary: 'NOT NEAR', contentHtml: '<p>title feed</p>', categories: ['a'], authors: ['a'],
    feedTitle: 'a', feedId: 3, language: 'en',
  });
  const queryish = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((parts) => parts.join(''));

  it('returns a query or a positioned error for any text', () => {
    fc.assert(
      fc.property(fc.oneof(queryish, fc.string(), fc.string({ unit: 'grapheme' })), (text) => {
        const result = parseQuery(text);
        if (result.ok) {
          expect(parseQuery(result.normalized).ok).toBe(true);
          expect(typeof matchQuery(compileQuery(result.query), sample).matched).toBe('boolean');
        } else {
          expect(result.error.position).toBeGreaterThanOrEqual(0);
          expect(result.error.position).toBeLessThanOrEqual(text.length);
          expect(result.error.message.endsWith(` at ${result.error.position}`)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
