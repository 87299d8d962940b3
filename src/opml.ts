import { Parser } from 'htmlparser2';
import { escapeUTF8 } from 'entities';

export interface OpmlFeed {
  url: string;
  title: string | null;
}

/** Every outline with an xmlUrl, however deeply nested in folders. */
export function parseOpml(text: string): { ok: true; feeds: OpmlFeed[] } | { ok: false; error: string } {
  const feeds: OpmlFeed[] = [];
  let sawOpml = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'opml') sawOpml = true;
        if (name !== 'outline') return;
        const url = attributes.xmlUrl ?? attributes.xmlurl;
        if (url) feeds.push({ url: url.trim(), title: (attributes.title ?? attributes.text ?? '').trim() || null });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(text);
  return sawOpml ? { ok: true, feeds } : { ok: false, error: 'not an OPML document (no <opml> element)' };
}

export function renderOpml(title: string, feeds: { url: string; title: string | null; htmlUrl?: string | null }[], now: Date): string {
  const outlines = feeds
    .map((f) => {
      const text = escapeUTF8(f.title ?? f.url);
      const html = f.htmlUrl ? ` htmlUrl="${escapeUTF8(f.htmlUrl)}"` : '';
      return `    <outline type="rss" text="${text}" title="${text}" xmlUrl="${escapeUTF8(f.url)}"${html}/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>${escapeUTF8(title)}</title>
    <dateCreated>${now.toUTCString()}</dateCreated>
  </head>
  <body>
${outlines}
  </body>
</opml>
`;
}

/** The subscribable feeds as OPML; local file: feeds are the server's own and are left out. */
export function feedsOpml(feeds: { url: string; title: string | null; siteUrl: string | null }[], now: Date): string {
  const shared = feeds.filter((f) => !f.url.startsWith('file:')).map((f) => ({ url: f.url, title: f.title, htmlUrl: f.siteUrl }));
  return renderOpml('feedsieve feeds', shared, now);
}
