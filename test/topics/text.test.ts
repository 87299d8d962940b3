import { describe, expect, it } from 'vitest';
import { compileQuery, matchQuery, vocabularyOf } from '../../src/topics/match.js';
import { parseQuery } from '../../src/topics/query.js';
import { americanSpelling } from '../../src/topics/spelling.js';
import { analyzeDoc, foldWord, normalizeWord, tokenize, type MatchableDoc } from '../../src/topics/text.js';
import { makeDoc } from './helpers.js';

const surfaces = (text: string) => tokenize(text).map((t) => t.surface);
const norms = (text: string) => tokenize(text).map((t) => t.norm);

describe('tokenize', () => {
  it.each([
    ['hyphens split words', 'NATO-led anti-NATO', ['NATO', 'led', 'anti', 'NATO']],
    ['a possessive s is dropped', "NATO's Nato’s Russia`s", ['NATO', 'Nato', 'Russia']],
    ['other apostrophes split', "O'Brien", ['O', 'Brien']],
    ['dotted acronyms are one word', 'the U.S. and U.N. said', ['the', 'U.S.', 'and', 'U.N.', 'said']],
    ['lower-case abbreviations are not joined', 'e.g. this', ['e', 'g', 'this']],
    ['NFKC: full-width letters', 'ＮＡＴＯ', ['NATO']],
    ['NFKC: ligatures', 'ﬁbre', ['fibre']],
    ['punctuation separates', 'missile,defence;(plan)', ['missile', 'defence', 'plan']],
    ['non-Latin scripts are words', 'НАТО и Россия', ['НАТО', 'и', 'Россия']],
    ['combining accents stay inside the word', 'Cafe\u0301 owners', ['Café', 'owners']],
    ['an acronym before a word keeps the dots it can', 'U.S.Army U.S.A.', ['U.S', 'Army', 'U.S.A.']],
    ['an acronym needs two capitals', 'A. Smith', ['A', 'Smith']],
    ['a letter outside the first plane', 'the 𝐍𝐀𝐓𝐎 summit', ['the', 'NATO', 'summit']],
  ])('%s', (_name, text, expected) => {
    expect(surfaces(text)).toEqual(expected);
  });

  it('keeps offsets into the original text', () => {
    const [token] = tokenize('  «NATO»');
    expect(token).toMatchObject({ start: 3, end: 7 });
  });
});

describe('folding', () => {
  it.each([
    ['case', 'NATO', 'nato'],
    ['accents', 'Café', 'cafe'],
    ['accents in capitals', 'ÉLYSÉE', 'elysee'],
    ['sharp s', 'Straße', 'strasse'],
    ['final sigma', 'ΟΔΟΣ', 'οδοσ'],
    ['ligature letters', 'Manœuvre', 'manoeuvre'],
    ['acronym dots', 'U.S.', 'us'],
    ['Greek accents', 'Αθήνα', 'αθηνα'],
    ['dotted capital I', 'İstanbul', 'istanbul'],
    ['kana voicing marks stay (ガ is not カ)', 'ガス', 'ガス'],
    ['Devanagari vowel signs stay', 'किताब', 'किताब'],
  ])('%s: %s -> %s', (_name, word, expected) => {
    expect(foldWord(word)).toBe(expected);
  });
});

describe('spelling variants', () => {
  it.each([
    ['defence', 'defense'],
    ['defences', 'defenses'],
    ['licence', 'license'],
    ['programmes', 'programs'],
    ['colour', 'color'],
    ['harbours', 'harbors'],
    ['labour', 'labor'],
    ['favourite', 'favorite'],
    ['centre', 'center'],
    ['centred', 'centered'],
    ['theatres', 'theaters'],
    ['organise', 'organize'],
    ['organising', 'organizing'],
    ['organisation', 'organization'],
    ['analysed', 'analyzed'],
    ['manoeuvred', 'maneuvered'],
    ['grey', 'gray'],
  ])('%s is spelled %s', (british, american) => {
    expect(americanSpelling(british)).toBe(american);
  });

  it.each(['hour', 'four', 'your', 'tour', 'rise', 'wise', 'premise', 'acre', 'genre'])('%s is left alone', (word) => {
    expect(americanSpelling(word)).toBe(word);
  });

  it.each([
    ['defences', 'defense'],
    ['missile defence', 'missile defense'],
    ['organisations', 'organization'],
    ['Labour', 'labor'],
    ['CAFÉS', 'cafe'],
    ['licensing', 'licence'],
    ['centres', 'center'],
  ])('%s and %s have the same matching form', (a, b) => {
    expect(norms(a)).toEqual(norms(b));
  });

  it('NATO and senatorial have different matching forms', () => {
    expect(normalizeWord('senatorial')).not.toBe(normalizeWord('nato'));
  });
});

