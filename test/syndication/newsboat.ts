// Runs newsboat, a real terminal feed reader, against documents served from 127.0.0.1, and
// returns what it stored. newsboat exits 0 even when a feed fails, so its cache is the verdict.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { requireTool } from './readers.js';

const NEWSBOAT = '/usr/bin/newsboat';

export interface NewsboatFeed {
  feed: { title: string; url: string } | undefined;
  items: { guid: string; title: string; url: string; author: string; pubDate: number; content: string }[];
}

/** Serves one document at /feed and reads it with newsboat into a fresh cache (one cache per feed: it keys items by guid). */
export async function readWithNewsboat(body: string, contentType: string): Promise<NewsboatFeed> {
  requireTool(NEWSBOAT, 'newsboat');
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-newsboat-'));
  const server = createServer((req, res) => {
    if (req.url !== '/feed') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentType }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    writeFileSync(join(dir, 'urls'), `${url}\n`);
    writeFileSync(join(dir, 'config'), '');
    const cache = join(dir, 'cache.db');
    // Asynchronous on purpose: the server answering newsboat lives in this process.
    await promisify(execFile)(NEWSBOAT, ['-u', join(dir, 'urls'), '-c', cache, '-C', join(dir, 'config'), '-x', 'reload'], {
      env: { ...process.env, HOME: dir },
      timeout: 30_000,
    });
    const db = new Database(cache, { readonly: true });
    try {
      return {
        feed: db.prepare('SELECT title, url FROM rss_feed WHERE rssurl = ?').get(url) as NewsboatFeed['feed'],
        items: db
          .prepare('SELECT guid, title, url, author, pubDate, content FROM rss_item WHERE feedurl = ? ORDER BY pubDate DESC')
          .all(url) as NewsboatFeed['items'],
      };
    } finally {
      db.close();
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}
