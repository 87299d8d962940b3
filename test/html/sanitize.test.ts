import { describe, expect, it } from 'vitest';
import { sanitizeContent, sanitizeContentWithText } from '../../src/html/sanitize.js';
import { unsafeHtmlFindings } from './unsafe-html.js';

const BASE = 'https://worldwire.example/world/2010/11/03/story';

describe('sanitizeContent', () => {
  it.each([
    ['drops scripts with their text', '<p>a</p><script>alert(1)</script><p>b</p>', '<p>a</p><p>b</p>'],
    ['drops event handlers', '<img src="/a.png" onerror="alert(1)">', '<img src="https://worldwire.example/a.png" />'],
    ['drops javascript: links, keeps the text', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['drops entity-encoded and split schemes', '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a>x</a>'],
    ['drops data: images', '<img src="data:image/png;base64,AAAA">', '<img />'],
    ['drops style attributes', '<p style="position:fixed;top:0">x</p>', '<p>x</p>'],
    ['drops style elements with their text', '<style>p{display:none}</style><p>x</p>', '<p>x</p>'],
    ['drops forms, keeps their text', '<form action="/x">Name <input name="n"></form>', 'Name'],
    ['resolves relative links and marks them nofollow', '<a href="../other">o</a>', '<a href="https://worldwire.example/world/2010/11/other" rel="noopener noreferrer nofollow">o</a>'],
    ['drops relative links without a base', '<a href="/x">x</a>', '<a>x</a>', null],
    ['keeps sane image sizes', '<img src="https://x.example/a.png" width="640" height="50%">', '<img src="https://x.example/a.png" width="640" height="50%" />'],
    ['drops oversized or odd sizes', '<img src="https://x.example/a.png" width="99999" height="1e9">', '<img src="https://x.example/a.png" />'],
    // An iframe's content is raw text to the parser, as to a browser: it stays text, escaped.
    ['drops iframes from other hosts, keeping their content as text', 'safe<iframe src="http://example.com/"> <b>description</b></iframe>', 'safe &lt;b&gt;description&lt;/b&gt;'],
    ['escapes quotes and markup in attribute values', '<img src="https://x.example/a.png" alt=\'say "hi" & <go>\' title=\'a "b"\'>', '<img src="https://x.example/a.png" alt="say &quot;hi&quot; &amp; &lt;go&gt;" title="a &quot;b&quot;" />'],
    ['drops plain-http video embeds', '<iframe src="http://www.youtube.com/embed/x"></iframe>', ''],
    [
      'sandboxes allowed video embeds',
      '<iframe src="https://www.youtube.com/embed/x" width="560" onload="x()"></iframe>',
      '<iframe src="https://www.youtube.com/embed/x" width="560" sandbox="allow-scripts allow-same-origin allow-presentation allow-popups" referrerpolicy="strict-origin-when-cross-origin"></iframe>',
    ],
  ] as [string, string, string, (string | null)?][])('%s', (_name, html, expected, base = BASE) => {
    expect(sanitizeContent(html, base)).toBe(expected);
  });

  it('drops the characters XML forbids from text and attribute values, keeping words apart', () => {
    const { html, text } = sanitizeContentWithText('<p>NATO\fsummit\u000Bin\u0000 Lisbon\uFFFE \uD800&#1;x \uD83D\uDE00</p><img src="https://x.example/a.png" alt="a\u0001b\fc">', null);
    expect(html).toBe('<p>NATO summit in Lisbon x \uD83D\uDE00</p><img src="https://x.example/a.png" alt="ab c" />');
    expect(text).toBe('NATO summit in Lisbon x \uD83D\uDE00');
  });

  it('is idempotent: sanitizing clean output changes nothing', () => {
    const once = sanitizeContent('<p>a <a href="/b">b</a><iframe src="https://player.vimeo.com/video/1"></iframe><img src="c.png" width="10"></p>', BASE);
    expect(sanitizeContent(once, BASE)).toBe(once);
  });

  // Payloads that rely on how a browser re-parses the output (namespace confusion, raw-text
  // elements, control characters in schemes).
  it.each([
    '<svg><style><img src=x onerror=alert(1)></style></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="&#14;javascript:alert(1)">x</a>',
    '<a href="javas&Tab;cript:alert(1)">x</a>',
    '<img src=x:alert(alt) onerror=eval(src) alt=0>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<div style="position:fixed;inset:0;z-index:9999">overlay</div>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<base href="https://evil.example/"><a href="x">x</a>',
    '<a href="https://ok.example/" target="_blank" ping="https://track.example/">x</a>',
  ])('comes out safe: %s', (html) => {
    const clean = sanitizeContent(html, BASE);
    expect(unsafeHtmlFindings(clean)).toEqual([]);
    expect(sanitizeContent(clean, BASE)).toBe(clean);
  });
});
