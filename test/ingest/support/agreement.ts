import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToText } from '../../../src/html/text.js';
import { stripTrackingParams } from '../../../src/ingest/identity.js';
import { parseFeed } from '../../../src/ingest/parse.js';
import { CORPUS_BASE_URL, CORPUS_DIR } from './corpus.js';

export const PYTHON = '/usr/bin/python3';
const DUMP_SCRIPT = new URL('./feedparser_dump.py', import.meta.url).pathname;

export type Field = 'title' | 'link' | 'id' | 'published';
export const FIELDS: Field[] = ['title', 'link', 'id', 'published'];

/** One entry as both parsers' results are compared: normalized strings, null when absent. */
export type ComparableEntry = Record<Field, string | null>;

interface FeedparserEntry {
  title: string | null;
  link: string | null;
  id: string | null;
  published: number | null;
}

export type FeedparserDump = { version: string; files: Record<string, { entries: FeedparserEntry[]; error?: string }> };

/** Runs Debian's python3-feedparser once over all files; throws with the install hint when it is missing. */
export function runFeedparser(files: string[]): FeedparserDump {
  const run = spawnSync(PYTHON, [DUMP_SCRIPT, CORPUS_BASE_URL, ...files], {
    cwd: CORPUS_DIR,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) {
    throw new Error(
      `python3-feedparser is needed for this test (apt-get install python3-feedparser); ` +
        `${PYTHON} failed: ${run.error?.message ?? run.stdout ?? ''} ${run.stderr ?? ''}`.trim(),
    );
  }
  return JSON.parse(run.stdout) as FeedparserDump;
}

/** Our entries for a corpus file, in the comparable form. */
export function oursFor(file: string): ComparableEntry[] {
  const result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url: CORPUS_BASE_URL + file, contentType: null });
  if (!result.ok) return [];
  return result.feed.items.map((item) => ({
    title: text(item.title),
    link: url(item.url),
    id: idReference(item.guid, CORPUS_BASE_URL + file),
    published: item.publishedAt ? String(Math.floor(Date.parse(item.publishedAt) / 1000)) : null,
  }));
}

export function theirsFor(file: string, entries: FeedparserEntry[]): ComparableEntry[] {
  // feedparser makes an entry of every <item>, even an empty one nested inside another.
  const real = entries.filter((entry) => entry.title || entry.link || entry.id || entry.published !== null);
  return real.map((entry) => ({
    title: text(entry.title),
    // Dropping tracking parameters is our documented link policy, not a reading difference.
    link: url(entry.link ? stripTrackingParams(entry.link.trim()) : null),
    id: idReference(entry.id, CORPUS_BASE_URL + file),
    published: entry.published === null ? null : String(entry.published),
  }));
}

// The same reading of text on both sides: feedparser keeps HTML in titles, we keep plain text.
function text(value: string | null): string | null {
  if (value === null) return null;
  const plain = htmlToText(value);
  return plain === '' ? null : plain;
}

// feedparser reads every id as a URI reference and resolves it ("t3_abc" becomes
// "http://host/dir/t3_abc"); we keep ids as written. Both sides are compared resolved.
function idReference(value: string | null, documentUrl: string): string | null {
  const id = value?.trim();
  if (!id) return null;
  try {
    return new URL(id, documentUrl).href;
  } catch {
    return id;
  }
}

// One spelling per URL: WHATWG serialization, no trailing slash.
function url(value: string | null): string | null {
  if (!value?.trim()) return null;
  let href = value.trim();
  try {
    href = new URL(href).href;
  } catch {
    // feedparser keeps links it could not resolve; compare them as written.
  }
  return href.replace(/\/+$/, '');
}
