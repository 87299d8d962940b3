import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { requestLog } from '../../src/http/request-log.js';
import { logLines } from '../support/log-lines.js';

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(level: string) {
  const { lines, stream } = logLines();
  const app = express();
  app.use(requestLog(createLogger(level, stream), null));
  app.get('/ok', (_req, res) => res.send('ok'));
  app.get('/noisy', (req, res) => {
    req.log.warn('something odd');
    res.send('noisy');
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  return { lines, base: `http://127.0.0.1:${port}` };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('request log', () => {
  it('writes one line per request with its id, path, status and query, never the token', async () => {
    const { lines, base } = await serve('info');
    const res = await fetch(`${base}/ok?limit=5&token=secret`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    await settle();
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({ reqId: 'abc-123', method: 'GET', path: '/ok', status: 200, query: { limit: '5' } });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('logs a WebSub callback\'s path without its token', async () => {
    const { lines, base } = await serve('info');
    await fetch(`${base}/websub/Zq3-callback_token?hub.mode=subscribe`);
    await settle();
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ path: '/websub/…', status: 404, query: { 'hub.mode': 'subscribe' } });
    expect(JSON.stringify(lines)).not.toContain('Zq3-callback_token');
  });

  it('gives a handler a logger that carries the request id, and no request line below info', async () => {
    const { lines, base } = await serve('warn');
    const res = await fetch(`${base}/noisy`);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[\w-]{36}$/);
    await fetch(`${base}/ok`);
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: id, msg: 'something odd' });
  });
});
