import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { escapeText } from 'entities';
import type { Item } from '../src/model.js';
import { type Random, seededRandom } from './random.js';
import { ACTORS, AUTHORS, CATEGORIES, FILLER, PLACES, SUBJECTS, VERBS, zipfWord } from './vocabulary.js';

/** One news story as a feed would carry it; the HTML is unescaped here. */
export interface GeneratedStory {
  headline: string;
  summary: string;
  contentHtml: string;
  categories: string[];
  authors: string[];
  link: string;
  guid: string;
  publishedAt: Date;
}

export interface GeneratedFeedSet {
  dir: string;
  /** File names relative to dir, one per feed. */
  files: string[];
  bytes: number;
  items: number;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What a story is about: the words that make topic queries match it, and only it. */
interface Angle {
  actor: string;
  subject: string;
  place: string;
}

function pickAngle(random: Random): Angle {
  return { actor: random.pick(ACTORS), subject: random.pick(SUBJECTS), place: random.pick(PLACES) };
}

function words(random: Random, count: number): string {
  // A loop, not Array.from(...).join: generating a default run's feeds spent ~40% of its time here.
  let text = count > 0 ? zipfWord(random.next()) : '';
  for (let i = 1; i < count; i++) text += ` ${zipfWord(random.next())}`;
  return text;
}

// Most sentences are ordinary words; some restate the story's angle, a few mention another actor.
function sentence(random: Random, angle: Angle): string {
  const roll = random.next();
  if (roll < 0.2) return `${capitalize(angle.actor)} ${random.pick(VERBS)} ${angle.subject}, ${random.pick(FILLER)}; ${words(random, 4 + random.int(8))}.`;
  if (roll < 0.3) return `In ${angle.place}, ${words(random, 5 + random.int(8))} ${random.pick(FILLER)}.`;
  if (roll < 0.35) return `${capitalize(random.pick(ACTORS))} ${random.pick(VERBS)} ${words(random, 3 + random.int(5))}.`;
  return `${capitalize(words(random, 8 + random.int(14)))}.`;
}

function trackedLink(random: Random, host: string, path: string): string {
  // Some publishers tag every link for analytics; identity must not depend on it.
  return random.chance(0.3) ? `https://${host}${path}?utm_source=rss&utm_medium=feed&utm_campaign=news` : `https://${host}${path}`;
}

function paragraph(random: Random, angle: Angle, host: string): string {
  const parts = Array.from({ length: 3 + random.int(3) }, () => sentence(random, angle));
  if (random.chance(0.6)) {
    const at = random.int(parts.length);
    parts[at] = `${parts[at]} <a href="${trackedLink(random, host, `/related/${random.int(1e6)}`)}">Read more: ${words(random, 3)}</a>.`;
  }
  return `<p>${parts.join(' ')}</p>`;
}

function contentHtml(random: Random, angle: Angle, host: string, targetBytes: number): string {
  const blocks: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    const block = random.chance(0.15)
      ? `<figure><img src="https://cdn.${host}/img/${random.int(1e7)}.jpg" alt="${angle.place}" width="800" height="450"><figcaption>${sentence(random, angle)}</figcaption></figure>`
      : paragraph(random, angle, host);
    blocks.push(block);
    size += block.length;
  }
  return blocks.join('\n');
}

/** A story for feed `feedIndex`, entry `itemIndex`; about 10% are copies of a shared wire story. */
export function generateStory(feedIndex: number, itemIndex: number, now: Date, contentBytes: number): GeneratedStory {
  const random = seededRandom(feedIndex * 100_003 + itemIndex);
  const host = `outlet${feedIndex}.example`;
  const wire = random.chance(0.1) ? seededRandom(7_000_000 + random.int(400)) : random;
  const angle = pickAngle(wire);
  const title = capitalize(`${angle.actor} ${wire.pick(VERBS)} ${angle.subject} in ${angle.place}`);
  const summary = `${sentence(wire, angle)} ${wire.chance(0.5) ? sentence(wire, angle) : ''}`.trim();
  const categories = Array.from({ length: 1 + random.int(3) }, () => random.pick(CATEGORIES));
  const authors = random.chance(0.8) ? [random.pick(AUTHORS)] : [random.pick(AUTHORS), random.pick(AUTHORS)];
  const path = `/news/${feedIndex}/${itemIndex}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60)}`;
  return {
    headline: title,
    summary,
    contentHtml: contentHtml(random, angle, host, contentBytes * (0.85 + random.next() * 0.3)),
    categories: [...new Set(categories)],
    authors: [...new Set(authors)],
    link: trackedLink(random, host, path),
    guid: `${host}:${feedIndex}:${itemIndex}`,
    publishedAt: new Date(now.getTime() - (itemIndex * 37 + (feedIndex % 60)) * 60_000),
  };
}

