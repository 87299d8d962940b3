import { Router } from 'express';
import { escapeUTF8 } from 'entities';
import { renderOpml } from '../opml.js';
import type { TopicSummary } from '../store/index.js';
import type { AppDeps } from './deps.js';

const escape = escapeUTF8;

function feedLinks(baseUrl: string, slug: string) {
  return [
    { type: 'application/rss+xml', ext: 'rss', label: 'RSS' },
    { type: 'application/atom+xml', ext: 'atom', label: 'Atom' },
    { type: 'application/feed+json', ext: 'json', label: 'JSON Feed' },
  ].map((f) => ({ ...f, href: `${baseUrl}/topics/${slug}.${f.ext}` }));
}

const items = (n: number): string => `${n} ${n === 1 ? 'item' : 'items'}`;

/** The subscribe page and the OPML of every topic feed. */
export function pagesRouter(deps: AppDeps, listTopics: () => Promise<TopicSummary[]>): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const topics = await listTopics();
    const discovery = topics
      .flatMap((t) => feedLinks(deps.baseUrl, t.slug).map((f) =>
        `<link rel="alternate" type="${f.type}" title="${escape(`${t.title} (${f.label})`)}" href="${escape(f.href)}">`))
      .join('\n  ');
    const rows = topics
      // The total too: a topic of older stories (the bundled demo's are from 2010) is not empty.
      .map((t) => `<li><strong>${escape(t.title)}</strong> <code>${escape(t.query)}</code> — ${items(t.recentItemCount)} this week, ${t.itemCount} in all:
      ${feedLinks(deps.baseUrl, t.slug).map((f) => `<a href="${escape(f.href)}">${f.label}</a>`).join(' · ')}</li>`)
      .join('\n    ');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>feedsieve topics</title>
  ${discovery}
  <link rel="alternate" type="application/rss+xml" title="All items" href="${escape(`${deps.baseUrl}/feeds/all.rss`)}">
  <style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}li{margin:.5rem 0}</style>
</head>
<body>
  <h1>Topic feeds</h1>
  <p>Subscribe to a topic in your feed reader, or import <a href="${escape(`${deps.baseUrl}/opml`)}">all topics as OPML</a>.</p>
  <ul>
    ${rows || '<li>No topics yet.</li>'}
  </ul>
  <p><a href="${escape(`${deps.baseUrl}/feeds/all.rss`)}">Everything</a> (RSS)</p>
</body>
</html>
`);
  });

  router.get('/opml', async (_req, res) => {
    const topics = await deps.store.listTopicRecords();
    const feeds = topics.map((t) => ({ url: `${deps.baseUrl}/topics/${t.slug}.rss`, title: t.title, htmlUrl: `${deps.baseUrl}/` }));
    res.type('text/x-opml; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="feedsieve-topics.opml"');
    res.send(renderOpml('feedsieve topics', feeds, deps.now()));
  });

  return router;
}
