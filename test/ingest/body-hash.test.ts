import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyHash, isSameBody } from '../../src/ingest/body-hash.js';
import type { Core } from '../../src/main.js';
import { openClockedCore } from '../support/core.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { FIXTURE_TOPICS } from '../support/service.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/feeds');
const worldWire = readFileSync(join(FIXTURES, 'world-wire.rss'));
const briefs = readFileSync(join(FIXTURES, 'briefs.json'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the hash of a fetched body', () => {
  it('is XXH64 of its bytes, as the reference implementation gives it (xxhsum -H64, xxHash 0.8.1)', () => {
    expect(bodyHash(worldWire)).toBe('b3:1243e14f23e59651');
    expect(bodyHash(briefs)).toBe('b3:adc5a93706909004');
    expect(bodyHash(Buffer.alloc(0))).toBe('b3:ef46db3751d8e999');
  });

  it('recognises the same body under its own hash and under a SHA-256 stored before, and no other', () => {
    const hash = bodyHash(worldWire);
    expect(isSameBody(hash, worldWire, hash)).toBe(true);
    expect(isSameBody(sha256(worldWire), worldWire, hash)).toBe(true);
    expect(isSameBody(bodyHash(briefs), worldWire, hash)).toBe(false);
    expect(isSameBody(sha256(briefs), worldWire, hash)).toBe(false);
    expect(isSameBody(null, worldWire, hash)).toBe(false);
    expect(isSameBody(sha256(worldWire).toUpperCase(), worldWire, hash)).toBe(false);
  });
});

describe('a feed stored before body hashes were XXH64, read again from a server without validators', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const clock = { now: new Date('2026-11-24T12:00:00.000Z') };

  beforeAll(async () => {
    server = await startFaultServer({ '/briefs.json': { body: briefs, headers: { 'content-type': 'application/feed+json' } } });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-body-hash-'));
    core = await openClockedCore(dir, {
      topics: FIXTURE_TOPICS, feeds: [{ url: server.url('/briefs.json') }],
      ingest: { allowPrivateAddresses: true, minIntervalMinutes: 15, maxIntervalMinutes: 60 },
    }, clock);
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is recognised by the SHA-256 stored then, parsed no more, and stored with the new hash', async () => {
    const first = await core.ingest();
    if (first.status !== 'done') throw new Error('ingest was busy');
    expect(first.reports[0]).toMatchObject({ status: 'stored', inserted: 2 });
    const feedId = first.reports[0]!.feedId;
    const storedHash = () => core.store.db.prepare('SELECT content_hash FROM feeds WHERE id = ?').pluck().get(feedId);
    expect(storedHash()).toBe(bodyHash(briefs));

    // As a release before this format left it.
    core.store.db.prepare('UPDATE feeds SET content_hash = ?, next_fetch_at = NULL WHERE id = ?').run(sha256(briefs), feedId);
    clock.now = new Date(clock.now.getTime() + 2 * 3_600_000);
    const second = await core.ingest();
    if (second.status !== 'done') throw new Error('ingest was busy');
    expect(second.reports[0]).toMatchObject({ status: 'unchanged-body', inserted: 0, updated: 0, unchanged: 0 });
    expect(storedHash()).toBe(bodyHash(briefs));

    // A hash that is neither: the body is parsed again, and its entries found unchanged.
    core.store.db.prepare('UPDATE feeds SET content_hash = ?, next_fetch_at = NULL WHERE id = ?').run('0'.repeat(64), feedId);
    clock.now = new Date(clock.now.getTime() + 2 * 3_600_000);
    const third = await core.ingest();
    if (third.status !== 'done') throw new Error('ingest was busy');
    expect(third.reports[0]).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 2 });
  });
});
