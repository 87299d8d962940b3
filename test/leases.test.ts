import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { leaseHolderIsGone, leaseHolderName, processRuns } from '../src/leases.js';
import { useTempStores } from './support/temp-store.js';

const SELF = { host: 'box-1', pid: 4242 };

describe('leaseHolderIsGone', () => {
  it('judges a holder of this machine by whether its process runs, and never one of another machine', () => {
    const running = new Set([77]);
    const runs = (pid: number) => running.has(pid);
    expect(leaseHolderIsGone('box-1:77:a1b2c3d4', SELF, runs)).toBe(false);
    expect(leaseHolderIsGone('box-1:78:a1b2c3d4', SELF, runs)).toBe(true);
    expect(leaseHolderIsGone('box-2:78:a1b2c3d4', SELF, runs)).toBe(false);
    // A host whose name begins with this one's is another host.
    expect(leaseHolderIsGone('box-1.lan:78:a1b2c3d4', SELF, runs)).toBe(false);
    expect(leaseHolderIsGone('not a holder', SELF, runs)).toBe(false);
  });

  it('takes an earlier process given this one\'s pid, as a container\'s pid 1 at every start, for gone; never a core of this one', () => {
    expect(leaseHolderIsGone('box-1:4242:0000ffff', SELF, () => true)).toBe(true);
    const mine = leaseHolderName(SELF);
    expect(leaseHolderIsGone(mine, SELF, () => true)).toBe(false);
  });

  it('names this process so that the name reads back as this machine and pid, with a tag of its own', () => {
    const a = leaseHolderName(SELF);
    const b = leaseHolderName(SELF);
    expect(a).toMatch(/^box-1:4242:[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(leaseHolderIsGone(a, { host: 'box-1', pid: 1 }, (pid) => pid === 4242)).toBe(false);
  });

  it('tells a running process from one that exited', () => {
    expect(processRuns(process.pid)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    expect(processRuns(Number(exited.stdout))).toBe(false);
  });
});

describe('leases in the store', () => {
  const temp = useTempStores('lease');

  it('is taken from a holder named gone before it expires, and only from that holder', async () => {
    const store = temp.open();
    const now = new Date('2026-12-01T10:00:00.000Z');
    expect(await store.acquireLease('ingest', 'dead', 60_000, now)).toBe(true);
    expect(await store.acquireLease('ingest', 'next', 60_000, now)).toBe(false);
    expect(await store.acquireLease('ingest', 'next', 60_000, now, 'someone-else')).toBe(false);
    expect(await store.leaseHolder('ingest', now)).toBe('dead');
    expect(await store.acquireLease('ingest', 'next', 60_000, now, 'dead')).toBe(true);
    expect(await store.leaseHolder('ingest', now)).toBe('next');
    // Taken, it is held as any other: the gone holder's name no longer takes it back.
    expect(await store.acquireLease('ingest', 'third', 60_000, now, 'dead')).toBe(false);
  });

  it('holds the ingest lease and the hub\'s apart, each until released or expired', async () => {
    const store = temp.open();
    const now = new Date('2026-12-01T10:00:00.000Z');
    const later = new Date(now.getTime() + 60_000);
    expect(await store.acquireLease('ingest', 'a', 60_000, now)).toBe(true);
    expect(await store.acquireLease('hub', 'b', 60_000, now)).toBe(true);
    expect(await store.leaseHolder('ingest', now)).toBe('a');
    expect(await store.leaseHolder('hub', now)).toBe('b');
    // Renewed by its holder only.
    expect(await store.acquireLease('hub', 'a', 60_000, now)).toBe(false);
    expect(await store.acquireLease('hub', 'b', 120_000, now)).toBe(true);
    // Released by its holder only, the other lease kept.
    await store.releaseLease('hub', 'a');
    expect(await store.leaseHolder('hub', now)).toBe('b');
    await store.releaseLease('ingest', 'a');
    expect(await store.leaseHolder('ingest', now)).toBeNull();
    expect(await store.leaseHolder('hub', now)).toBe('b');
    // Expired, nobody holds it, and anyone may take it.
    expect(await store.leaseHolder('hub', new Date(now.getTime() + 120_000))).toBeNull();
    expect(await store.acquireLease('hub', 'a', 60_000, later)).toBe(false);
    expect(await store.acquireLease('hub', 'a', 60_000, new Date(now.getTime() + 120_000))).toBe(true);
  });
});
