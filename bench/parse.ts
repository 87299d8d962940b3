import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { parseFeed } from '../src/ingest/parse.js';
import { median, msSince } from './stats.js';

export interface ParseDocument {
  name: string;
  body: Buffer;
  contentType: string | null;
}

export interface ParseFigures {
  documents: number;
  items: number;
  bytes: number;
  failures: number;
  ingestParse: { ms: number; itemsPerSec: number; mbPerSec: number };
  /** htmlparser2 in XML mode with no handlers over the same bytes: the floor. */
  rawXml: { ms: number; itemsPerSec: number; mbPerSec: number };
  /** ingest parse items/s ÷ raw XML items/s: how close the parse step gets to the floor. */
  ratioToFloor: number;
  runs: number;
}

function rawXmlParse(documents: ParseDocument[]): void {
  for (const document of documents) {
    const parser = new Parser({}, { xmlMode: true });
    parser.end(document.body.toString('utf8'));
  }
}

function ingestParse(documents: ParseDocument[]): { items: number; failures: number } {
  let items = 0;
  let failures = 0;
  for (const document of documents) {
    const result = parseFeed(document.body, { url: `http://127.0.0.1/${document.name}`, contentType: document.contentType });
    if (result.ok) items += result.feed.items.length;
    else failures++;
  }
  return { items, failures };
}

function rate(items: number, bytes: number, ms: number) {
  return { ms, itemsPerSec: (items * 1000) / ms, mbPerSec: bytes / 1e6 / (ms / 1000) };
}

/** Times the ingest parse step against the raw XML parser on the same documents, interleaved `repeat` times. */
export function benchParse(documents: ParseDocument[], repeat: number): ParseFigures {
  const bytes = documents.reduce((sum, d) => sum + d.body.length, 0);
  const { items, failures } = ingestParse(documents); // warm-up, and the item count
  rawXmlParse(documents);
  const parseMs: number[] = [];
  const rawMs: number[] = [];
  for (let run = 0; run < repeat; run++) {
    let started = process.hrtime.bigint();
    rawXmlParse(documents);
    rawMs.push(msSince(started));
    started = process.hrtime.bigint();
    ingestParse(documents);
    parseMs.push(msSince(started));
  }
  const ingest = rate(items, bytes, median(parseMs));
  const raw = rate(items, bytes, median(rawMs));
  return {
    documents: documents.length, items, bytes, failures,
    ingestParse: ingest, rawXml: raw, ratioToFloor: ingest.itemsPerSec / raw.itemsPerSec, runs: repeat,
  };
}

export function loadGeneratedDocuments(dir: string, files: string[]): ParseDocument[] {
  return files.map((name) => ({ name, body: readFileSync(join(dir, name)), contentType: 'application/rss+xml' }));
}

const REAL_WORLD = new Set(['real-world', 'real-world-trimmed']);

/**
 * The corpus's real-world XML feeds: those manifest.tsv marks real-world (uncompressed, not JSON)
 * plus the rss-parser captures, which the manifest does not list.
 */
export function loadCorpusDocuments(corpusDir: string): ParseDocument[] {
  const manifest = join(corpusDir, 'manifest.tsv');
  if (!existsSync(manifest)) return [];
  const [header, ...rows] = readFileSync(manifest, 'utf8').trim().split('\n').map((line) => line.split('\t'));
  const column = (name: string) => header!.indexOf(name);
  const [file, kind, format, compression] = [column('file'), column('kind'), column('format'), column('compression')];
  const names = rows
    .filter((row) => REAL_WORLD.has(row[kind] ?? '') && !row[compression] && row[format] !== 'json')
    .map((row) => row[file]!);
  const rssParserDir = join(corpusDir, 'rss-parser');
  if (existsSync(rssParserDir)) {
    names.push(...readdirSync(rssParserDir).filter((name) => /\.(rss|atom|xml|rdf)$/.test(name)).map((name) => `rss-parser/${name}`));
  }
  return names
    .filter((name) => existsSync(join(corpusDir, name)))
    .map((name) => ({ name, body: readFileSync(join(corpusDir, name)), contentType: null }));
}
