import variants from './spelling-variants.json' with { type: 'json' };

// British -> American, for every listed word and the inflected forms derived from it. Folding to
// one side before stemming makes "defences" meet "defense" and "organisation" meet "organization".

interface VariantData {
  words: Record<string, string>;
  our: string[];
  re: string[];
  ise: string[];
  yse: string[];
}

/** Plural, past and -ing forms of a base word, in a fixed order so two words' forms pair up. */
function inflections(word: string): string[] {
  const plural = /(s|x|ch|sh)$/.test(word) ? word + 'es' : word + 's';
  if (word.endsWith('e')) return [word, plural, word + 'd', word.slice(0, -1) + 'ing'];
  return [word, plural, word + 'ed', word + 'ing'];
}

const OUR_SUFFIXES = ['', 's', 'ed', 'ing', 'ful', 'fully', 'less', 'able', 'ably', 'ite', 'ites', 'er', 'ers', 'hood', 'hoods', 'ly', 'ist', 'ists', 'y'];
const ISE_SUFFIXES: [string, string][] = [
  ['ise', 'ize'], ['ised', 'ized'], ['ises', 'izes'], ['ising', 'izing'], ['isation', 'ization'],
  ['isations', 'izations'], ['iser', 'izer'], ['isers', 'izers'], ['isable', 'izable'],
];
const YSE_SUFFIXES: [string, string][] = [['yse', 'yze'], ['ysed', 'yzed'], ['yses', 'yzes'], ['ysing', 'yzing'], ['yser', 'yzer']];
const RE_SUFFIXES: [string, string][] = [['re', 'er'], ['res', 'ers'], ['red', 'ered'], ['ring', 'ering']];

function buildTable(data: VariantData): Map<string, string> {
  const table = new Map<string, string>();
  for (const [british, american] of Object.entries(data.words)) {
    const b = inflections(british);
    const a = inflections(american);
    b.forEach((form, i) => table.set(form, a[i] as string));
  }
  for (const word of data.our) {
    const root = word.slice(0, -'our'.length);
    for (const suffix of OUR_SUFFIXES) table.set(`${root}our${suffix}`, `${root}or${suffix}`);
  }
  const families: [string[], string, [string, string][]][] = [
    [data.re, 're', RE_SUFFIXES],
    [data.ise, 'ise', ISE_SUFFIXES],
    [data.yse, 'yse', YSE_SUFFIXES],
  ];
  for (const [words, ending, suffixes] of families) {
    for (const word of words) {
      const root = word.slice(0, -ending.length);
      for (const [british, american] of suffixes) table.set(root + british, root + american);
    }
  }
  return table;
}

const TABLE = buildTable(variants as VariantData);

/** The American spelling of a lower-case, accent-folded word, or the word itself. */
export function americanSpelling(word: string): string {
  return TABLE.get(word) ?? word;
}
