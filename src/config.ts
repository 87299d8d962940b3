import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';
import { parseQuery } from './topics/query.js';

export const TOPIC_SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

const feedUrl = z.string().refine((value) => {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' || protocol === 'file:';
  } catch {
    return false;
  }
}, 'must be an http:, https: or file: URL');

// Refused with the config, before anything is stored: a topic whose query does not parse would
// otherwise be mirrored into the database, then stop the start at its backfill.
const topicQuery = z.string().min(1).max(2000).superRefine((query, ctx) => {
  const parsed = parseQuery(query);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `not a topic query: ${parsed.error.message}` });
});

const topicSchema = z.strictObject({
  slug: z.string().regex(TOPIC_SLUG, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  title: z.string().min(1).max(200),
  query: topicQuery,
  pinned: z.boolean().default(false),
});

/** A proxy whose forwarded client address is taken: a range Express names, an address, or a range in CIDR notation. */
const trustedProxy = z.string().refine((value) => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}, 'must be loopback, linklocal, uniquelocal, an IP address or a range such as 10.0.0.0/8');

/** A feed's own fetch interval, in minutes: from every minute to once a week. */
export const FEED_INTERVAL = z.number().int().min(1).max(10_080);

// The service as the WebSub hub of its own feeds (src/websub-hub.ts): subscribers are sent a feed
// each time a pass changes it.
const hubSchema = z.strictObject({
  enabled: z.boolean().default(false),
  // The longest lease granted (an hour to 30 days), and the one given a subscriber that asks none.
  leaseSeconds: z.number().int().min(3600).max(2_592_000).default(864_000),
  maxSubscriptions: z.number().int().min(1).max(1_000_000).default(1000),
  // A delivery a callback did not take is made again this long after, then 4× as long, up to 5 times.
  retrySeconds: z.number().int().min(1).max(3600).default(60),
});

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  readToken: z.string().min(16).optional(),
  websubHub: z.url({ protocol: /^https?$/ }).optional(),
  hub: hubSchema.default(hubSchema.parse({})),
  corsOrigins: z.array(z.string().refine((value) => value === '*' || (URL.canParse(value) && new URL(value).origin === value),
    'must be * or an origin such as https://dash.example (scheme, host and port; no path or trailing slash)')).default([]),
  searchMsPerSecond: z.number().int().min(10).max(1000).default(250),
  // Which proxies' X-Forwarded-For names the client: none, every one (true), the nearest so many, or these.
  trustProxy: z.union([z.boolean(), z.number().int().min(1).max(16), z.array(trustedProxy).min(1)]).default(false),
});

// Subscriptions to the WebSub hubs feeds name: the hub calls server.baseUrl back when a feed changes.
const websubSchema = z.strictObject({
  subscribe: z.boolean().default(false),
  // An hour to 30 days; hubs grant what they choose, and leases are renewed with a fifth left.
  leaseSeconds: z.number().int().min(3600).max(2_592_000).default(864_000),
  // A hub's notification fetches its feed at once, or this long after its last fetch.
  minFetchSeconds: z.number().int().min(0).max(3600).default(60),
  // A feed whose hub announced its last three changes is polled this often instead, while the
  // lease holds (a day, as FreshRSS polls its WebSub feeds); null keeps polls at their usual pace.
  trustedPollMinutes: z.number().int().min(1).max(10_080).nullable().default(1440),
});

const ingestSchema = z.strictObject({
  schedule: z.string().refine((value) => isCronExpression(value), 'must be a cron expression such as "*/15 * * * *"').default('*/15 * * * *'),
  concurrency: z.number().int().min(1).max(256).default(8),
  perHostConcurrency: z.number().int().min(1).max(16).default(2),
  timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  maxBytes: z.number().int().min(1024).max(1_000_000_000).default(10_000_000),
  allowPrivateAddresses: z.boolean().default(false),
  minIntervalMinutes: z.number().int().min(1).default(15),
  maxIntervalMinutes: z.number().int().min(1).default(1440),
  maxBackoffMinutes: z.number().int().min(1).default(1440),
  websub: websubSchema.default(websubSchema.parse({})),
});

