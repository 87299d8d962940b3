import { describe, expect, it } from 'vitest';
import type { MatchableDoc } from '../../src/topics/text.js';
import { run } from './helpers.js';

type Case = [name: string, query: string, doc: Partial<MatchableDoc>];

describe('matchQuery: matches', () => {
  it.each<Case>([
    ['NATO matches "Nato"', 'NATO', { title: 'Nato leaders meet' }],
    ['NATO matches "NATO-led"', 'NATO', { summary: 'NATO-led forces' }],
    ['NATO matches "anti-NATO"', 'NATO', { summary: 'anti-NATO protests' }],
    ['NATO matches "NATO\'s"', 'NATO', { title: "NATO's chief" }],
    ['NATO matches full-width "ＮＡＴＯ"', 'NATO', { title: 'ＮＡＴＯ summit' }],
    ['NATO matches a category', 'NATO', { categories: ['NATO'] }],
    ['NATO matches text inside the HTML content', 'NATO', { contentHtml: '<p>The <b>NATO</b> chief</p>' }],
    ['"missile defence" matches "missile defense"', '"missile defence"', { title: 'New missile defense sites' }],
    ['"missile defence" matches "missile-defence"', '"missile defence"', { title: 'A missile-defence shield' }],
    ['"missile defence" matches "Missile Defences"', '"missile defence"', { title: 'Missile Defences tested' }],
    ['"missile defence" matches across a possessive', '"NATO missile defence"', { title: "NATO's missile defence" }],
    ['café matches "cafe" and "CAFÉS"', 'café', { title: 'CAFÉS close early' }],
    ['cafe matches "café"', 'cafe', { title: 'A café closes' }],
    ['licence matches "licensing"', 'licence', { title: 'New licensing rules' }],
    ['organised matches "organized"', 'organised', { title: 'Organized crime' }],
    ['"World Health Organisation" matches US spelling', '"World Health Organisation"', { summary: 'the World Health Organization said' }],
    ['systems matches "system"', 'systems', { title: 'A new system' }],
    ['targeted matches "targets"', 'targeted', { title: 'Targets hit' }],
    ['=US matches "US"', '=US', { title: 'US backs plan' }],
    ['=US matches "U.S."', '=US', { title: 'U.S. backs plan' }],
    ['US (without =) matches "us"', 'US', { title: 'Tell us more' }],
    ['=WHO matches "WHO\'s"', '=WHO', { title: "WHO's warning" }],
    ['="Foo Bar" matches exact words in order', '="New York"', { title: 'New York rally' }],
    ['prefix matches the start of a word', 'peacekeep*', { title: 'Peacekeepers arrive' }],
    ['prefix folds accents', 'cafe*', { title: 'Cafétéria menu' }],
    ['prefix matches the American spelling', 'defens*', { title: 'Defence cuts' }],
    ['exact prefix is case-sensitive', '=Nat*', { title: 'National news' }],
    ['title: looks in the title', 'title:NATO', { title: 'NATO meets' }],
    ['text: looks in the summary', 'text:NATO', { summary: 'NATO meets' }],
    ['text: looks in the content', 'text:NATO', { contentHtml: '<p>NATO meets</p>' }],
    ['author: looks at authors', 'author:smith', { authors: ['Jane Smith'] }],
    ['category: looks at categories', 'category:defence', { categories: ['Defense'] }],
    ['feed: matches the feed title', 'feed:"world wire"', { feedTitle: 'World Wire' }],
    ['feed: matches the feed id', 'feed:12', { feedId: 12 }],
    ['lang:en matches en-gb', 'lang:en', { language: 'en-GB' }],
    ['lang:en-gb matches en_GB', 'lang:en-gb', { language: 'en_GB' }],
    ['AND needs both', 'NATO Russia', { title: 'NATO and Russia' }],
    ['OR needs either', 'NATO OR OTAN', { title: 'La OTAN se reúne' }],
    ['NOT excludes', 'NATO -Russia', { title: 'NATO and Ukraine' }],
    ['a NOT-only query matches what lacks the term', 'NOT sport', { title: 'Budget talks' }],
    ['NEAR/1 matches adjacent words', 'missile NEAR/1 shield', { title: 'missile shield' }],
    ['NEAR matches either order', 'missile NEAR/3 shield', { title: 'a shield against any missile' }],
    ['NEAR/3 matches three positions apart', 'missile NEAR/3 shield', { title: 'missile defence radar shield' }],
    ['NEAR works with phrases', '"missile defence" NEAR/2 Russia', { title: 'missile defence with Russia' }],
    ['a hyphenated query term is a phrase', 'NATO-led', { title: 'NATO led the talks' }],
  ])('%s', (_name, query, doc) => {
    expect(run(query, doc).matched).toBe(true);
  });
});

