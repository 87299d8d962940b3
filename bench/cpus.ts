import { spawnSync } from 'node:child_process';

/**
 * The CPUs a one-core measurement is pinned to in turn: those this process may run on, where
 * taskset can pin (Linux, util-linux), at most four; one unpinned run elsewhere.
 */
export function oneCoreCpus(): (number | null)[] {
  if (process.platform !== 'linux') return [null];
  const result = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return [null];
  // "pid 123's current affinity list: 0,2-3"
  const list = /list:\s*([\d,\s-]+)$/m.exec(result.stdout)?.[1] ?? '';
  const cpus = list.split(',').flatMap((part) => {
    const [from, to] = part.trim().split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) return [];
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  });
  return cpus.length > 0 ? cpus.slice(0, 4) : [null];
}

/** The command line that runs `command` with `args` pinned to `cpu` by taskset; as given when `cpu` is null. */
export function pinnedTo(cpu: number | null, command: string, args: readonly string[]): [string, string[]] {
  return cpu === null ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]];
}
