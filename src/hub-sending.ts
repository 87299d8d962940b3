// Several serve processes may share one database (behind one address, for more requests a second).
// Each is a hub its subscribers may ask, and keeps their subscriptions in the database, but one at
// a time sends: the holder of the 'hub' lease follows the item logs, so that the items of every
// process (the passes of each serve, a `feedsieve ingest` run beside them) are sent once, and makes
// the deliveries to make again. The others send only what the logs cannot tell (a topic or feed
// edited over their API or by their config read again, a feed their pass found renamed), and leave
// the deliveries a callback refused, recorded with the subscriptions, to the holder. A holder that
// stops releases the lease for another to take within a second; one killed is followed as soon by a
// process of its machine, else once its lease expires.
import { followItemLogs, type HubSending, ITEM_LOGS_CHECK_MS } from './hub-item-logs.js';
import { leaseHeld, takeLease } from './leases.js';
import type { Logger } from './log.js';
import { oneAtATime } from './one-at-a-time.js';
import type { Store } from './store/index.js';

/** What the sender needs of the hub, besides sending: the deliveries to make again, taken up or left. */
export interface HubRetries {
  /** Takes up the deliveries to make again recorded with the subscriptions. */
  resume(): Promise<void>;
  /** Leaves them to the process that sends. */
  leaveRetries(): void;
}

export interface HubSendingOptions {
  /** This process's name in the lease (leaseHolderName). */
  holder: string;
  /** How long the lease lasts without renewal; renewed a third of the way through. */
  ttlMs: number;
  /** How often a process that does not send looks whether the sender is gone; the follower's reads too. */
  everyMs?: number;
  /** Whether this process is writing items it has yet to send: its pass (see followItemLogs). */
  busy?: () => boolean;
  now?: () => Date;
}

/** Takes the hub's sending when no other process has it, and keeps it while this one runs. */
export async function holdHubSending(store: Store, hub: HubSending & HubRetries, log: Logger, options: HubSendingOptions) {
  const { holder, ttlMs, everyMs = ITEM_LOGS_CHECK_MS, busy = () => false, now = () => new Date() } = options;
  /**
   * This process's pass, or another's (a `feedsieve ingest` run, another serve's) by the ingest
   * lease: its items are sent once it ends, as a pass of this one's are, rather than each second.
   */
  const writing = async (): Promise<boolean> => busy() || leaseHeld(store, 'ingest', now());
  let itemLogs: Awaited<ReturnType<typeof followItemLogs>> | null = null;
  let renewedAt = 0;
  let stopped = false;

  async function take(): Promise<void> {
    const at = now();
    if (itemLogs !== null) {
      if (at.getTime() - renewedAt >= ttlMs / 3) {
        if (!(await store.acquireLease('hub', holder, ttlMs, at))) {
          // Its lease ran out (this process stalled past it) and another took it.
          itemLogs.stop();
          itemLogs = null;
          hub.leaveRetries();
          log.warn('another process sends the WebSub hub\'s deliveries now');
          return;
        }
        renewedAt = at.getTime();
      }
      // The deliveries to make again that another serve recorded since the last look.
      await hub.resume();
      return;
    }
    // A read, not a write: whether the one that sends runs.
    if (await leaseHeld(store, 'hub', at)) return;
    if (stopped || !(await takeLease(store, 'hub', holder, ttlMs, at, log))) return;
    renewedAt = at.getTime();
    await hub.resume();
    const follower = await followItemLogs(store, hub, log, { everyMs, busy: writing });
    if (stopped) follower.stop();
    itemLogs = follower;
  }

  const looking = oneAtATime(take, (error) => log.error({ err: error }, 'taking or renewing the WebSub hub\'s lease failed'));
  const look = (): Promise<void> => looking.run();

  await look();
  if (itemLogs === null) hub.leaveRetries();
  const timer = setInterval(() => {
    const wasSending = itemLogs !== null;
    void look().then(() => {
      if (!wasSending && itemLogs !== null) log.info('this process sends the WebSub hub\'s deliveries now');
    });
  }, everyMs).unref();

  return {
    /** Whether this process sends the hub's deliveries now. */
    sends: (): boolean => itemLogs !== null,
    /** Reads the item logs now, when this process sends: after a pass has asked for its deliveries. */
    async check(): Promise<void> {
      await itemLogs?.check();
    },
    /** Ends the reads and looks on the clock. */
    stop(): void {
      stopped = true;
      clearInterval(timer);
      itemLogs?.stop();
    },
    /** Once the marks last asked to be kept are kept, releases the lease, for another serve to send at once. */
    async settled(): Promise<void> {
      await looking.idle();
      if (itemLogs === null) return;
      await itemLogs.settled();
      await store.releaseLease('hub', holder);
    },
  };
}

export type HubSender = Awaited<ReturnType<typeof holdHubSending>>;
