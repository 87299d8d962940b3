// feedparser's sanitizer corpus (745 hostile and benign fragments) through our sanitizer and all
// three renderers, judged by an independent checker on the HTML a reader would receive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, DomUtils } from 'htmlparser2';
import { afterAll, describe, expect, it } from 'vitest';
import { sanitizeContent, sanitizeContentWithText } from '../../src/html/sanitize.js';
import { htmlToText } from '../../src/html/text.js';
import { renderFeed, type FeedEntry, type FeedFormat } from '../../src/syndication/render.js';
import { checkWellFormed, parseWithFeedparser } from '../syndication/readers.js';
import { sampleDocument, storedItem } from '../syndication/sample.js';
import { loadCorpus } from './corpus.js';
import { unsafeHtmlFindings } from './unsafe-html.js';

const BASE_URL = 'http://example.com/feed/';
const corpus = loadCorpus();
const fragments = corpus.flatMap(({ file, fragments }) => fragments.map((html, i) => ({ id: `${file}#${i}`, html })));
const dir = mkdtempSync(join(tmpdir(), 'feedsieve-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entries: FeedEntry[] = fragments.map(({ id, html }, i) => ({
  item: storedItem({
    id: i + 1,
    title: id,
    url: `http://example.com/item/${i + 1}`,
    contentHtml: sanitizeContent(html, BASE_URL),
  }),
  alsoReportedBy: [{ feedTitle: 'Other <b>outlet</b>', url: 'javascript:alert(1)' }],
}));

// The HTML bodies of a rendered document, keyed by entry title (the fragment's id).
function renderedHtml(format: FeedFormat, document: string): Map<string, string> {
  const out = new Map<string, string>();
  if (format === 'json') {
    for (const item of (JSON.parse(document) as { items: { title: string; content_html: string }[] }).items) {
      out.set(item.title, item.content_html);
    }
    return out;
  }
  const doc = parseDocument(document, { xmlMode: true, decodeEntities: true });
  for (const entry of DomUtils.getElementsByTagName(format === 'rss' ? 'item' : 'entry', doc)) {
    const text = (tag: string) => DomUtils.textContent(DomUtils.getElementsByTagName(tag, entry.children, false)[0] ?? []);
    out.set(text('title'), text(format === 'rss' ? 'content:encoded' : 'content'));
  }
  return out;
}

describe('unsafe-HTML checker', () => {
  it.each([
    ['<script>alert(1)</script>', 'forbidden element'],
    ['<p onclick="x()">hi</p>', 'event handler onclick'],
    ['<a href=" jav&#x09;ascript:alert(1)">x</a>', 'href='],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=">', 'src='],
    ['<a href="VBScript:msgbox(1)">x</a>', 'href='],
    ['<img srcset="ok.png 1x, javascript:alert(1) 2x">', 'srcset='],
    ['<div style="position:fixed;top:0">overlay</div>', 'style'],
    ['<span style="display: none">hidden</span>', 'style'],
    ['<iframe src="https://evil.example/"></iframe>', 'iframe from'],
    ['<object data="x.swf"></object>', 'forbidden element'],
    ['<form action="https://evil.example/"><input></form>', 'forbidden element'],
    ['<base href="https://evil.example/">', 'forbidden element'],
    ['<meta http-equiv="refresh" content="0;url=https://evil.example/">', 'forbidden element'],
    ['<link rel="stylesheet" href="https://evil.example/x.css">', 'forbidden element'],
    ['<style>body{display:none}</style>', 'forbidden element'],
    ['<embed src="x.swf">', 'forbidden element'],
  ])('flags %s', (html, problem) => {
    const findings = unsafeHtmlFindings(html);
    expect(findings.map((f) => f.problem).join(' | ')).toContain(problem);
  });

  it.each([
    '<p>Plain <a href="https://example.com/">link</a> and <img src="https://example.com/a.png" alt=""></p>',
    '<iframe src="https://www.youtube.com/embed/abc"></iframe>',
    '<p>The word javascript: in text is fine</p>',
  ])('passes %s', (html) => {
    expect(unsafeHtmlFindings(html)).toEqual([]);
  });
});

describe('feedparser sanitize corpus', () => {
  it('is all there, and most of it is unsafe before sanitizing', () => {
    expect(corpus).toHaveLength(745);
    expect(corpus.filter((c) => c.fragments.length === 0).map((c) => c.file)).toEqual([]);
    const unsafe = fragments.filter(({ html }) => unsafeHtmlFindings(html).length > 0);
    expect(unsafe.length).toBeGreaterThan(400);
  });

  it('sanitizeContent leaves nothing unsafe', () => {
    const findings = fragments.flatMap(({ id, html }) =>
      unsafeHtmlFindings(sanitizeContent(html, BASE_URL)).map((f) => `${id}: <${f.element}> ${f.problem}`),
    );
    expect(findings).toEqual([]);
  });

  it('sanitizeContentWithText gives the same HTML, and the text htmlToText reads from it', () => {
    const differing = fragments.filter(({ html }) => {
      const clean = sanitizeContent(html, BASE_URL);
      const both = sanitizeContentWithText(html, BASE_URL);
      return both.html !== clean || both.text !== htmlToText(clean);
    });
    expect(differing.map(({ id }) => id)).toEqual([]);
  });

  it('keeps the safe text: "safe … description" fragments still read so', () => {
    const script = fragments.find(({ id }) => id.startsWith('entry_content_script.xml'));
    expect(script && sanitizeContent(script.html, BASE_URL)).toBe('safe description');
    const base64 = fragments.find(({ id }) => id.startsWith('entry_content_script_base64.xml'));
    expect(base64 && sanitizeContent(base64.html, BASE_URL)).toBe('safe description');
  });

  it.each(['rss', 'atom', 'json'] as FeedFormat[])('%s: every rendered entry is safe HTML', (format) => {
    const html = renderedHtml(format, renderFeed(format, sampleDocument(format, entries)));
    expect(html.size).toBe(fragments.length);
    const findings = [...html].flatMap(([id, body]) => unsafeHtmlFindings(body).map((f) => `${id}: <${f.element}> ${f.problem}`));
    expect(findings).toEqual([]);
  });

  it.each(['rss', 'atom'] as const)('%s: the whole corpus renders to a document xmllint and feedparser accept', (format) => {
    const document = renderFeed(format, sampleDocument(format, entries));
    const file = join(dir, `corpus.${format}`);
    writeFileSync(file, document);
    expect(checkWellFormed(file)).toEqual({ ok: true, messages: '' });
    const parsed = parseWithFeedparser(document, format === 'rss' ? 'application/rss+xml' : 'application/atom+xml');
    expect(parsed.bozo_exception).toBeNull();
    expect(parsed.entries).toHaveLength(fragments.length);
  });
});
