import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { createLogger } from '../../src/log.js';
import { buildListener, type Core, openCore } from '../../src/main.js';

const ADMIN = 'admin-secret-7f3a9c21d4e8';
const READ = 'read-secret-19b2c7e5a0f4';

describe('tokens', () => {
  let core: Core;
  let base: string;
  let server: ReturnType<typeof createServer>;
  let dir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-secrets-'));
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const config = parseConfig({ database: 'db.sqlite', server: { readToken: READ }, feeds: [], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }] },
      join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: ADMIN });
    core = await openCore(config, createLogger('trace', sink));
    server = createServer(buildListener(core, createFeedCache())).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with server.readToken set, reads need it (header or ?token=), and the admin token reads too', async () => {
    expect((await fetch(`${base}/api/topics`)).status).toBe(401);
    expect((await fetch(`${base}/topics/nato.rss`)).status).toBe(401);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(200);
    expect((await fetch(`${base}/topics/nato.rss?token=${READ}`)).status).toBe(200);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // liveness stays open for supervisors
  });

  it('a read token does not authorize writes', async () => {
    const res = await fetch(`${base}/api/topics`, {
      method: 'POST', body: '{"slug":"x","title":"x","query":"x"}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${READ}` },
    });
    expect(res.status).toBe(401);
  });

  it('never writes a token into logs or error responses', async () => {
    const bodies: string[] = [];
    for (const [path, init] of [
      [`/api/topics?token=${READ}`, {}],
      ['/api/topics', { headers: { authorization: `Bearer ${ADMIN}` } }],
      ['/api/topics', { method: 'POST', body: '{"slug":"y","title":"y","query":"("}', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` } }],
      ['/api/topics', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}x` } }],
      [`/api/items?token=${READ}&limit=0`, {}],
    ] as [string, RequestInit][]) {
      bodies.push(await (await fetch(`${base}${path}`, init)).text());
    }
    const logged = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const secret of [ADMIN, READ]) {
      expect(logged).not.toContain(secret);
      expect(bodies.join('')).not.toContain(secret);
    }
  });
});