/** One entry as RSS 2.0 writes it, with escaped (not CDATA) HTML. */
function renderRssItem(story: GeneratedStory): string {
  return `    <item>
      <title>${escapeText(story.headline)}</title>
      <link>${escapeText(story.link)}</link>
      <guid isPermaLink="false">${escapeText(story.guid)}</guid>
      <pubDate>${story.publishedAt.toUTCString()}</pubDate>
${story.authors.map((a) => `      <dc:creator>${escapeText(a)}</dc:creator>`).join('\n')}
${story.categories.map((c) => `      <category>${escapeText(c)}</category>`).join('\n')}
      <description>${escapeText(story.summary)}</description>
      <content:encoded>${escapeText(story.contentHtml)}</content:encoded>
    </item>`;
}

/** What stands before a feed's entries, and after them. */
function rssHead(feedIndex: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Outlet ${feedIndex} News</title>
    <link>https://outlet${feedIndex}.example/</link>
    <description>Latest stories from outlet ${feedIndex}</description>
    <language>en-gb</language>
    <ttl>15</ttl>
`;
}
const RSS_TAIL = `
  </channel>
</rss>
`;

const NEWLINE = Buffer.from('\n');

/** A feed's file from its entries already encoded: each entry is encoded once for every version that holds it. */
function rssBytes(feedIndex: number, items: Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [Buffer.from(rssHead(feedIndex), 'utf8')];
  for (const [i, item] of items.entries()) {
    if (i > 0) parts.push(NEWLINE);
    parts.push(item);
  }
  parts.push(Buffer.from(RSS_TAIL, 'utf8'));
  return Buffer.concat(parts);
}

/** RSS 2.0 with escaped (not CDATA) HTML: what most real feeds send, and the harder case for a parser. */
export function renderRss(feedIndex: number, stories: GeneratedStory[]): string {
  return `${rssHead(feedIndex)}${stories.map(renderRssItem).join('\n')}${RSS_TAIL}`;
}

/** How the generated text is written: ASCII (every run of the bench so far), or with news's typography. */
export type TextStyle = 'ascii' | 'typographic';

// What news text writes that ASCII does not, on the generator's own words: a possessive
// apostrophe, an em dash for a semicolon, curly quotes, an accented place name. ~34 such
// characters an item of the default size.
const TYPOGRAPHY: [RegExp, string][] = [
  [/ proposal /g, ' proposal’s '],
  [/; /g, ' — '],
  [/according to a statement/g, 'according to a “statement”'],
  [/for the first time/g, 'for the “first” time'],
  [/Mexico/g, 'México'],
];

/** The story's text as news would write it; links and ids as they were. */
export function typeset(story: GeneratedStory): GeneratedStory {
  const set = (text: string) => TYPOGRAPHY.reduce((out, [pattern, written]) => out.replace(pattern, written), text);
  return { ...story, headline: set(story.headline), summary: set(story.summary), contentHtml: set(story.contentHtml) };
}

export function feedFileName(feedIndex: number): string {
  return `feed-${String(feedIndex).padStart(5, '0')}.rss`;
}

/** HTML content an item carries, in characters before escaping: ~7 KB an item as the feed writes it. */
const CONTENT_BYTES = 5800;

/** Where to write one version of the feeds, and how many entries newer than the first version's it starts with. */
export interface FeedVersion {
  dir: string;
  newEntries: number;
}

/**
 * Writes `feeds` RSS files of `itemsPerFeed` stories each into `dir`. With `newEntries`, each feed
 * as a later poll finds it: that many stories newer than those of the set written without, above
 * them, and as many of its oldest gone; every other entry the same bytes.
 */
export function writeFeeds(dir: string, feeds: number, itemsPerFeed: number, now: Date, style: TextStyle = 'ascii',
  newEntries = 0): GeneratedFeedSet {
  return writeFeedVersions([{ dir, newEntries }], feeds, itemsPerFeed, now, style)[0]!;
}

/** What one range of feeds wrote into each version's directory: the files in feed order, and their bytes. */
export interface WrittenRange {
  files: string[];
  bytes: number;
}

/** Empties (or makes) each version's directory: a smaller set must not leave a larger one's files behind. */
function emptyVersionDirs(versions: FeedVersion[]): void {
  for (const { dir } of versions) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
}

/**
 * Writes feeds `from` to `to` (exclusive) of every version into directories that exist. Each
 * story is generated, rendered and encoded once for all the versions that hold it: a default run's
 * two versions share 48 of each feed's 50 entries.
 */
export function writeFeedRange(versions: FeedVersion[], from: number, to: number, itemsPerFeed: number, now: Date,
  style: TextStyle = 'ascii'): WrittenRange[] {
  const newest = Math.max(0, ...versions.map((version) => version.newEntries));
  const written = versions.map((): WrittenRange => ({ files: [], bytes: 0 }));
  for (let f = from; f < to; f++) {
    // Entry k holds story k - newest: a story's words and date depend on its index alone, and the
    // ones above a version's first are newer than any it holds.
    const stories = Array.from({ length: newest + itemsPerFeed }, (_, k) => {
      const story = generateStory(f, k - newest, now, CONTENT_BYTES);
      return style === 'typographic' ? typeset(story) : story;
    });
    const rendered = stories.map((story) => Buffer.from(renderRssItem(story), 'utf8'));
    const file = feedFileName(f);
    versions.forEach((version, v) => {
      const first = newest - version.newEntries;
      const body = rssBytes(f, rendered.slice(first, first + itemsPerFeed));
      const path = join(version.dir, file);
      writeFileSync(path, body);
      // Dated by its newest entry, as a publisher's file would be. Two versions of a feed are then
      // apart by at least 37 minutes: validators made of the size and the time in seconds (nginx's)
      // cannot take the later one for the first when the two are written within a second.
      const newestAt = stories[first]?.publishedAt ?? now;
      utimesSync(path, newestAt, newestAt);
      written[v]!.files.push(file);
      written[v]!.bytes += body.length;
    });
  }
  return written;
}

function setsOf(versions: FeedVersion[], feeds: number, itemsPerFeed: number, ranges: WrittenRange[][]): GeneratedFeedSet[] {
  return versions.map(({ dir }, v) => ({
    dir, items: feeds * itemsPerFeed,
    files: ranges.flatMap((range) => range[v]!.files),
    bytes: ranges.reduce((sum, range) => sum + range[v]!.bytes, 0),
  }));
}

/** Writes several versions of the same feeds, each as writeFeeds writes it alone (writeFeedRange). */
export function writeFeedVersions(versions: FeedVersion[], feeds: number, itemsPerFeed: number, now: Date,
  style: TextStyle = 'ascii'): GeneratedFeedSet[] {
  emptyVersionDirs(versions);
  return setsOf(versions, feeds, itemsPerFeed, [writeFeedRange(versions, 0, feeds, itemsPerFeed, now, style)]);
}

/** What a generate-worker thread is given: one range of the feeds to write. */
export interface FeedRangeJob {
  versions: FeedVersion[];
  from: number;
  to: number;
  itemsPerFeed: number;
  nowMs: number;
  style: TextStyle;
}

/**
 * writeFeedVersions with the feeds split into `threads` ranges, each written by a worker thread:
 * the same files, byte for byte and dated alike. A default run's two versions of 1,000 feeds took
 * 6.4-8.8 s on one thread, nearly all of it generating text, and 5.8 s on two.
 */
export async function writeFeedVersionsApart(versions: FeedVersion[], feeds: number, itemsPerFeed: number, now: Date,
  style: TextStyle, threads: number): Promise<GeneratedFeedSet[]> {
  emptyVersionDirs(versions);
  const size = Math.ceil(feeds / Math.max(1, threads));
  const jobs: FeedRangeJob[] = [];
  for (let from = 0; from < feeds; from += size) {
    jobs.push({ versions, from, to: Math.min(feeds, from + size), itemsPerFeed, nowMs: now.getTime(), style });
  }
  const url = new URL('./generate-worker.js', import.meta.url);
  const ranges = await Promise.all(jobs.map((job) => new Promise<WrittenRange[]>((resolve, reject) => {
    const worker = new Worker(url, { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a feed-writing thread exited with ${code} before it answered`)));
  })));
  return setsOf(versions, feeds, itemsPerFeed, ranges);
}

/** A normalized Item, as ingest would store it, for filling a database directly. */
export function generateItem(feedIndex: number, itemIndex: number, now: Date, contentBytes: number): Item {
  const story = generateStory(feedIndex, itemIndex, now, contentBytes);
  return {
    identity: story.guid, guid: story.guid, url: story.link.replace(/\?utm_.*$/, ''), title: story.headline,
    summary: story.summary, contentHtml: story.contentHtml, authors: story.authors, categories: story.categories,
    publishedAt: story.publishedAt.toISOString(), updatedAt: null, language: 'en-gb', enclosures: [],
  };
}
