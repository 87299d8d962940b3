import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCanonicalHttpUrl } from '../../src/html/canonical-url.js';
import { sanitizeContent } from '../../src/html/sanitize.js';

// What the sanitizer keeps as written must be what URL parsing would have given it: every text
// taken as canonical is its own href.
const hrefOf = (text: string): string | null => {
  try {
    return new URL(text).href;
  } catch {
    return null;
  }
};

// Mostly URLs the narrow form could take, with now and then a piece that parsing rewrites or refuses.
const mostly = (common: string[], odd: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...common), weight: 40 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });
const label = fc.array(mostly(['a', 'b', 'x', 'n', '0', '1', '9', '-'], ['xn--', 'B', '_', '%41', 'é', '0x']), { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const segment = fc.array(mostly(['a', 'img', '1.jpg', '.', '..', '%2e', '%2E', '%', '%20', '%zz', '-', '_', '~', "'", '(', ')', '!', '$', '&', '=', ';', ':', '@', '*', '+', ','],
  ['^', '`', '{', '}', '|', '[', ']', '\\', ' ', '\t', '\n', 'é', '☃', '"', '<', '>', '#', '?', '\u0000', '\u007f']), { maxLength: 5 }).map((p) => p.join(''));
const url = fc
  .tuple(
    mostly(['http://', 'https://'], ['HTTP://', 'https:/', 'https:///', 'ftp://', ' https://', 'https://u@', 'https://u:p@']),
    host,
    mostly([''], [':80', ':443', ':8080', '.', ':']),
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.map((s) => `/${s}`).join('')),
    fc.option(segment.map((s) => `?${s}`), { nil: '' }),
    fc.option(segment.map((s) => `#${s}`), { freq: 8, nil: '' }),
  )
  .map((parts) => parts.join(''));

/** Every http(s) URL-like run of text in the corpus files: real links, and the odd ones of parsers' tests. */
function corpusUrls(): string[] {
  const root = resolve(import.meta.dirname, '../../../shared/corpus');
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else for (const match of readFileSync(path, 'latin1').matchAll(/https?:\/\/[^\s"'<>]+/gi)) found.add(match[0]);
    }
  };
  walk(root);
  return [...found];
}

describe('isCanonicalHttpUrl', () => {
  it('takes as canonical only text that URL parsing gives back unchanged', () => {
    fc.assert(fc.property(url, (text) => !isCanonicalHttpUrl(text) || hrefOf(text) === text), { numRuns: 20_000 });
  });

  it('agrees with URL parsing on every http(s) URL of the corpus, and takes most of them', () => {
    const urls = corpusUrls();
    expect(urls.length).toBeGreaterThan(1_000);
    const canonical = urls.filter(isCanonicalHttpUrl);
    expect(canonical.filter((text) => hrefOf(text) !== text)).toEqual([]);
    // Not a test that passes by refusing everything.
    expect(canonical.length / urls.length).toBeGreaterThan(0.5);
  });

  it('takes the common forms and leaves the rest to parsing', () => {
    for (const text of ['https://cdn.outlet5.example/img/7481741.jpg', 'http://example.com/', 'https://a.example/p?utm_source=x&b=1',
      'https://news.example/2026/12/nato-summit/', "https://x.example/o'brien"]) expect(isCanonicalHttpUrl(text), text).toBe(true);
    for (const text of ['https://example.com', 'HTTPS://example.com/', 'https://Example.com/', 'https://example.com:443/',
      'https://u@example.com/', 'https://127.0.0.1/', 'https://0x7f.1/', 'https://xn--nxasmq6b.example/', 'https://a.example/./b',
      'https://a.example/%2E%2E/b', 'https://a.example/a b', 'https://a.example/#top', "https://a.example/?q='x'",
      'https://a.example/\\b', 'https://a.example/é']) expect(isCanonicalHttpUrl(text), text).toBe(false);
  });

  it('leaves the sanitizer writing the same links and images as URL parsing would', () => {
    const html = '<p><a href="https://news.example/a/b?c=1&amp;d=2">x</a> <a href="HTTPS://News.Example:443/./a">y</a> '
      + '<img src="https://cdn.example/i.jpg" alt=""> <a href="/rel/../x">z</a></p>';
    expect(sanitizeContent(html, 'https://site.example/feed/')).toBe(
      '<p><a href="https://news.example/a/b?c=1&amp;d=2" rel="noopener noreferrer nofollow">x</a> '
      + '<a href="https://news.example/a" rel="noopener noreferrer nofollow">y</a> <img src="https://cdn.example/i.jpg" alt="" /> '
      + '<a href="https://site.example/x" rel="noopener noreferrer nofollow">z</a></p>');
  });
});