describe('analyzeDoc', () => {
  const doc: MatchableDoc = {
    title: 'Summit preview',
    summary: 'Leaders meet.',
    contentHtml: '<p>Read <a href="https://x.example/nato/">more</a></p><script>var nato = 1</script>',
    categories: ['World', 'Missile defence'],
    authors: ['Jane Doe'],
    feedTitle: 'World Wire',
    feedId: 7,
    language: 'en_GB',
  };
  const analyzed = analyzeDoc(doc);

  it('reads only the visible text of the HTML', () => {
    expect(analyzed.norms.has('nato')).toBe(false);
    expect(analyzed.fields.text.forms.map((f) => f.surface)).toEqual(['Leaders', 'meet', 'Read', 'more']);
  });

  it('keeps separate values a gap apart so phrases never span them', () => {
    const { positions } = analyzed.fields.category;
    expect(positions[1]! - positions[0]!).toBeGreaterThan(100);
  });

  it('normalizes the language tag', () => {
    expect(analyzed.language).toBe('en-gb');
  });

  it('collects the norms and the distinct words of every field', () => {
    for (const norm of ['summit', 'leader', 'defens', 'jane', 'wire']) expect(analyzed.norms.has(norm)).toBe(true);
    const defence = analyzed.words.find((word) => word.folded === 'defence');
    expect(defence?.american).toBe('defense');
  });
});

describe('analyzeDoc for a vocabulary', () => {
  const compiled = (query: string) => {
    const parsed = parseQuery(query);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return compileQuery(parsed.query);
  };
  const doc = makeDoc({
    title: 'NATO, NATO and Nato',
    summary: 'Nato missile defence plans. NATO missile defence costs',
    contentHtml: '<p>NATO summit: missile defence, NATO</p>',
  });
  const kept = (query: string, field: 'title' | 'text') => {
    const { forms, positions } = analyzeDoc(doc, vocabularyOf([compiled(query)])).fields[field];
    return forms.map((f, i) => `${f.surface}@${positions[i]}`);
  };

  it('keeps a word that queries use only as a term of its own once a field, each spelling at its first place', () => {
    expect(kept('NATO', 'title')).toEqual(['NATO@0', 'Nato@3']);
    // Summary and content are one field, a gap apart.
    expect(kept('NATO', 'text')).toEqual(['Nato@0', 'NATO@4']);
  });

  it('keeps every occurrence of a word that a phrase or NEAR reads', () => {
    expect(kept('"missile defence"', 'text')).toEqual(['missile@1', 'defence@2', 'missile@5', 'defence@6', 'missile@1010', 'defence@1011']);
    expect(kept('NATO NEAR/2 summit', 'text')).toEqual(['Nato@0', 'NATO@4', 'NATO@1008', 'summit@1009', 'NATO@1012']);
    // A word both a term of its own and a phrase's is kept whole.
    expect(kept('NATO OR "NATO summit"', 'text')).toEqual(['Nato@0', 'NATO@4', 'NATO@1008', 'summit@1009', 'NATO@1012']);
  });

  it.each(['NATO', 'nat*', '=NATO', 'NATO AND "missile defence"', '(NATO OR missile) -budget', 'NATO NEAR/1 summit', 'def* NEAR/1 missile'])(
    '%s matches and names the same terms as over a full analysis',
    (query) => {
      const full = matchQuery(compiled(query), analyzeDoc(doc));
      expect(full.matched).toBe(true);
      expect(matchQuery(compiled(query), analyzeDoc(doc, vocabularyOf([compiled(query)])))).toEqual(full);
    },
  );
});

describe('tokenize: scripts and clauses', () => {
  it.each([
    ['Chinese and Japanese characters are a word each', 'ＮＡＴＯ首脳会議', ['NATO', '首', '脳', '会', '議']],
    ['kana too', 'ミサイル防衛', ['ミ', 'サ', 'イ', 'ル', '防', '衛']],
    ['Korean keeps its spaced words', '나토 정상회의', ['나토', '정상회의']],
  ])('%s', (_name, text, expected) => {
    expect(surfaces(text)).toEqual(expected);
  });

  it.each([
    ['a comma', 'missile, defence', [true, true]],
    ['a full stop', 'missile. Defence', [true, true]],
    ['a parenthesis', 'missile (defence)', [true, true]],
    ['not a hyphen', 'missile-defence', [true, false]],
    ['not a space', 'missile defence', [true, false]],
    ['not a quote', 'missile "defence"', [true, false]],
  ])('clause punctuation: %s', (_name, text, expected) => {
    expect(tokenize(text).map((t) => t.clauseStart)).toEqual(expected);
  });
});
