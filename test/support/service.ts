import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { createFeedCache, type FeedCache } from '../../src/http/feed-cache.js';
import { createLogger } from '../../src/log.js';
import { buildListener, type Core, openCore } from '../../src/main.js';

export const FIXTURE_TOPICS = [
  { slug: 'nato', title: 'NATO', query: 'NATO' },
  { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' },
];

export interface TestService {
  core: Core;
  cache: FeedCache;
  baseUrl: string;
  dir: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A request with the admin token the service was started with, and a JSON body if one is given. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** A real core on a temp SQLite file plus the HTTP app on a free 127.0.0.1 port. */
export async function startTestService(options: {
  feeds: { url: string; title?: string }[];
  topics?: { slug: string; title: string; query: string }[];
  adminToken?: string;
  /** Server settings beside the host, port and base URL the helper sets. */
  server?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  /** The core's clock: when items are first seen, and what retention counts back from. */
  now?: () => Date;
}): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-test-'));
  // Reserve a port first: the feeds carry absolute self links built from baseUrl.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = parseConfig({
    database: 'test.db',
    server: { host: '127.0.0.1', port, baseUrl: `http://127.0.0.1:${port}`, ...options.server },
    ingest: { allowPrivateAddresses: true, timeoutMs: 5000 },
    feeds: options.feeds,
    topics: options.topics ?? FIXTURE_TOPICS,
    logLevel: 'silent',
    ...options.extra,
  }, join(dir, 'config.json'), options.adminToken ? { FEEDSIEVE_ADMIN_TOKEN: options.adminToken } : {});
  const log = createLogger('silent');
  const core = await openCore(config, log, options.now ? { now: options.now } : {});
  const cache = createFeedCache();
  server.on('request', buildListener(core, cache));
  const baseUrl = config.server.baseUrl;
  return {
    core, cache, baseUrl, dir,
    get: (path, headers = {}) => fetch(`${baseUrl}${path}`, { headers }),
    admin: (method, path, body) => fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.adminToken ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
