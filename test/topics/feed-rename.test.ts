import { describe, expect, it } from 'vitest';
import { renameChangesMatches } from '../../src/topics/feed-rename.js';

type Case = [name: string, query: string, from: string | null, to: string | null];

describe('renameChangesMatches: a rename the topic must be matched again for', () => {
  it.each<Case>([
    ['a feed: term the new title has', 'feed:reuters', 'Wire Service', 'Reuters'],
    ['a feed: term the old title had', 'feed:reuters', 'Reuters', 'Wire Service'],
    ['a feed: term beside the item\'s own words', 'NATO AND feed:reuters', 'Wire', 'Reuters World'],
    ['a feed: term under NOT', 'NATO -feed:tabloid', 'Daily Tabloid', 'Daily Courier'],
    ['a feed: phrase', 'feed:"world wire"', 'World Wire', 'World News Wire'],
    ['a feed: prefix', 'feed:reut*', null, 'Reuters'],
    ['a feed: term whose matched word changes its written form', 'feed:reut*', 'Reuters', 'Reutersblog'],
    ['a feed: term whose matched word changes case (the words shown as why it matched)', 'feed:reuters', 'REUTERS', 'Reuters'],
    ['a title given to a feed that had none', 'feed:wire', null, 'The Wire'],
    ['a title taken away', 'feed:wire', 'The Wire', null],
    ['a feed: term in a NEAR pair', 'feed:wire NEAR/3 NATO', 'Wire', 'Wires'],
    ['a feed: number term read as a word of the title', 'feed:24', 'News 24', 'News'],
  ])('%s', (_name, query, from, to) => {
    expect(renameChangesMatches(query, from, to)).toBe(true);
  });
});

describe('renameChangesMatches: a rename that leaves the topic\'s matches as they are', () => {
  it.each<Case>([
    ['no feed: term', 'NATO', 'Wire', 'Reuters'],
    ['a feed: term both titles have', 'feed:reuters', 'Reuters', 'Reuters World'],
    ['a feed: term both titles have, among other words', 'feed:reuters', 'Reuters', 'Reuters: World news'],
    ['a feed: term neither title has', 'feed:reuters', 'Wire', 'Daily Post'],
    ['a feed: phrase neither title has in order', 'feed:"world wire"', 'Wire World', 'Wire of the World'],
    ['a feed\'s id', 'feed:12', 'Wire', 'Reuters'],
    ['the same title', 'feed:reuters', 'Reuters', 'Reuters'],
    ['a query that does not parse', '"reuters', 'Wire', 'Reuters'],
    ['lang:', 'lang:en', 'Wire', 'Reuters'],
  ])('%s', (_name, query, from, to) => {
    expect(renameChangesMatches(query, from, to)).toBe(false);
  });
});
