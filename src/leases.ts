// Who holds a lease (the ingest lease, the hub's), and whether that process is gone. A lease
// outlives a process killed outright (SIGKILL, the OOM killer, a power cut) until it expires; a
// process restarted on the same machine can tell its predecessor is gone and take the lease at
// once, rather than skip the passes of the next minute (at a start, the first pass, and then a
// whole schedule's tick), or leave the hub's subscribers unsent for as long.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from './log.js';
import type { LeaseName, Store } from './store/index.js';

export interface LeaseProcess {
  host: string;
  pid: number;
}

/** The names this process gave its cores: one process may open several on a database. */
const namedHere = new Set<string>();

/** A name in the lease for a core of this process: host, pid and a tag that tells it from an earlier process given the same pid. */
export function leaseHolderName(self: LeaseProcess = { host: hostname(), pid: process.pid }): string {
  const name = `${self.host}:${self.pid}:${randomUUID().slice(0, 8)}`;
  namedHere.add(name);
  return name;
}

/** Whether a process of this pid runs on this machine: signal 0 checks without sending anything. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the holder named is a process of this machine that no longer runs. Another machine's
 * holder is never judged gone: its lease expires instead. A holder with this process's own pid
 * that this process did not name is an earlier process whose pid came round again, as a
 * container's first process has pid 1 at every start.
 */
export function leaseHolderIsGone(holder: string, self: LeaseProcess, runs: (pid: number) => boolean = processRuns): boolean {
  const match = /^(.*):(\d+):[^:]+$/.exec(holder);
  if (!match || match[1] !== self.host) return false;
  const pid = Number(match[2]);
  if (pid === self.pid) return !namedHere.has(holder);
  return !runs(pid);
}

/**
 * Takes or renews `lease` for `holder`; taken at once from a holder of this machine that is gone,
 * which is logged. False while another live holder has it.
 */
export async function takeLease(store: Store, lease: LeaseName, holder: string, ttlMs: number, now: Date, log: Logger): Promise<boolean> {
  if (await store.acquireLease(lease, holder, ttlMs, now)) return true;
  const held = await store.leaseHolder(lease, now);
  if (held === null || !leaseHolderIsGone(held, { host: hostname(), pid: process.pid })) return false;
  if (!(await store.acquireLease(lease, holder, ttlMs, now, held))) return false;
  log.warn({ lease, holder: held }, `took over the ${lease} lease from a process of this machine that is gone`);
  return true;
}

/** Whether a process that runs holds `lease` now: one of this machine that is gone does not. */
export async function leaseHeld(store: Store, lease: LeaseName, now: Date): Promise<boolean> {
  const held = await store.leaseHolder(lease, now);
  return held !== null && !leaseHolderIsGone(held, { host: hostname(), pid: process.pid });
}
