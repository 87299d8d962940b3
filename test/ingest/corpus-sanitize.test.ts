import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/ingest/parse.js';
import { CORPUS_DIR } from './support/corpus.js';

// feedparser's sanitizer suite: script, event-handler, style and URL-scheme vectors in every
// place a feed can carry HTML. Whatever parseFeed returns as contentHtml is republished, so
// none of them may survive. The check reads the output as a browser would (an HTML parser),
// not with a pattern that a clever vector could slip past.

const DANGEROUS_TAGS = new Set(['script', 'style', 'object', 'embed', 'applet', 'form', 'input', 'button', 'meta', 'link', 'base', 'svg', 'math', 'frame', 'frameset', 'textarea', 'select']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'poster', 'action', 'formaction', 'background', 'lowsrc', 'dynsrc', 'xlink:href']);
const SAFE_IFRAME = /^https:\/\/(www\.youtube\.com|www\.youtube-nocookie\.com|player\.vimeo\.com)\//;

function dangers(html: string): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (DANGEROUS_TAGS.has(name)) found.push(`<${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (attribute.startsWith('on')) found.push(`${name}[${attribute}]`);
          if (attribute === 'style') found.push(`${name}[style]`);
          if (URL_ATTRIBUTES.has(attribute) && !/^(https?:|mailto:)/i.test(value.trim())) found.push(`${name}[${attribute}=${value}]`);
        }
        if (name === 'iframe' && !SAFE_IFRAME.test(attributes.src ?? '')) found.push(`<iframe src=${attributes.src}>`);
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return found;
}

describe('feedparser sanitize vectors through parseFeed', () => {
  it('no script, handler, style or unsafe URL survives into contentHtml', () => {
    const dir = join(CORPUS_DIR, 'feedparser/wellformed/sanitize');
    const files = readdirSync(dir).filter((name) => name.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(700);
    const survivors: string[] = [];
    let checkedItems = 0;
    for (const name of files) {
      const result = parseFeed(readFileSync(join(dir, name)), { url: 'http://sanitize.example/feed', contentType: null });
      if (!result.ok) continue;
      for (const item of result.feed.items) {
        checkedItems++;
        for (const danger of dangers(item.contentHtml)) survivors.push(`${name}: ${danger}`);
      }
    }
    expect(checkedItems).toBeGreaterThan(500);
    expect(survivors).toEqual([]);
  });

  it('the detector itself sees the vectors it looks for', () => {
    expect(dangers('<p onclick="x()">a</p><script>1</script><a href="javascript:alert(1)">b</a><img src="data:x" style="x">')).toEqual([
      'p[onclick]',
      '<script>',
      'a[href=javascript:alert(1)]',
      'img[src=data:x]',
      'img[style]',
    ]);
  });
});
