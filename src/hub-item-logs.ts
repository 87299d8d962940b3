// serve sends its hub's subscribers a feed when its own passes and edits change it. Items another
// process stores, edits or deletes in the same database (a `feedsieve ingest` run by hand or by
// cron while serve runs) change feeds too, and serve hears of them here: whenever another
// connection has committed, the item logs are read past the marks last seen.
import type { Logger } from './log.js';
import type { ChangeMarks, Store } from './store/index.js';
import type { ChangedFeeds } from './websub.js';

/** How soon another process's items are heard of, at most: a read of three numbers each time. */
export const CHANGES_ELSEWHERE_CHECK_MS = 1000;

/**
 * Calls `onChange` with the feeds another process's items changed. A window in which both this
 * process and another wrote items names this one's too, which were sent already: a subscriber is
 * then sent a feed twice, and misses nothing. Returns `stop`, and `check` for a read now.
 */
export async function watchChangesElsewhere(store: Store, onChange: (changed: ChangedFeeds) => void, log: Logger,
  everyMs: number = CHANGES_ELSEWHERE_CHECK_MS) {
  let seen: ChangeMarks = await store.changeMarks();
  let checking: Promise<void> | null = null;

  async function readPastSeen(): Promise<void> {
    const now = await store.changeMarks();
    // Only this process committed since: what it changed was sent where it changed it.
    const items = now.version === seen.version ? null : await store.itemChangesBetween(seen, now);
    seen = now;
    if (items?.any) onChange({ slugs: items.slugs, all: true });
  }

  const check = (): Promise<void> => {
    checking ??= readPastSeen()
      .catch((error: unknown) => log.error({ err: error }, 'reading what another process stored failed'))
      .finally(() => {
        checking = null;
      });
    return checking;
  };
  const timer = setInterval(() => void check(), everyMs).unref();
  return {
    check,
    stop(): void {
      clearInterval(timer);
    },
  };
}