const fileSchema = z.strictObject({
  database: z.string().min(1).default('data/feedsieve.db'),
  server: serverSchema.default(serverSchema.parse({})),
  ingest: ingestSchema.default(ingestSchema.parse({})),
  retention: z.strictObject({ maxAgeDays: z.number().int().min(1).default(90) }).default({ maxAgeDays: 90 }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  feeds: z.array(z.strictObject({
    url: feedUrl, title: z.string().min(1).max(300).optional(), intervalMinutes: FEED_INTERVAL.optional(),
    // Where the file had this feed before: the feed stored there keeps its items under the new URL.
    formerUrls: z.array(feedUrl).max(20).optional(),
  })),
  topics: z.array(topicSchema).default([]),
});

export type FileConfig = z.infer<typeof fileSchema>;

export interface Config extends Omit<FileConfig, 'server'> {
  /** Absolute path of the SQLite file. */
  database: string;
  server: FileConfig['server'] & { baseUrl: string };
  adminToken: string | null;
  /** Where the config came from, for messages. */
  path: string;
  /** What is valid yet likely not meant, for the log at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** "feeds[2].url: must be an http:, https: or file: URL" — the path first, so an operator finds it. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
        '',
      );
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

// file: URLs in the config may be relative ("file:samples/world.rss") and then resolve against the
// config file's folder, like the database path, so the example config works from any working directory.
function resolveFeedUrl(url: string, configDir: string): string {
  if (!url.startsWith('file:') || url.startsWith('file:/')) return url;
  return pathToFileURL(resolve(configDir, url.slice('file:'.length))).href;
}

export function parseConfig(raw: unknown, path: string, env: NodeJS.ProcessEnv = {}): Config {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssues(parsed.error)}`);
  const file = parsed.data;
  const configDir = dirname(path);
  // An empty variable is unset, as a shell's `FEEDSIEVE_DB= feedsieve …` means.
  const database = env.FEEDSIEVE_DB || file.database;
  let port = file.server.port;
  if (env.PORT !== undefined && env.PORT !== '') {
    port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`PORT: must be an integer from 0 to 65535, got "${env.PORT}"`);
    }
  }
  const baseUrl = (file.server.baseUrl ?? `http://${file.server.host}:${port}`).replace(/\/+$/, '');
  const warnings: string[] = [];
  // The hub fetches the topic feeds it is told of, and an address made of the listening host and
  // port is seldom one it can reach (127.0.0.1 by default: this machine only): its pings go nowhere.
  if (file.server.websubHub && !file.server.baseUrl) {
    warnings.push(`server.websubHub is set without server.baseUrl: the hub is told of topic feeds at ${baseUrl}, made of server.host and the port; `
      + 'set server.baseUrl to the address the hub and readers use');
  }
  if (file.server.hub.enabled && file.server.websubHub) {
    throw new ConfigError(`${path}: server.hub.enabled and server.websubHub: the feeds name one hub, the service's own or another; set one of them`);
  }
  if (file.server.hub.enabled && !file.server.baseUrl) {
    warnings.push(`server.hub is enabled without server.baseUrl: the hub and its feeds are named at ${baseUrl}, made of server.host and the port; `
      + 'set server.baseUrl to the address subscribers use');
  }
  if (file.ingest.websub.subscribe && !file.server.baseUrl) {
    warnings.push(`ingest.websub.subscribe is on without server.baseUrl: hubs are given callbacks at ${baseUrl}/websub/…, made of server.host and the port; `
      + 'set server.baseUrl to an address the hubs can reach');
  }
  return {
    ...file,
    path,
    database: isAbsolute(database) ? database : resolve(configDir, database),
    server: { ...file.server, port, baseUrl },
    feeds: file.feeds.map((feed) => ({
      ...feed, url: resolveFeedUrl(feed.url, configDir),
      ...(feed.formerUrls ? { formerUrls: feed.formerUrls.map((url) => resolveFeedUrl(url, configDir)) } : {}),
    })),
    adminToken: env.FEEDSIEVE_ADMIN_TOKEN && env.FEEDSIEVE_ADMIN_TOKEN.length > 0 ? env.FEEDSIEVE_ADMIN_TOKEN : null,
    warnings,
  };
}

/** Which file to read: --config, else FEEDSIEVE_CONFIG, else ./config.json, else ./config.example.json. */
export function findConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = explicit ?? env.FEEDSIEVE_CONFIG;
  if (chosen) return resolve(cwd, chosen);
  const local = resolve(cwd, 'config.json');
  return existsSync(local) ? local : resolve(cwd, 'config.example.json');
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${path}: cannot read the config file (${(cause as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${path}: not valid JSON (${(cause as Error).message})`);
  }
  return parseConfig(raw, path, env);
}
