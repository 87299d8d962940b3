import { describe, expect, it } from 'vitest';
import { highlight } from '../../src/topics/highlight.js';
import { run } from './helpers.js';

describe('highlight', () => {
  it.each([
    ['marks a matched word', 'NATO meets', ['NATO'], '<mark>NATO</mark> meets'],
    ['marks every occurrence', 'NATO and NATO', ['NATO'], '<mark>NATO</mark> and <mark>NATO</mark>'],
    ['marks a word inside a hyphenated compound', 'NATO-led forces', ['NATO'], '<mark>NATO</mark>-led forces'],
    ['marks a phrase as one span', 'a missile-defence plan', ['missile defence'], 'a <mark>missile-defence</mark> plan'],
    ['compares as written: US is not us', 'US tells us', ['US'], '<mark>US</mark> tells us'],
    ['does not mark part of a word', 'senatorial', ['NATO'], 'senatorial'],
    ['escapes the text', '<b>NATO</b> & "allies"', ['NATO'], '&lt;b&gt;<mark>NATO</mark>&lt;/b&gt; &amp; &quot;allies&quot;'],
    ['escapes inside the mark', 'AT&T', ['AT', 'T'], '<mark>AT</mark>&amp;<mark>T</mark>'],
    ['leaves text without terms alone', 'Budget <day>', [], 'Budget &lt;day&gt;'],
    ['prefers the longest term at a position', 'missile defence', ['missile', 'missile defence'], '<mark>missile defence</mark>'],
  ])('%s', (_name, text, terms, expected) => {
    expect(highlight(text, terms)).toBe(expected);
  });

  it('marks what matchQuery reported', () => {
    const title = "Nato's missile defences and the U.S. shield";
    const { terms } = run('NATO OR "missile defence" OR =US', { title });
    expect(highlight(title, terms)).toBe(
      '<mark>Nato</mark>&#39;s <mark>missile defences</mark> and the <mark>U.S.</mark> shield',
    );
  });
});
