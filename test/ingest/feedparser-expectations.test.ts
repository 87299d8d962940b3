import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from './support/corpus.js';
import { checkFile } from './support/feedparser-expect.js';

// feedparser's own suite states, per file, what a lenient parser should read ("Expect:").
// Every clause about a field our model has (titles, links, ids, summaries, content text,
// authors, categories, dates, languages) is checked; these are the ones we read otherwise.
const ACCEPTED: Record<string, string> = {
  "feedparser/entities/lang.xml#feed['title']": '&lang; is U+27E8 in HTML5 (entities); feedparser keeps the HTML 4 U+2329',
  "feedparser/entities/rang.xml#feed['title']": '&rang; is U+27E9 in HTML5 (entities); feedparser keeps the HTML 4 U+232A',
  "feedparser/wellformed/atom/entry_author_map_author.xml#entries[0]['author']": 'authors are names; feedparser appends the e-mail',
  "feedparser/wellformed/atom10/entry_author_map_author.xml#entries[0]['author']": 'authors are names; feedparser appends the e-mail',
  "feedparser/wellformed/atom/entry_published_parsed_date_overwriting.xml#entries[0]['published_parsed']":
    'with both <issued> and <published>, the first one written counts; feedparser keeps the last',
  "feedparser/wellformed/atom/entry_updated_multiple_values.xml#entries[0]['updated_parsed']":
    'with two <updated>, the first counts; feedparser keeps the last',
  "feedparser/wellformed/atom10/entry_content_text_plain_brackets.xml#entries[0]['content'][0]['value']":
    'text/plain content is text: "<blink>" is shown, not dropped as a tag',
  "feedparser/wellformed/base/http_entry_id_base_docuri.xml#entries[0]['id']": 'ids are identifiers, not resolved as URLs',
  "feedparser/wellformed/rss/item_description_and_summary.xml#entries[0]['content'][0]['value']":
    '<summary> is not an RSS element; the description is the content',
  "feedparser/wellformed/rss/item_summary_and_description.xml#entries[0]['summary']": '<summary> is not an RSS element; the description is the summary',
  "feedparser/wellformed/rss/item_image_link_conflict.xml#entries[0]['link']": 'URLs are normalized, so the host is lowercased',
};

function feedparserSuiteFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.xml')) files.push(relative(CORPUS_DIR, join(dir, entry.name)));
    }
  };
  walk(join(CORPUS_DIR, 'feedparser'));
  // The sanitize suite has its own test; CDF (Channel Definition Format) is not a feed format we read.
  return files.filter((file) => !file.includes('/sanitize/') && !file.includes('/cdf/'));
}

describe("feedparser's expectations", () => {
  it('hold for every clause about a field our model has, apart from the accepted differences', () => {
    const results = feedparserSuiteFiles().flatMap(checkFile);
    const failures = results.filter((result) => !result.ok);
    const unexpected = failures
      .filter((result) => !ACCEPTED[`${result.file}#${result.clause}`])
      .map((result) => `${result.file} ${result.clause}: ours ${JSON.stringify(result.ours)}, expected ${JSON.stringify(result.expected)}`);
    const stale = Object.keys(ACCEPTED).filter((key) => !failures.some((result) => `${result.file}#${result.clause}` === key));
    console.log(`feedparser expectations: ${results.length - failures.length}/${results.length} clauses hold, ${failures.length} accepted differences`);

    expect(results.length).toBeGreaterThan(500);
    expect(unexpected).toEqual([]);
    expect(stale, 'accepted differences that no longer occur').toEqual([]);
  }, 60_000);
});
