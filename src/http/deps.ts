import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { FeedError } from '../model.js';
import type { Store } from '../store/index.js';
import type { Hub } from '../websub-hub.js';
import type { SearchBudget } from './search-budget.js';

/**
 * What a WebSub hub's request to a callback is answered; `dueAt`: when a feed the hub said changed
 * is due; `notification`: whether a notification was taken (signed with the secret) or ignored.
 */
export interface WebSubAnswer {
  status: number;
  body: string;
  dueAt?: Date;
  notification?: 'accepted' | 'ignored';
}

/** The subscriber behind the callbacks hubs call (ingest/websub-subscriber.ts). */
export interface WebSubCallbacks {
  verify(token: string, query: { mode: string | undefined; topic: string | undefined; challenge: string | undefined;
    leaseSeconds: string | undefined; reason: string | undefined }): Promise<WebSubAnswer>;
  /** Whether a callback of this token was given to a hub. */
  isCallback(token: string): Promise<boolean>;
  notified(token: string, signature: string | undefined, body: Buffer): Promise<WebSubAnswer>;
}

/** Everything the HTTP layer needs, handed in by main.ts; nothing here reads config or env. */
export interface AppDeps {
  store: Store;
  log: Logger;
  now: () => Date;
  baseUrl: string;
  adminToken: string | null;
  readToken: string | null;
  websubHub: string | null;
  /** The service's own hub (server.hub), where subscribers ask for feeds; null when it is off. */
  hub: Pick<Hub, 'request' | 'end'> | null;
  /** Callbacks for the hubs feeds are subscribed at; null when ingest.websub.subscribe is off. */
  websub: WebSubCallbacks | null;
  /** The largest body a hub may send a callback: the largest feed a fetch reads. */
  maxFeedBytes: number;
  /** Origins whose pages may read in a browser (CORS), `*` for any; none when empty. */
  corsOrigins: readonly string[];
  /** What searches may take of the server's thread (search-budget.ts). */
  searchBudget: SearchBudget;
  /** Which proxies' X-Forwarded-For names the client (Express's `trust proxy`): what a client's search part is kept by. */
  trustProxy: boolean | number | readonly string[];
  /** How long readers may cache a feed: the ingest interval. */
  feedMaxAgeSeconds: number;
  /**
   * Called after a topic is created, edited or deleted: recompile, backfill (given a query to match
   * anew), invalidate, and tell its feed's subscribers when `feedChanged` (a pin alone changes no feed).
   */
  onTopicChanged: (slug: string, query: string | null, feedChanged: boolean) => Promise<void>;
  /**
   * Called when a feed is made due out of schedule (added, enabled, moved, refreshed, said changed by
   * its hub): fetch the due feeds now, or at `at`, rather than at the next tick.
   */
  onFeedsDue: (at?: Date) => void;
  /**
   * Called when what feed pages show of a feed changed (deleted with its items, renamed, moved):
   * topics whose `feed:` terms a rename concerns are matched again, the rendered pages dropped, and
   * the feeds' WebSub subscribers told.
   */
  onFeedChanged: () => Promise<void>;
  metrics: Metrics | null;
  /** Finds the feed behind a URL that may be a web page (its <link rel="alternate">). */
  discover?: (url: string) => Promise<{ ok: true; feedUrl: string; title: string | null } | { ok: false; error: FeedError }>;
  /** Whether the ingest schedule runs, and when it last ticked (ISO-8601). */
  scheduler: () => { alive: boolean; lastTickAt: string | null };
}
