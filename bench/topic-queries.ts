import { type Random, seededRandom } from './random.js';
import { ACTORS, AUTHORS, CATEGORIES, PLACES, SUBJECTS, WORDS } from './vocabulary.js';

export interface BenchTopic {
  slug: string;
  title: string;
  query: string;
}

/** The topic every section serves and the "1 topic" baseline: a frequent, single-term query. */
export const SERVED_TOPIC: BenchTopic = { slug: 'nato', title: 'NATO', query: 'NATO' };

const bare = (actor: string) => actor.replace(/^the /, '');
const quoted = (text: string) => (text.includes(' ') ? `"${text}"` : text);

// Shapes in rough proportion to what people write: mostly terms and phrases, some ORs,
// a few NOTs and fields, and rare combinations that match almost nothing.
const SHAPES: ((random: Random) => string)[] = [
  (r) => quoted(bare(r.pick(ACTORS))),
  (r) => quoted(r.pick(SUBJECTS).replace(/^(a|the) /, '')),
  (r) => r.pick(PLACES),
  (r) => `${quoted(bare(r.pick(ACTORS)))} OR ${quoted(bare(r.pick(ACTORS)))}`,
  (r) => `${quoted(r.pick(SUBJECTS).replace(/^(a|the) /, ''))} OR ${r.pick(WORDS)}`,
  (r) => `${quoted(bare(r.pick(ACTORS)))} AND ${quoted(r.pick(SUBJECTS).replace(/^(a|the) /, ''))}`,
  (r) => `${r.pick(PLACES)} AND ${r.pick(WORDS)}`,
  (r) => `${quoted(bare(r.pick(ACTORS)))} NOT ${r.pick(PLACES)}`,
  (r) => `title:${quoted(bare(r.pick(ACTORS)))}`,
  (r) => `category:${r.pick(CATEGORIES)}`,
  (r) => `author:"${r.pick(AUTHORS)}" AND ${r.pick(WORDS)}`,
  (r) => `${r.pick(WORDS)} AND ${r.pick(WORDS)} AND ${r.pick(WORDS)}`,
  (r) => `${r.pick(WORDS).slice(0, 5)}*`,
];

/** `count` topics: the served one first, then generated queries over the feed vocabulary. */
export function generateTopics(count: number, seed = 42): BenchTopic[] {
  const random = seededRandom(seed);
  const topics: BenchTopic[] = [SERVED_TOPIC];
  for (let i = 1; i < count; i++) {
    const query = random.pick(SHAPES)(random);
    topics.push({ slug: `topic-${String(i).padStart(4, '0')}`, title: `Topic ${i}: ${query}`.slice(0, 200), query });
  }
  return topics;
}