describe('matchQuery: does not match', () => {
  it.each<Case>([
    ['NATO does not match "senatorial"', 'NATO', { summary: 'A senatorial committee' }],
    ['NATO does not match "Donato"', 'NATO', { title: 'Donato wins' }],
    ['NATO does not match "alternator"', 'NATO', { title: 'Alternator recall' }],
    ['NATO does not match a URL in a link', 'NATO', { contentHtml: '<a href="https://x.example/nato/">more</a>' }],
    ['NATO does not match an image alt text', 'NATO', { contentHtml: '<img alt="NATO logo" src="nato.png">' }],
    ['NATO does not match a script body', 'NATO', { contentHtml: '<script>var nato = 1;</script><p>Hello</p>' }],
    ['NATO does not match the author or feed by default', 'NATO', { authors: ['NATO press'], feedTitle: 'NATO Review' }],
    ['"missile defence" needs the words in order', '"missile defence"', { title: 'defence against a missile' }],
    ['"missile defence" needs the words adjacent', '"missile defence"', { title: 'missile and air defence' }],
    ['a phrase does not span two categories', '"missile defence"', { categories: ['Missile', 'Defence'] }],
    ['a phrase does not span title and summary', '"missile defence"', { title: 'Missile', summary: 'defence' }],
    ['a phrase does not span summary and content', '"missile defence"', { summary: 'missile', contentHtml: '<p>defence</p>' }],
    ['=US does not match "us"', '=US', { title: 'Tell us more' }],
    ['=WHO does not match "Who"', '=WHO', { title: 'Who pays?' }],
    ['=UN does not match French "un"', '=UN', { title: 'un accord de paix' }],
    ['=US does not match "USA"', '=US', { title: 'USA wins' }],
    ['prefix needs the start of a word', 'keep*', { title: 'peacekeepers' }],
    ['exact prefix is case-sensitive', '=Nat*', { title: 'nation' }],
    ['title: ignores the summary', 'title:NATO', { summary: 'NATO meets' }],
    ['text: ignores the title', 'text:NATO', { title: 'NATO meets' }],
    ['feed: ignores another feed id', 'feed:12', { feedId: 13 }],
    ['lang:en does not match eng', 'lang:en', { language: 'eng' }],
    ['lang:en does not match a missing language', 'lang:en', {}],
    ['AND needs both', 'NATO Russia', { title: 'NATO meets' }],
    ['NOT excludes', 'NATO -Russia', { title: 'NATO and Russia' }],
    ['NOT excludes with a field', 'NATO -category:sport', { title: 'NATO football', categories: ['Sport'] }],
    ['NEAR/2 does not reach three positions', 'missile NEAR/2 shield', { title: 'missile defence radar shield' }],
    ['NEAR does not span two values', 'missile NEAR/5 shield', { categories: ['missile', 'shield'] }],
    ['a word is not near itself', 'nato NEAR/3 nato', { title: 'NATO meets' }],
  ])('%s', (_name, query, doc) => {
    expect(run(query, doc).matched).toBe(false);
  });
});

describe('matchQuery: terms say why', () => {
  it.each<[string, string, Partial<MatchableDoc>, string[]]>([
    ['surface forms as written', 'NATO', { title: 'Nato meets', summary: 'NATO-led' }, ['Nato', 'NATO']],
    ['the document spelling, not the query spelling', '"missile defence"', { title: 'missile defense' }, ['missile defense']],
    ['only the positive side of NOT', 'NATO -Russia', { title: 'NATO meets Ukraine' }, ['NATO']],
    ['every matching branch of OR', 'NATO OR Russia', { title: 'NATO meets Russia' }, ['NATO', 'Russia']],
    ['both words of NEAR', 'missile NEAR/2 shield', { title: 'missile defence shield' }, ['missile', 'shield']],
    [
      'each spelling of a repeated phrase once, in order of first use',
      '"missile defence"',
      { title: 'missile defence', summary: 'Missile Defence plans, missile defence costs, missile defense, Missile Defence' },
      ['missile defence', 'Missile Defence', 'missile defense'],
    ],
    ['nothing when unmatched', 'NATO', { title: 'Budget' }, []],
    ['nothing from lang or feed id', 'lang:en feed:3', { language: 'en', feedId: 3 }, []],
  ])('%s', (_name, query, doc, terms) => {
    expect(run(query, doc).terms).toEqual(terms);
  });
});

describe('matchQuery: punctuation and scripts', () => {
  it.each<[string, string, Partial<MatchableDoc>, boolean]>([
    ['a phrase does not run across a comma', '"missile defence"', { title: 'Cruise missile, defence analysts say, was Russian-made' }, false],
    ['a phrase does not run across a full stop', '"missile defence"', { summary: 'They fired a missile. Defence chiefs met later.' }, false],
    ['NEAR does run across a comma', 'missile NEAR/1 defence', { title: 'missile, defence' }, true],
    ['NATO matches inside Japanese text', 'NATO', { title: 'ＮＡＴＯ首脳会議が開幕' }, true],
    ['a Japanese phrase matches its characters in order', '"首脳会議"', { title: 'ＮＡＴＯ首脳会議が開幕' }, true],
    ['a Japanese phrase needs its characters in order', '"会議首脳"', { title: 'ＮＡＴＯ首脳会議が開幕' }, false],
  ])('%s', (_name, query, doc, expected) => {
    expect(run(query, doc).matched).toBe(expected);
  });
});

describe('matchQuery: documented edges', () => {
  it.each<[string, string, Partial<MatchableDoc>, boolean]>([
    ['nation does not match "national" (no derivational stemming)', 'nation', { title: 'national news' }, false],
    ['"NATO summit" matches "NATO\'s summit"', '"NATO summit"', { title: "NATO's summit opens" }, true],
    ['paediatric matches "pediatric"', 'paediatric', { title: 'Pediatric wards expand' }, true],
    ['harbour matches "harbors"', 'harbour', { title: 'Two harbors close' }, true],
    ['theatre matches "theater"', 'theatre', { title: 'Theater reopens' }, true],
    ['organis* matches "organise"', 'organis*', { title: 'They organise' }, true],
    ['organis* does not match "organize" (prefixes are not spelling-folded)', 'organis*', { title: 'They organize' }, false],
    ['organi* matches "organize"', 'organi*', { title: 'They organize' }, true],
    ['organiz* matches "organise" through its American spelling', 'organiz*', { title: 'They organise' }, true],
    ['NATO does not match Cyrillic "НАТО" (no transliteration)', 'NATO', { title: 'НАТО' }, false],
  ])('%s', (_name, query, doc, expected) => {
    expect(run(query, doc).matched).toBe(expected);
  });
});
