import { describe, expect, it } from 'vitest';
import { parseQuery, type Query } from '../../src/topics/query.js';

function parsed(text: string): { query: Query; normalized: string } {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(`did not parse: ${result.error.message}`);
  return result;
}

const term = (text: string, extra: Partial<Extract<Query, { type: 'term' }>> = {}): Query => ({
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
    ['lang:"en gb"', 'expected a language tag like en or en-gb after lang: at 5'],
  ])('%j -> %s', (text, message) => {
    const result = parseQuery(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(message);
    expect(result.error.position).toBe(Number(/at (\d+)$/.exec(message)?.[1]));
  });
});
