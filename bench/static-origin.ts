// The origin when nginx is not installed: a static file server run as its own process
// (node dist/bench/static-origin.js ROOT PORT conditional|full), so it never shares a core's
// event loop with what it serves.
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [root = '.', portText = '0', mode = 'conditional'] = process.argv.slice(2);

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://origin').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const info = await stat(join(root, path));
    if (!info.isFile()) throw new Error('not a file');
    const headers: Record<string, string> = { 'Content-Type': path.endsWith('.json') ? 'application/feed+json' : 'application/rss+xml' };
    if (mode === 'conditional') {
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      headers.ETag = etag;
      headers['Last-Modified'] = info.mtime.toUTCString();
      const since = req.headers['if-modified-since'];
      const unchanged = req.headers['if-none-match'] !== undefined
        ? req.headers['if-none-match'] === etag
        : since !== undefined && Date.parse(since) >= Math.floor(info.mtimeMs / 1000) * 1000;
      if (unchanged) {
        res.writeHead(304, headers).end();
        return;
      }
    }
    const body = await readFile(join(root, path));
    res.writeHead(200, { ...headers, 'Content-Length': String(body.length) }).end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
});

server.keepAliveTimeout = 30_000;
server.listen(Number(portText), '127.0.0.1');
