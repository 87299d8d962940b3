// How many fetches run at once: a global cap keeps the worker's sockets and memory bounded,
// a per-host cap keeps us polite to any one server (two connections, as RFC 2616 advised).

export interface Limiter {
  /** Run `task` once a global slot and a slot for `host` are free; settles as the task does. */
  run<T>(host: string, task: () => Promise<T>): Promise<T>;
}

interface Waiting {
  host: string;
  start: () => void;
}

export function createLimiter(opts: { concurrency: number; perHost: number }): Limiter {
  if (!(opts.concurrency >= 1) || !(opts.perHost >= 1)) {
    const given = `concurrency ${opts.concurrency}, perHost ${opts.perHost}`;
    throw new RangeError(`limiter needs concurrency and perHost of at least 1, got ${given}`);
  }
  let running = 0;
  const runningByHost = new Map<string, number>();
  const queue: Waiting[] = [];

  const hasRoomFor = (host: string) =>
    running < opts.concurrency && (runningByHost.get(host) ?? 0) < opts.perHost;

  // First come, first served, except that a task whose host is at its limit lets later tasks
  // for other hosts pass: a slow host with a long queue must not hold up everyone else.
  const startWhatFits = () => {
    for (let i = 0; i < queue.length && running < opts.concurrency; ) {
      const next = queue[i];
      if (next !== undefined && hasRoomFor(next.host)) {
        queue.splice(i, 1);
        next.start();
      } else {
        i += 1;
      }
    }
  };

  const finish = (host: string) => {
    running -= 1;
    const left = (runningByHost.get(host) ?? 1) - 1;
    if (left === 0) runningByHost.delete(host);
    else runningByHost.set(host, left);
    startWhatFits();
  };

  return {
    run<T>(host: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          running += 1;
          runningByHost.set(host, (runningByHost.get(host) ?? 0) + 1);
          // Going through then() turns a task that throws synchronously into a rejection.
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => finish(host));
        };
        queue.push({ host, start });
        startWhatFits();
      });
    },
  };
}
