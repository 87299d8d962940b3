import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWithFeedparser, requireTool, validateRelaxNg } from '../syndication/readers.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

// Real readers subscribed to the service's own topic feeds on 127.0.0.1.
const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const NATO = ['NATO, Russia consider joint missile defence plan', 'Afghan transit route reopens for supply convoys', 'What to expect from the Lisbon summit'];
const DEFENCE = ['NATO, Russia consider joint missile defence plan', 'What to expect from the Lisbon summit', 'Pentagon weighs new interceptor sites for missile defense'];

describe('feed readers accept the topic feeds', () => {
  let origin: StaticServer;
  let service: TestService;
  let dir: string;

  beforeAll(async () => {
    origin = await startStaticServer(FIXTURES);
    service = await startTestService({
      feeds: ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json', 'broken.rss'].map((f) => ({ url: origin.url(f) })),
    });
    await service.core.ingest(await service.core.store.listFeeds());
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-readers-'));
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // newsboat keys items by guid across feeds, so each feed gets its own cache.
  async function newsboat(path: string) {
    requireTool('/usr/bin/newsboat', 'newsboat');
    const home = mkdtempSync(join(dir, 'nb-'));
    writeFileSync(join(home, 'urls'), `${service.baseUrl}${path}\n`);
    writeFileSync(join(home, 'config'), '');
    await promisify(execFile)('/usr/bin/newsboat', ['-u', join(home, 'urls'), '-c', join(home, 'cache.db'), '-C', join(home, 'config'), '-x', 'reload'],
      { env: { ...process.env, HOME: home }, timeout: 30_000 });
    const db = new Database(join(home, 'cache.db'), { readonly: true });
    try {
      return db.prepare('SELECT title, url, guid FROM rss_item').all() as { title: string; url: string; guid: string }[];
    } finally {
      db.close();
    }
  }

  it.each([
    ['/topics/nato.rss', NATO],
    ['/topics/nato.atom', NATO],
    ['/topics/missile-defence.rss', DEFENCE],
    ['/topics/missile-defence.atom', DEFENCE],
    // The address as a person shares it: newsboat asks for "*/*" and is sent to the RSS feed.
    ['/topics/nato', NATO],
  ])('newsboat subscribed to %s shows exactly the expected entries', async (path, expected) => {
    const items = await newsboat(path);
    expect(items.map((i) => i.title).sort()).toEqual([...expected].sort());
    expect(items.every((i) => i.url.startsWith('https://'))).toBe(true);
    expect(new Set(items.map((i) => i.guid)).size).toBe(items.length);
  });

  it.each(['rss', 'atom'])('python feedparser reads nato.%s with bozo == 0 and the expected entries', async (format) => {
    const res = await service.get(`/topics/nato.${format}`);
    const parsed = parseWithFeedparser(await res.text(), res.headers.get('content-type')!);
    expect(parsed.bozo_exception).toBeNull();
    expect(parsed.bozo).toBe(0);
    expect(parsed.entries.map((e) => e.title).sort()).toEqual([...NATO].sort());
    expect(parsed.entries.every((e) => e.id.startsWith('tag:feedsieve,'))).toBe(true);
  });

  it('the Atom topic feed validates against the RFC 4287 RELAX NG schema', async () => {
    for (const slug of ['nato', 'missile-defence']) {
      const file = join(dir, `${slug}.atom`);
      writeFileSync(file, await (await service.get(`/topics/${slug}.atom`)).text());
      const result = validateRelaxNg(file, resolve(import.meta.dirname, '../fixtures/schemas/atom.rng'));
      expect(result.messages).toContain('validates');
      expect(result.ok, result.messages).toBe(true);
    }
  });

  it('the JSON topic feed validates against the JSON Feed 1.1 schema', async () => {
    const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules/jsonfeed-schema/schema-v1.1.json'), 'utf8')) as object;
    const ajv = new Ajv.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const slug of ['nato', 'missile-defence']) {
      const doc = (await (await service.get(`/topics/${slug}.json`)).json()) as { version: string; items: { title: string }[] };
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
      expect(doc.items.map((i) => i.title).sort()).toEqual([...(slug === 'nato' ? NATO : DEFENCE)].sort());
    }
  });
});
