import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedError, FeedErrorKind } from '../../src/model.js';
import { isDue, planNextFetch, type FeedHistory, type OutcomeKind } from '../../src/ingest/schedule.js';

const settings = { minIntervalMinutes: 15, maxIntervalMinutes: 1440, maxBackoffMinutes: 1440 };
const now = new Date('2026-11-24T12:00:00.000Z');
const noJitter = () => 0.5;

function history(overrides: Partial<FeedHistory> = {}): FeedHistory {
  return { consecutiveFailures: 0, feedMinIntervalMinutes: null, serverFreshMinutes: null, itemsLastWeek: 0, fixedIntervalMinutes: null, ...overrides };
}

function failed(kind: FeedErrorKind, retryAfterSeconds: number | null = null): OutcomeKind {
  const error: FeedError = { kind, message: `GET https://news.example/feed: ${kind}` };
  return { kind: 'error', error, retryAfterSeconds };
}

function minutesUntil(next: { nextFetchAt: Date }): number {
  return (next.nextFetchAt.getTime() - now.getTime()) / 60_000;
}

describe('planNextFetch with the server\'s freshness', () => {
  it.each([
    [1000, 60, null, 60, 'a firehose whose server says an hour is asked hourly'],
    [100, 30, null, 101, 'a freshness shorter than the computed interval changes nothing'],
    [1000, 60, 120, 120, 'the longer of ttl and freshness wins'],
    [1000, 0, null, 15, 'max-age=0 leaves the minimum'],
    [1000, 525_600, null, 1440, 'a freshness of a year is capped at the maximum'],
  ] as Array<[number, number, number | null, number, string]>)('%i entries a week, fresh %i min, ttl %s → every %i minutes (%s)', (itemsLastWeek, fresh, ttl, minutes) => {
    const next = planNextFetch({ kind: 'success' }, history({ itemsLastWeek, serverFreshMinutes: fresh, feedMinIntervalMinutes: ttl }), settings, now);
    expect(minutesUntil(next)).toBe(minutes);
  });

  it('gives way to the operator\'s interval for the feed', () => {
    const next = planNextFetch({ kind: 'success' }, history({ itemsLastWeek: 1000, serverFreshMinutes: 600, fixedIntervalMinutes: 5 }), settings, now);
    expect(minutesUntil(next)).toBe(5);
  });
});

describe('planNextFetch after a success', () => {
  it.each([
    [0, null, 1440, 'a feed with nothing new this week waits the maximum'],
    [7, null, 1440, 'one entry a day: daily'],
    [14, null, 720, 'two entries a day: twice a day'],
    [100, null, 101, 'a hundred entries a week: every 7 days / 100, rounded'],
    [1000, null, 15, 'a firehose is held to the minimum interval'],
    [100, 180, 180, 'a ttl longer than the computed interval wins'],
    [1000, 5, 15, 'a ttl shorter than the minimum changes nothing'],
    [100, 525600, 1440, 'a ttl of a year is capped at the maximum'],
  ] as Array<[number, number | null, number, string]>)('%i entries a week, ttl %s → every %i minutes (%s)', (itemsLastWeek, ttl, minutes) => {
    const next = planNextFetch(
      { kind: 'success' },
      history({ itemsLastWeek, feedMinIntervalMinutes: ttl, consecutiveFailures: 4 }),
      settings,
      now,
    );
    expect(minutesUntil(next)).toBe(minutes);
    expect(next).toMatchObject({ consecutiveFailures: 0, disabled: false });
  });
});

describe('planNextFetch for a feed given its own interval', () => {
  it.each([
    [1000, null, 5, 'a firehose every 5 minutes: under the global minimum of 15, as asked'],
    [0, 525600, 30, 'a quiet feed with a ttl of a year every 30 minutes: neither its rate nor its ttl counts'],
    [7, null, 2880, 'a daily feed every two days: past the global maximum of 1,440, as asked'],
  ] as Array<[number, number | null, number, string]>)('%i entries a week, ttl %s, asked every %i minutes (%s)', (itemsLastWeek, ttl, minutes) => {
    const next = planNextFetch({ kind: 'success' }, history({ itemsLastWeek, feedMinIntervalMinutes: ttl, fixedIntervalMinutes: minutes }), settings, now);
    expect(minutesUntil(next)).toBe(minutes);
  });

  it('still backs off after failures, and waits for a Retry-After no less than the interval', () => {
    const fixed = history({ fixedIntervalMinutes: 5, consecutiveFailures: 2 });
    expect(minutesUntil(planNextFetch(failed('http'), fixed, settings, now, noJitter))).toBe(60);
    expect(minutesUntil(planNextFetch(failed('rate-limited', 60), fixed, settings, now, noJitter))).toBe(5);
  });
});

