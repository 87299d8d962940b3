// The words generated feeds and topic queries are drawn from: news-like, so that topic
// queries hit some items and miss most, as real topics do.

export const ACTORS = [
  'NATO', 'Russia', 'Ukraine', 'the European Union', 'the United Nations', 'China', 'India', 'Brazil', 'Germany',
  'France', 'Japan', 'Turkey', 'Poland', 'the Pentagon', 'the Kremlin', 'Parliament', 'the central bank',
  'the finance ministry', 'OPEC', 'the World Bank', 'the IMF', 'Canada', 'Mexico', 'Nigeria', 'Kenya', 'Australia',
  'South Korea', 'Indonesia', 'the Senate', 'the Commission', 'Sweden', 'Finland', 'Norway', 'Spain', 'Italy',
];

export const SUBJECTS = [
  'missile defence', 'missile defense', 'trade talks', 'interest rates', 'inflation', 'climate targets',
  'grain exports', 'energy prices', 'a ceasefire', 'border security', 'cyber attacks', 'election reform',
  'the budget deficit', 'refugee quotas', 'nuclear talks', 'fishing rights', 'arms control', 'vaccine supplies',
  'a pipeline deal', 'steel tariffs', 'the housing market', 'rail strikes', 'wildfire response', 'flood defences',
  'chip exports', 'space launches', 'drone exports', 'peacekeeping troops', 'debt relief', 'the labour market',
  'carbon pricing', 'water rights', 'port access', 'troop withdrawals', 'sanctions relief', 'oil output',
];

export const VERBS = [
  'considers', 'rejects', 'backs', 'delays', 'unveils', 'debates', 'signs', 'questions', 'tightens', 'eases',
  'warns over', 'agrees on', 'moves to block', 'calls for', 'weighs', 'pushes', 'revives', 'scraps',
];

export const PLACES = [
  'Brussels', 'Lisbon', 'Moscow', 'Kyiv', 'Warsaw', 'Beijing', 'Delhi', 'Geneva', 'Vienna', 'Nairobi', 'Ottawa',
  'Canberra', 'Seoul', 'Jakarta', 'Madrid', 'Rome', 'Helsinki', 'Oslo', 'Ankara', 'Tokyo', 'Washington', 'London',
];

export const FILLER = [
  'officials said', 'according to a statement', 'analysts expect', 'the minister told reporters', 'in a late vote',
  'after months of talks', 'despite objections', 'ahead of the summit', 'on Tuesday', 'this week', 'for the first time',
  'amid rising costs', 'with broad support', 'under pressure from allies', 'in a surprise move', 'as markets fell',
  'while talks continue', 'following the report', 'in the capital', 'behind closed doors',
];

export const WORDS = [
  'agreement', 'proposal', 'committee', 'delegation', 'spokesperson', 'framework', 'negotiation', 'coalition',
  'opposition', 'investment', 'infrastructure', 'security', 'economy', 'regional', 'international', 'domestic',
  'strategic', 'cooperation', 'funding', 'allies', 'partners', 'leaders', 'voters', 'markets', 'industry', 'workers',
  'government', 'ministers', 'diplomats', 'experts', 'observers', 'critics', 'supporters', 'measures', 'policy',
  'reform', 'growth', 'decline', 'forecast', 'deadline', 'summit', 'treaty', 'resolution', 'inquiry', 'report',
  'senatorial', 'harbour', 'dredging', 'satellite', 'shipping', 'tariff', 'subsidy', 'pension', 'hospital', 'school',
];

export const CATEGORIES = [
  'World', 'Politics', 'Business', 'Economy', 'Defence', 'Europe', 'Asia', 'Africa', 'Americas', 'Climate',
  'Energy', 'Technology', 'Science', 'Health', 'Trade', 'Security', 'Diplomacy', 'Markets',
];

export const AUTHORS = [
  'Jane Doe', 'Amir Haddad', 'Li Wei', 'Olga Petrova', 'Carlos Mendes', 'Aisha Bello', 'Tom Becker', 'Sara Lind',
  'Kenji Sato', 'Maria Rossi', 'Priya Nair', 'John Smith', 'Elena Garcia', 'Piotr Nowak', 'Grace Otieno',
];

const SYLLABLES = ['ba', 'ce', 'di', 'fo', 'gu', 'ka', 'le', 'mi', 'no', 'pu', 'ra', 'se', 'ti', 'vo', 'zu', 'an', 'er',
  'in', 'on', 'ul', 'stra', 'pel', 'mor', 'dan', 'vis', 'tor', 'glen', 'hal', 'ric', 'ost'];

/**
 * The body text's words, most common first: the news words above, then made-up words, so that
 * a word past the first few hundred appears in only some items, as in real text.
 */
export const LEXICON: readonly string[] = (() => {
  const words = new Set<string>(WORDS);
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  while (words.size < 3000) {
    const length = 2 + Math.floor(next() * 3);
    let word = '';
    for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
})();

// Zipf's law over LEXICON: rank r is drawn with weight 1/(r+1).
const CUMULATIVE: Float64Array = (() => {
  const weights = new Float64Array(LEXICON.length);
  let sum = 0;
  for (let r = 0; r < LEXICON.length; r++) weights[r] = sum += 1 / (r + 1);
  for (let r = 0; r < LEXICON.length; r++) weights[r]! /= sum;
  return weights;
})();

/** A LEXICON word for a uniform number in [0, 1). */
export function zipfWord(uniform: number): string {
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (CUMULATIVE[mid]! < uniform) low = mid + 1;
    else high = mid;
  }
  return LEXICON[low]!;
}
