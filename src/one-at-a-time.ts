// Work that must not overlap itself (serve's pass, a read of the item logs, a look at a lease, a
// write of the marks sent through): a call while it runs joins that run, and a call after it ends
// starts the next. A failure is logged by the caller's `failed` and ends the run like a success,
// so that a timer's next call starts afresh and nobody awaiting it is thrown at.

export interface OneAtATime {
  /** Starts the work, or joins the run under way; resolves when that run ends, never rejects. */
  run(): Promise<void>;
  /** Resolves once no run is under way, runs started while it waits included. */
  idle(): Promise<void>;
  /** Whether a run is under way. */
  busy(): boolean;
}

export function oneAtATime(work: () => Promise<void>, failed: (error: unknown) => void): OneAtATime {
  let running: Promise<void> | null = null;
  return {
    run() {
      running ??= work()
        .catch((error: unknown) => {
          failed(error);
        })
        .finally(() => {
          running = null;
        });
      return running;
    },
    async idle() {
      while (running !== null) await running;
    },
    busy() {
      return running !== null;
    },
  };
}
