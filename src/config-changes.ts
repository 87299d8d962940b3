import type { Config } from './config.js';
import { redactUrl } from './redact-url.js';

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
