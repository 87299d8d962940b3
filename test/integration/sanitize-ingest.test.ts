import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseDocument, DomUtils } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANITIZE_POLICY } from '../../src/html/sanitize.js';
import { CORPUS_DIR } from '../html/corpus.js';
import { unsafeHtmlFindings } from '../html/unsafe-html.js';
import { startTestService, type TestService } from '../support/service.js';

// feedparser's 745 sanitizer cases as feeds: through fetch, parse, normalize and store, then out
// through every format. Whatever the pipeline keeps, no reader may receive anything executable.
describe('the sanitizer corpus, ingested and republished', () => {
  let service: TestService;
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.xml')).sort();

  beforeAll(async () => {
    service = await startTestService({
      feeds: files.map((f) => ({ url: pathToFileURL(resolve(CORPUS_DIR, f)).href })),
      topics: [],
      extra: { ingest: { allowPrivateAddresses: true, concurrency: 16 } },
    });
    await service.core.ingest(await service.core.store.listFeeds());
  }, 120_000);
  afterAll(async () => service?.close());

  it('reads every file, and stores items from every case that sits in an entry', async () => {
    expect(files.length).toBeGreaterThanOrEqual(745);
    const feeds = await service.core.store.listFeeds();
    expect(feeds.filter((f) => f.lastError).map((f) => `${f.url}: ${f.lastError!.message}`)).toEqual([]);
    // The others test feed-level elements (feed titles, copyright, …): they have no entries to store.
    const withEntries = feeds.filter((f) => /<(entry|item)[\s>]/.test(readFileSync(fileURLToPath(f.url), 'utf8')));
    expect(withEntries.filter((f) => f.itemCount === 0).map((f) => f.url)).toEqual([]);
    expect(withEntries.length).toBeGreaterThan(550);
  });

  it('no stored item content holds an executable vector', async () => {
    const items = await service.core.store.listItems({ limit: 5000 });
    const unsafe = items.flatMap((i) => unsafeHtmlFindings(i.contentHtml).map((f) => `${i.feedId}: ${f.element} ${f.problem}`));
    expect(unsafe).toEqual([]);
    // Marked as sanitized by the current rules: feeds and the API republish it as stored.
    expect(items.filter((i) => i.sanitizedWith !== SANITIZE_POLICY).map((i) => i.id)).toEqual([]);
  });

  it.each(['rss', 'atom', 'json'])('the combined feed as %s carries no executable vector, page after page', async (format) => {
    let url: string | null = `/feeds/all.${format}?limit=500`;
    let entries = 0;
    while (url) {
      const res = await service.get(url);
      expect(res.status).toBe(200);
      const text = await res.text();
      let html: string[];
      let next: string | null;
      if (format === 'json') {
        const doc = JSON.parse(text) as { items: { content_html?: string; summary?: string }[]; next_url?: string };
        html = doc.items.map((i) => i.content_html ?? '');
        next = doc.next_url ?? null;
      } else {
        const doc = parseDocument(text, { xmlMode: true, decodeEntities: true });
        // Every element a reader renders as HTML: the decoded text of content and descriptions.
        html = DomUtils.findAll((el) => ['description', 'content:encoded', 'content', 'summary'].includes(el.name), doc.children)
          .map((el) => DomUtils.textContent(el));
        next = DomUtils.findAll((el) => el.name === 'atom:link' || el.name === 'link', doc.children)
          .find((el) => el.attribs.rel === 'next')?.attribs.href ?? null;
      }
      entries += html.length;
      const findings = html.flatMap((h) => unsafeHtmlFindings(h).map((f) => `${f.element}: ${f.problem}`));
      expect(findings).toEqual([]);
      url = next ? next.replace(service.baseUrl, '') : null;
    }
    expect(entries).toBeGreaterThan(100);
  });
});
