// When to fetch a feed next. Pure: the outcome, the feed's history and the clock go in, a
// date comes out. Busy feeds are polled often, quiet ones rarely; failing ones back off.
import type { FeedError } from '../model.js';

export interface ScheduleSettings {
  minIntervalMinutes: number;
  maxIntervalMinutes: number;
  maxBackoffMinutes: number;
}

export interface FeedHistory {
  consecutiveFailures: number;
  /** The feed's own hint (<ttl>, sy:updatePeriod), in minutes. */
  feedMinIntervalMinutes: number | null;
  /** How long its server said this answer stays fresh (Cache-Control max-age, Expires), in minutes. */
  serverFreshMinutes: number | null;
  /** Entries published in the last 7 days. */
  itemsLastWeek: number;
  /** The operator's interval for this feed, which replaces the one above: null for none. */
  fixedIntervalMinutes: number | null;
}

export type OutcomeKind =
  | { kind: 'success' }
  | { kind: 'error'; error: FeedError; retryAfterSeconds: number | null };

export interface NextFetch {
  nextFetchAt: Date;
  consecutiveFailures: number;
  disabled: boolean;
}

const WEEK_MINUTES = 7 * 24 * 60;
/** Past this many doublings every backoff is at its cap anyway; stops 2 ** n overflowing. */
const MAX_DOUBLINGS = 30;
/** Backoffs are spread ±25% so feeds that failed together do not all retry together. */
const JITTER = 0.25;

export function planNextFetch(
  outcome: OutcomeKind,
  history: FeedHistory,
  settings: ScheduleSettings,
  now: Date,
  random: () => number = Math.random,
): NextFetch {
  const regular = regularIntervalMinutes(history, settings);
  if (outcome.kind === 'success') {
    return { nextFetchAt: minutesAfter(now, regular), consecutiveFailures: 0, disabled: false };
  }
  const consecutiveFailures = history.consecutiveFailures + 1;
  const { error, retryAfterSeconds } = outcome;
  if (error.kind === 'gone') {
    // 410 says the feed will not come back; it stays off until someone re-enables it.
    return { nextFetchAt: minutesAfter(now, settings.maxBackoffMinutes), consecutiveFailures, disabled: true };
  }
  let delay = backoffMinutes(consecutiveFailures, settings, random);
  if (error.kind === 'rate-limited') {
    // The server said when to come back; honour that up to our own backoff cap, and never
    // come back sooner than we would have anyway.
    const asked = retryAfterSeconds === null ? delay : Math.min(retryAfterSeconds / 60, settings.maxBackoffMinutes);
    delay = Math.max(asked, regular);
  }
  return { nextFetchAt: minutesAfter(now, delay), consecutiveFailures, disabled: false };
}

/**
 * The interval for a healthy feed: the operator's for it when set; else, after Miniflux's
 * entry-frequency scheduler, one fetch per entry published in the last week (7 days / count),
 * clamped to [min, max]; a feed with no recent entries gets max. The feed's own ttl, and how long
 * its server says the answer stays fresh, can lengthen it, but the max still caps it, so a
 * misconfigured ttl or max-age of a year cannot switch a feed off.
 */
function regularIntervalMinutes(history: FeedHistory, settings: ScheduleSettings): number {
  // Asked for by name, for this feed: neither its rate, its ttl nor the global bounds say otherwise.
  if (history.fixedIntervalMinutes !== null) return history.fixedIntervalMinutes;
  const byFrequency =
    history.itemsLastWeek > 0 ? Math.round(WEEK_MINUTES / history.itemsLastWeek) : settings.maxIntervalMinutes;
  const withHints = Math.max(byFrequency, history.feedMinIntervalMinutes ?? 0, history.serverFreshMinutes ?? 0);
  return clamp(withHints, settings.minIntervalMinutes, settings.maxIntervalMinutes);
}

/** min, 2·min, 4·min, … up to the cap, each spread by jitter but never past the cap. */
function backoffMinutes(failures: number, settings: ScheduleSettings, random: () => number): number {
  const doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
  const exponential = settings.minIntervalMinutes * 2 ** doublings;
  const capped = Math.min(exponential, settings.maxBackoffMinutes);
  const jittered = capped * (1 - JITTER + 2 * JITTER * random());
  return clamp(jittered, settings.minIntervalMinutes, settings.maxBackoffMinutes);
}

/** A feed with no date yet, or an unreadable one, is due: better one fetch too many than a stalled feed. */
export function isDue(nextFetchAt: string | null, now: Date): boolean {
  if (nextFetchAt === null) return true;
  const at = Date.parse(nextFetchAt);
  return Number.isNaN(at) || at <= now.getTime();
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function minutesAfter(now: Date, minutes: number): Date {
  return new Date(now.getTime() + Math.round(minutes * 60_000));
}
