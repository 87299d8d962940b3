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