describe('planNextFetch after an error', () => {
  it.each([
    [0, 15],
    [1, 30],
    [2, 60],
    [3, 120],
    [6, 960],
    [7, 1440],
    [40, 1440],
    [100_000, 1440],
  ])('after %i earlier failures, backs off %i minutes (jitter at its midpoint)', (earlier, minutes) => {
    const next = planNextFetch(failed('http'), history({ consecutiveFailures: earlier }), settings, now, noJitter);
    expect(minutesUntil(next)).toBe(minutes);
    expect(next).toMatchObject({ consecutiveFailures: earlier + 1, disabled: false });
  });

  it('spreads a backoff by ±25% with jitter, without passing the cap', () => {
    const plan = (earlier: number, random: number) =>
      minutesUntil(planNextFetch(failed('timeout'), history({ consecutiveFailures: earlier }), settings, now, () => random));
    expect(plan(3, 0)).toBe(90);
    expect(plan(3, 0.75)).toBe(135);
    expect(plan(10, 0)).toBe(1080);
    expect(plan(10, 0.999)).toBe(1440);
  });

  it('keeps every backoff within [min interval, max backoff]', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (earlier, random) => {
        const next = planNextFetch(failed('network'), history({ consecutiveFailures: earlier }), settings, now, () => random);
        const minutes = minutesUntil(next);
        return minutes >= settings.minIntervalMinutes && minutes <= settings.maxBackoffMinutes;
      }),
    );
  });

  it('disables a feed that is gone', () => {
    const next = planNextFetch(failed('gone'), history({ consecutiveFailures: 2 }), settings, now, noJitter);
    expect(next).toMatchObject({ disabled: true, consecutiveFailures: 3 });
  });

  it.each([
    [3600, 1000, 60, 'Retry-After of an hour on a busy feed'],
    [120, 0, 1440, 'never sooner than the regular interval of a quiet feed'],
    [0, 1000, 15, 'Retry-After: 0 still waits the regular interval'],
    [30 * 86400, 1000, 1440, 'a month is capped at the max backoff'],
  ])('rate-limited with Retry-After %i s, %i entries a week → %i minutes (%s)', (retryAfter, itemsLastWeek, minutes) => {
    const next = planNextFetch(failed('rate-limited', retryAfter), history({ itemsLastWeek }), settings, now, noJitter);
    expect(minutesUntil(next)).toBe(minutes);
    expect(next).toMatchObject({ disabled: false, consecutiveFailures: 1 });
  });

  it('rate-limited without Retry-After backs off, but never below the regular interval', () => {
    const busy = planNextFetch(failed('rate-limited'), history({ itemsLastWeek: 1000, consecutiveFailures: 2 }), settings, now, noJitter);
    expect(minutesUntil(busy)).toBe(60);
    const daily = planNextFetch(failed('rate-limited'), history({ itemsLastWeek: 14, consecutiveFailures: 2 }), settings, now, noJitter);
    expect(minutesUntil(daily)).toBe(720);
  });
});

describe('isDue', () => {
  it.each([
    [null, true, 'never fetched'],
    ['2026-11-24T11:59:59.000Z', true, 'in the past'],
    ['2026-11-24T12:00:00.000Z', true, 'exactly now'],
    ['2026-11-24T12:00:01.000Z', false, 'in the future'],
    ['not a date', true, 'unreadable'],
  ] as Array<[string | null, boolean, string]>)('%s → %s (%s)', (nextFetchAt, due) => {
    expect(isDue(nextFetchAt, now)).toBe(due);
  });
});
