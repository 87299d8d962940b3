import { type Random, seededRandom } from './random.js';
import { ACTORS, AUTHORS, CATEGORIES, LEXICON, PLACES, SUBJECTS } from './vocabulary.js';

export interface BenchTopic {
  slug: string;
  title: string;
  query: string;
}

/** The topic every section serves and the "1 topic" baseline: a frequent, single-term query. */
export const SERVED_TOPIC: BenchTopic = { slug: 'nato', title: 'NATO', query: 'NATO' };

const bare = (actor: string) => actor.replace(/^the /, '');
// Words past the commonest few hundred: each appears in some items, not all.
const word = (r: Random) => LEXICON[1000 + r.int(LEXICON.length - 1000)]!;
const quoted = (text: string) => (text.includes(' ') ? `"${text}"` : text);

const actor = (r: Random) => quoted(bare(r.pick(ACTORS)));
const subject = (r: Random) => quoted(r.pick(SUBJECTS).replace(/^(a|the) /, ''));

// Shapes with weights in rough proportion to what people write: mostly an entity narrowed by a
// subject, place or field; some ORs, NOTs, prefixes and rare words; a few broad single terms.
// Each item then matches a handful of topics, not hundreds.
const SHAPES: [number, (random: Random) => string][] = [
  [30, (r) => `${actor(r)} AND ${subject(r)}`],
  [15, (r) => `${r.pick(PLACES)} AND ${subject(r)}`],
  [10, (r) => `(${actor(r)} OR ${actor(r)}) AND ${subject(r)}`],
  [10, (r) => `title:${actor(r)} AND ${r.pick(PLACES)}`],
  [8, (r) => `category:${r.pick(CATEGORIES)} AND ${actor(r)} AND ${r.pick(PLACES)}`],
  [8, (r) => `author:"${r.pick(AUTHORS)}" AND ${actor(r)}`],
  [5, (r) => `${subject(r)} AND ${actor(r)} NOT ${r.pick(PLACES)}`],
  [5, (r) => `${word(r)} AND ${word(r)}`],
  [4, (r) => `${subject(r)} OR ${word(r)}`],
  [3, (r) => `${word(r)}*`],
  [1, (r) => actor(r)],
  [1, (r) => r.pick(PLACES)],
];
const TOTAL_WEIGHT = SHAPES.reduce((sum, [weight]) => sum + weight, 0);

function pickShape(random: Random): (random: Random) => string {
  let roll = random.next() * TOTAL_WEIGHT;
  for (const [weight, shape] of SHAPES) if ((roll -= weight) < 0) return shape;
  return SHAPES[0]![1];
}

/** `count` topics: the served one first, then generated queries over the feed vocabulary. */
export function generateTopics(count: number, seed = 42): BenchTopic[] {
  const random = seededRandom(seed);
  const topics: BenchTopic[] = [SERVED_TOPIC];
  for (let i = 1; i < count; i++) {
    const query = pickShape(random)(random);
    topics.push({ slug: `topic-${String(i).padStart(4, '0')}`, title: `Topic ${i}: ${query}`.slice(0, 200), query });
  }
  return topics;
}
