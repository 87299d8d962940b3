// serve's hub sends a feed when serve's own passes and edits change it. The item logs (item ids,
// edit numbers, deletion numbers) tell it what else it must send, read past the marks it last sent
// through: the items another process stores, edits or deletes in the same database (a `feedsieve
// ingest` run by hand or by cron while serve runs), heard of whenever another connection has
// committed; and, when it starts, what came past the marks it kept while no hub was sending
// (deliveries a crash or a stop cut short, items stored while serve was down).
import type { Logger } from './log.js';
import { oneAtATime } from './one-at-a-time.js';
import type { ChangeMarks, ItemMarks, Store } from './store/index.js';
import type { ChangedFeeds } from './websub.js';

/** How soon another process's items are heard of, at most: a read of three numbers each time. */
export const ITEM_LOGS_CHECK_MS = 1000;

/** What the follower needs of the hub. */
export interface HubSending {
  /** Sends the changed feeds to their subscribers, apart from the caller. */
  send(changed: ChangedFeeds): void;
  /**
   * Resolves once everything sent so far is delivered or recorded to be made again: true; false once
   * a delivery was not made (cut short by closing the hub, or failed).
   */
  idle(): Promise<boolean>;
}

const sameMarks = (a: ItemMarks, b: ItemMarks | null) => b !== null && a.item === b.item && a.edit === b.edit && a.deletion === b.deletion;

export interface FollowOptions {
  everyMs?: number;
  /**
   * Whether items are being written whose deliveries are yet to be asked for: this process's pass
   * (the reads on the clock wait, so that marks are never kept past such items), or another's (so
   * that its items are sent once it ends, not a feed at a time).
   */
  busy?: () => boolean | Promise<boolean>;
}

/**
 * Follows the item logs for the hub. A window in which both this process and another wrote items
 * names this one's too, which were sent already: a subscriber is then sent a feed twice, and misses
 * nothing. `check` reads the logs now: serve calls it after each pass has asked for its deliveries,
 * so that the pass's items are taken as sent once they are. `stop` ends the reads on the clock.
 */
export async function followItemLogs(store: Store, hub: HubSending, log: Logger, options: FollowOptions = {}) {
  const { everyMs = ITEM_LOGS_CHECK_MS, busy = () => false } = options;
  let kept = await store.hubSentThrough();
  const now = await store.changeMarks();
  // With marks kept, the first read sends what came past them, whoever wrote it; else it starts here.
  let seen: ItemMarks & { version: number | null } = kept === null ? now : { ...kept, version: null };
  let toKeep: ItemMarks | null = null;

  /** Keeps the latest marks asked for once what was sent for them is delivered. */
  const keeping = oneAtATime(async () => {
    while (toKeep !== null && !sameMarks(toKeep, kept)) {
      const next: ItemMarks = toKeep;
      if (!(await hub.idle())) return;
      await store.keepHubSentThrough(next);
      kept = next;
    }
  }, (error) => log.error({ err: error }, 'keeping the marks the WebSub hub sent through failed'));
  function keepOnceSent(marks: ItemMarks): void {
    toKeep = marks;
    void keeping.run();
  }

  async function readPastSeen(): Promise<void> {
    const current: ChangeMarks = await store.changeMarks();
    // Only this process committed since: what it changed was sent where it changed it.
    const items = current.version === seen.version ? null : await store.itemChangesBetween(seen, current);
    seen = current;
    if (items?.any) hub.send({ slugs: items.slugs, all: true });
    if (!sameMarks(current, kept)) keepOnceSent(current);
  }

  const checking = oneAtATime(readPastSeen, (error) => log.error({ err: error }, 'reading the item logs for the WebSub hub failed'));
  const check = (): Promise<void> => checking.run();
  const timer = setInterval(() => {
    void (async () => {
      if (!(await busy())) await check();
    })().catch((error: unknown) => log.error({ err: error }, 'reading the item logs for the WebSub hub failed'));
  }, everyMs).unref();
  await check();
  return {
    check,
    /** Resolves once the marks last asked to be kept are kept, or a delivery for them was not made. */
    async settled(): Promise<void> {
      await keeping.idle();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
