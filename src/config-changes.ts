import type { Config } from './config.js';
import type { TopicRecord } from './model.js';
import { redactUrl } from './redact-url.js';
import type { ChangedFeeds } from './websub.js';

// What a config read again (serve, on SIGHUP) changes. Its feeds and topics are mirrored into the
// database as at a start; every other setting is held by the running service and waits for the next.

/** The feeds and topics a config read again adds, changes or drops, by URL (without its password) and slug. */
export interface MirroredChanges {
  feedsAdded: string[];
  feedsRemoved: string[];
  /** Feeds given another URL that kept their items: not added or removed. */
  feedsMoved: { from: string; to: string }[];
  topicsAdded: string[];
  topicsChanged: string[];
  topicsRemoved: string[];
}

/** `moves`: the feeds the mirroring gave another URL (store's syncConfigFeeds). */
export function mirroredChanges(running: Config, next: Config, moves: readonly { from: string; to: string }[] = []): MirroredChanges {
  const movedFrom = new Set(moves.map((move) => move.from));
  const movedTo = new Set(moves.map((move) => move.to));
  const feedsBefore = new Set(running.feeds.map((feed) => feed.url).filter((url) => !movedFrom.has(url)));
  const feedsAfter = new Set(next.feeds.map((feed) => feed.url).filter((url) => !movedTo.has(url)));
  const topicsBefore = new Map(running.topics.map((topic) => [topic.slug, topic]));
  const topicsAfter = new Map(next.topics.map((topic) => [topic.slug, topic]));
  return {
    feedsAdded: [...feedsAfter].filter((url) => !feedsBefore.has(url)).map(redactUrl),
    feedsRemoved: [...feedsBefore].filter((url) => !feedsAfter.has(url)).map(redactUrl),
    feedsMoved: moves.map(({ from, to }) => ({ from: redactUrl(from), to: redactUrl(to) })),
    topicsAdded: [...topicsAfter.keys()].filter((slug) => !topicsBefore.has(slug)),
    topicsChanged: [...topicsAfter].filter(([slug, topic]) => {
      const before = topicsBefore.get(slug);
      return before !== undefined && JSON.stringify(before) !== JSON.stringify(topic);
    }).map(([slug]) => slug),
    topicsRemoved: [...topicsBefore.keys()].filter((slug) => !topicsAfter.has(slug)),
  };
}

/** A feed as the service's own feeds name it, in each item from it. */
export interface FeedAddress {
  url: string;
  title: string | null;
  siteUrl: string | null;
}

/**
 * Which of the service's feeds a mirrored config changed, from the stored topics and feeds before
 * and after it: a topic added, given another title or query changes its feed, as does one matched
 * again for a renamed feed (`rematched`); a feed removed, moved or renamed may show in any topic's
 * feed and in the combined one; a topic removed takes its feed with it (`gone`). A feed added
 * changes nothing until it is fetched.
 */
export function configChanges(topicsBefore: readonly TopicRecord[], topicsAfter: readonly TopicRecord[],
  feedsBefore: readonly FeedAddress[], feedsAfter: readonly FeedAddress[], rematched: readonly string[]): ChangedFeeds {
  const slugsNow = new Set(topicsAfter.map((topic) => topic.slug));
  const gone = topicsBefore.map((topic) => topic.slug).filter((slug) => !slugsNow.has(slug));
  const feedsNow = new Set(feedsAfter.map((feed) => JSON.stringify([feed.url, feed.title, feed.siteUrl])));
  if (feedsBefore.some((feed) => !feedsNow.has(JSON.stringify([feed.url, feed.title, feed.siteUrl])))) return { slugs: 'every', all: true, gone };
  // What a topic's feed shows of it: a pin changes how long items are kept, not the feed.
  const shown = (topic: TopicRecord) => JSON.stringify([topic.title, topic.query]);
  const before = new Map(topicsBefore.map((topic) => [topic.slug, shown(topic)]));
  const edited = topicsAfter.filter((topic) => before.get(topic.slug) !== shown(topic)).map((topic) => topic.slug);
  return { slugs: [...new Set([...edited, ...rematched])], all: false, gone };
}

const MIRRORED = new Set(['feeds', 'topics', 'path', 'warnings']);

function leaves(value: unknown, prefix: string, into: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (prefix === '' && MIRRORED.has(key)) continue;
      leaves(child, prefix === '' ? key : `${prefix}.${key}`, into);
    }
  } else {
    into.set(prefix, JSON.stringify(value) ?? 'undefined');
  }
}

/**
 * The settings, by path ("server.port", "ingest.timeoutMs"), whose value differs between the
 * running config and one read again: they take effect at the next start. Names only, never
 * values, since a value may be a token.
 */
export function settingsNeedingRestart(running: Config, next: Config): string[] {
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  leaves(running, '', before);
  leaves(next, '', after);
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}
