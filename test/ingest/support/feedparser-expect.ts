import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToText } from '../../../src/html/text.js';
import { parseFeed } from '../../../src/ingest/parse.js';
import type { ParsedFeed } from '../../../src/model.js';
import { CORPUS_DIR } from './corpus.js';

// Reads the "Expect:" line of a feedparser test file, a Python expression over feedparser's
// result, for the clauses that have a counterpart in our model; files whose expectation
// needs anything else are not checked.

/** The address feedparser's own suite serves its files from (the base of relative links). */
export const FEEDPARSER_SUITE_URL = 'http://127.0.0.1:8097/';

export interface Clause {
  path: string;
  expected: string | number[];
}

export interface CheckResult {
  file: string;
  clause: string;
  ours: unknown;
  expected: unknown;
  ok: boolean;
}

const SUPPORTED: Record<string, (feed: ParsedFeed) => unknown> = {
  "feed['title']": (feed) => feed.title,
  "feed['title_detail']['value']": (feed) => feed.title,
  "feed['link']": (feed) => feed.siteUrl,
  "feed['language']": (feed) => feed.language,
  "entries[0]['title']": (feed) => feed.items[0]?.title,
  "entries[0]['title_detail']['value']": (feed) => feed.items[0]?.title,
  "entries[0]['link']": (feed) => feed.items[0]?.url,
  "entries[0]['id']": (feed) => feed.items[0]?.guid,
  "entries[0]['guid']": (feed) => feed.items[0]?.guid,
  "entries[0]['summary']": (feed) => feed.items[0]?.summary,
  "entries[0]['description']": (feed) => feed.items[0]?.summary,
  "entries[0]['content'][0]['value']": (feed) => htmlToText(feed.items[0]?.contentHtml ?? ''),
  "entries[0]['author']": (feed) => feed.items[0]?.authors[0],
  "entries[0]['author_detail']['name']": (feed) => feed.items[0]?.authors[0],
  "entries[0]['tags'][0]['term']": (feed) => feed.items[0]?.categories[0],
  "entries[0]['category']": (feed) => feed.items[0]?.categories[0],
  "entries[0]['published_parsed']": (feed) => feed.items[0]?.publishedAt,
  "entries[0]['updated_parsed']": (feed) => feed.items[0]?.updatedAt ?? feed.items[0]?.publishedAt,
  "entries[0]['enclosures'][0]['href']": (feed) => feed.items[0]?.enclosures[0]?.url,
};

/** The supported clauses of an Expect line, or null when any clause is beyond our model. */
export function readExpectation(source: string): Clause[] | null {
  const line = /^Expect:\s*(.*)$/m.exec(source)?.[1]?.trim();
  if (!line) return null;
  const clauses: Clause[] = [];
  for (const part of line.split(/\s+and\s+(?=(?:not\s+)?[a-z(])/)) {
    const clause = part.trim().replace(/^\((.*)\)$/, '$1');
    if (clause === 'not bozo' || clause === 'bozo') continue;
    const match = /^((?:feed|entries\[0\])(?:\[[^\]]+\])+)\s*==\s*(.+)$/.exec(clause);
    if (!match) return null;
    const path = (match[1] as string).replace(/"/g, "'");
    if (!SUPPORTED[path]) return null;
    const value = pythonValue(match[2] as string);
    if (value === null) return null;
    clauses.push({ path, expected: value });
  }
  return clauses.length > 0 ? clauses : null;
}

/** A Python string literal (with + concatenation) or a time tuple; null for anything else. */
function pythonValue(source: string): string | number[] | null {
  const tuple = /^\((\d+(?:,\s*\d+)*)\)$/.exec(source.trim());
  if (tuple) return (tuple[1] as string).split(',').map((part) => Number(part.trim()));
  let rest = source.trim();
  let value = '';
  while (rest) {
    const literal = /^[uU]?(['"])((?:\\.|(?!\1).)*)\1\s*(?:\+\s*)?/.exec(rest);
    if (!literal) return null;
    value += unescapePython(literal[2] as string);
    rest = rest.slice(literal[0].length);
  }
  return value;
}

function unescapePython(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_all, escape: string) => {
    if (/^[xuU]/.test(escape) && escape.length > 1) return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[escape] ?? `\\${escape}`;
  });
}

/** Our value next to feedparser's expectation, both in the plain reading our model uses. */
export function checkFile(file: string): CheckResult[] {
  const bytes = readFileSync(join(CORPUS_DIR, file));
  const head = bytes.toString('latin1');
  // Other HTTP headers (Content-Location, Content-Language) never reach parseFeed.
  if (/^Header:\s*(?!Content-type:)/im.test(head)) return [];
  const header = /^Header:\s*Content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? null;
  const clauses = readExpectation(head);
  if (!clauses) return [];
  const result = parseFeed(bytes, { url: FEEDPARSER_SUITE_URL + file.replace(/^feedparser\//, ''), contentType: header });
  return clauses.map(({ path, expected }) => {
    const ours = result.ok ? SUPPORTED[path]!(result.feed) : `parse error: ${result.error.message}`;
    const want = Array.isArray(expected) ? tupleToIso(expected) : plain(path, expected);
    return { file, clause: path, ours: ours ?? null, expected: want, ok: (ours ?? null) === want };
  });
}

function plain(path: string, value: string): string | null {
  if (/\['(link|id|guid|href|language)'\]$/.test(path)) return value.trim() || null;
  return htmlToText(value) || (path.startsWith('feed') ? null : '');
}

function tupleToIso([year, month, day, hour, minute, second]: number[]): string {
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!)).toISOString();
}
