import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import { parseFeed } from '../../src/ingest/parse.js';
import type { Item } from '../../src/model.js';
import { CORPUS_DIR } from './support/corpus.js';

// gofeed's test data: each NAME.xml beside NAME.json, what gofeed's RSS or Atom parser read.
// gofeed keeps markup and relative links as written where we produce plain-text titles and
// absolute URLs, so both sides are compared in that reading: text through htmlToText,
// links resolved against the document address.

type Expected = Record<string, unknown>;

const DOCUMENT_URL = 'http://gofeed.example/feed.xml';

/** Cases where our reading differs from gofeed's on purpose: "file#field" → why. */
const DIFFERENCES: Record<string, string> = {
  'gofeed/parser/atom/atom03_feed_entry_author_email.xml#authors': 'an author given only by e-mail is still an author',
  'gofeed/parser/atom/atom10_feed_entry_author_email.xml#authors': 'an author given only by e-mail is still an author',
  'gofeed/parser/atom/atom10_feed_entry_category_label.xml#categories': 'a category with only a label is named by it',
  'gofeed/parser/rss/rss_channel_item_links.xml#url': 'of several <link>s the first is the item link; gofeed keeps the last',
  'gofeed/parser/rss/rdf_item_links.xml#url': 'of several <link>s the first is the item link; gofeed keeps the last',
  'gofeed/parser/atom/entry_id_xml_base.xml#guid': 'atom:id is an identifier, never resolved against xml:base (RFC 4287 §4.2.6)',
};

/** Input files with gofeed's reading beside them: NAME.xml + NAME.json, or NAME.json + NAME_expected.json. */
function pairs(folder: string): Array<{ input: string; expected: string }> {
  const dir = join(CORPUS_DIR, 'gofeed/parser', folder);
  return readdirSync(dir).flatMap((name) => {
    const expected = name.endsWith('.xml') ? name.replace(/\.xml$/, '.json') : name.replace(/\.json$/, '_expected.json');
    if (name === expected || name.endsWith('_expected.json') || !existsSync(join(dir, expected))) return [];
    return [{ input: join('gofeed/parser', folder, name), expected: join('gofeed/parser', folder, expected) }];
  });
}

function plain(value: unknown): string {
  return typeof value === 'string' ? htmlToText(value) : '';
}

function absolute(value: unknown): string | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    return new URL(value.trim(), DOCUMENT_URL).href;
  } catch {
    return null;
  }
}

function expectedFields(entry: Expected): Partial<Record<keyof Item, unknown>> {
  const fields: Partial<Record<keyof Item, unknown>> = {};
  if ('title' in entry) fields.title = plain(entry.title);
  if (typeof entry.link === 'string') fields.url = absolute(entry.link);
  if (Array.isArray(entry.links) && typeof entry.links[0] === 'object') {
    const links = entry.links as Array<{ href?: string; rel?: string }>;
    const alternate = links.find((link) => !link.rel || link.rel === 'alternate');
    if (alternate) fields.url = absolute(alternate.href);
  }
  const guid = entry.guid as { value?: string } | undefined;
  if (guid?.value !== undefined) fields.guid = guid.value.trim() || null;
  if (typeof entry.id === 'string') fields.guid = entry.id.trim() || null;
  if (Array.isArray(entry.categories)) {
    fields.categories = (entry.categories as Array<{ value?: string; term?: string }>)
      .map((category) => (category.value ?? category.term ?? '').trim())
      .filter(Boolean);
  }
  if (typeof entry.author === 'string') fields.authors = [htmlToText(entry.author)].filter(Boolean);
  if (Array.isArray(entry.authors)) {
    fields.authors = (entry.authors as Array<{ name?: string }>).flatMap((author) => (author.name ? [htmlToText(author.name)] : []));
  }
  if (Array.isArray(entry.enclosures)) {
    fields.enclosures = (entry.enclosures as Array<{ url?: string }>).flatMap((enclosure) => absolute(enclosure.url) ?? []);
  }
  // JSON Feed: url/external_url, tags, a 1.0 "author" object, attachments.
  if (typeof entry.url === 'string' || typeof entry.external_url === 'string') fields.url = absolute(entry.url ?? entry.external_url);
  if (Array.isArray(entry.tags)) fields.categories = entry.tags;
  const author = entry.author as { name?: string } | undefined;
  if (typeof author === 'object' && author?.name) fields.authors = [author.name];
  if (Array.isArray(entry.attachments)) {
    fields.enclosures = (entry.attachments as Array<{ url?: string }>).flatMap((attachment) => absolute(attachment.url) ?? []);
  }
  return fields;
}

function ourFields(item: Item, wanted: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of wanted) {
    fields[field] = field === 'enclosures' ? item.enclosures.map((enclosure) => enclosure.url) : item[field as keyof Item];
  }
  return fields;
}

describe('gofeed reference pairs', () => {
  it.each([
    ['rss', 100],
    ['atom', 100],
    ['json', 3],
  ] as const)('%s: titles, links, guids, categories, authors and enclosures match gofeed', (folder, minimumPairs) => {
    const files = pairs(folder);
    expect(files.length).toBeGreaterThanOrEqual(minimumPairs);
    const mismatches: string[] = [];
    let checked = 0;
    for (const { input: file, expected: expectedFile } of files) {
      const expected = JSON.parse(readFileSync(join(CORPUS_DIR, expectedFile), 'utf8')) as Expected;
      const entries = (expected.items ?? expected.entries ?? []) as Expected[];
      const result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url: DOCUMENT_URL, contentType: null });
      if (!result.ok) {
        if (entries.length > 0) mismatches.push(`${file}: ${result.error.message}`);
        continue;
      }
      entries.forEach((entry, index) => {
        const want = expectedFields(entry);
        const item = result.feed.items[index];
        for (const [field, value] of Object.entries(want)) {
          checked++;
          const ours = item ? ourFields(item, [field])[field] : undefined;
          if (JSON.stringify(ours) !== JSON.stringify(value) && !DIFFERENCES[`${file}#${field}`]) {
            mismatches.push(`${file}#${field}: ours ${JSON.stringify(ours)}, gofeed ${JSON.stringify(value)}`);
          }
        }
      });
    }
    expect(checked).toBeGreaterThan(minimumPairs * 0.3);
    expect(mismatches).toEqual([]);
  });
});
