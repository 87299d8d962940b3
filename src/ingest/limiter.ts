// How many fetches run at once: a global cap keeps the worker's sockets and memory bounded,
// a per-host cap keeps us polite to any one server (two connections, as RFC 2616 advised). A
// task's fetch slots free once its fetch is over, while it is still being prepared and saved:
// a backlog of such tasks, bounded by their number and their bodies' bytes, keeps the parser
// worker fed through the main thread's longer saves.

export interface Limiter {
  /**
   * Runs `task` once a global slot and a slot for `host` are free and the backlog has room;
   * settles as the task does. The task frees its slots by calling `fetched` with its body's
   * bytes, which count against the backlog until it settles; a task that never calls it holds
   * its slots until then.
   */
  run<T>(host: string, task: (fetched: (bytes: number) => void) => Promise<T>): Promise<T>;
}

/** Tasks started and not settled, fetching or not, and their fetched bytes: at most these. */
export interface BacklogLimits {
  tasks: number;
  bytes: number;
}

interface Waiting {
  host: string;
  start: () => void;
}

export function createLimiter(opts: { concurrency: number; perHost: number; backlog?: BacklogLimits }): Limiter {
  const backlog = opts.backlog ?? { tasks: opts.concurrency, bytes: Number.POSITIVE_INFINITY };
  if (!(opts.concurrency >= 1) || !(opts.perHost >= 1) || !(backlog.tasks >= opts.concurrency) || !(backlog.bytes > 0)) {
    const given = `concurrency ${opts.concurrency}, perHost ${opts.perHost}, backlog ${backlog.tasks} tasks and ${backlog.bytes} bytes`;
    throw new RangeError(`limiter needs concurrency and perHost of at least 1, a backlog of as many tasks and some bytes, got ${given}`);
  }
  let running = 0;
  let unsettled = 0;
  let backlogBytes = 0;
  const runningByHost = new Map<string, number>();
  const queue: Waiting[] = [];

  const hasRoom = () => running < opts.concurrency && unsettled < backlog.tasks && backlogBytes < backlog.bytes;
  const hasRoomFor = (host: string) => hasRoom() && (runningByHost.get(host) ?? 0) < opts.perHost;

  // First come, first served, except that a task whose host is at its limit lets later tasks
  // for other hosts pass: a slow host with a long queue must not hold up everyone else.
  const startWhatFits = () => {
    for (let i = 0; i < queue.length && hasRoom(); ) {
      const next = queue[i];
      if (next !== undefined && hasRoomFor(next.host)) {
        queue.splice(i, 1);
        next.start();
      } else {
        i += 1;
      }
    }
  };

  const freeSlots = (host: string) => {
    running -= 1;
    const left = (runningByHost.get(host) ?? 1) - 1;
    if (left === 0) runningByHost.delete(host);
    else runningByHost.set(host, left);
  };

  return {
    run<T>(host: string, task: (fetched: (bytes: number) => void) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          running += 1;
          unsettled += 1;
          runningByHost.set(host, (runningByHost.get(host) ?? 0) + 1);
          let holdsSlots = true;
          let bytes = 0;
          const fetched = (bodyBytes: number) => {
            if (!holdsSlots) return;
            holdsSlots = false;
            bytes = bodyBytes;
            backlogBytes += bytes;
            freeSlots(host);
            startWhatFits();
          };
          // Going through then() turns a task that throws synchronously into a rejection.
          Promise.resolve()
            .then(() => task(fetched))
            .then(resolve, reject)
            .finally(() => {
              if (holdsSlots) {
                holdsSlots = false;
                freeSlots(host);
              }
              unsettled -= 1;
              backlogBytes -= bytes;
              startWhatFits();
            });
        };
        queue.push({ host, start });
        startWhatFits();
      });
    },
  };
}
