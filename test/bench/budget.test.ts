import { describe, expect, it } from 'vitest';
import { MIN_PARSE_PASSES, PARSE_MS_A_PASS, parsePassesFor, sectionBudgetMs } from '../../bench/context.js';

const OPTIONS = { budgetSec: { ingest: 150, peer: 240, topics: 60, serve: 60 }, totalBudgetSec: 570, topicFeeds: 100 };
const START = 1_000_000;
const at = (seconds: number) => START + seconds * 1000;

describe('a section\'s time budget', () => {
  it('is the section\'s own while the run has time left', () => {
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(120))).toBe(60_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(200))).toBe(60_000);
  });

  it('for ingest, topics and serve, shrinks to what is left of the run\'s total once the peer took long', () => {
    // 570 s in all, 42 s kept for the scale section and 18 s for the parse section's three passes:
    // at 472 s, 38 s are left. Ingest leaves 8 s for one run of topics and 25 s for one of serve,
    // topics leaves serve's 25 s, serve takes the rest.
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(472))).toBe(5_000);
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(482))).toBe(0);
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(480))).toBe(5_000);
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(502))).toBe(0);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(495))).toBe(15_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(600))).toBe(0);
  });

  it('leaves ingest room for its three runs after a peer of usual length, and its own budget before', () => {
    // Newsboat's three passes at 6.5 minutes: 570 - 42 - 18 - 392 leaves 118 s, 85 s of them for ingest.
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(392))).toBe(85_000);
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(100))).toBe(150_000);
  });

  it('leaves room after ingest for one topics run as long as the topics section\'s feeds need', () => {
    // At 472 s, 38 s are left: 1,000 topic feeds ask 44 s, so ingest gets none; at 392 s, 118 s
    // are left, and ingest gets what 44 s of topics and 25 s of serve leave.
    expect(sectionBudgetMs({ ...OPTIONS, topicFeeds: 1000 }, 'ingest', START, at(472))).toBe(0);
    expect(sectionBudgetMs({ ...OPTIONS, topicFeeds: 1000 }, 'ingest', START, at(392))).toBe(49_000);
  });

  it('never shrinks the peer, which cannot be shortened', () => {
    expect(sectionBudgetMs(OPTIONS, 'peer', START, at(600))).toBe(240_000);
  });
});

describe('the parse section\'s passes, run last', () => {
  const PARSE = { parsePasses: 5, totalBudgetSec: 570 };

  it('are the preset\'s while the run has time for them, one untimed pass each process included', () => {
    expect(PARSE_MS_A_PASS).toBe(4_500);
    expect(parsePassesFor(PARSE, START, at(100))).toBe(5);
    // 570 - 543 = 27 s: six passes of 4.5 s, five of them timed.
    expect(parsePassesFor(PARSE, START, at(543))).toBe(5);
  });

  it('are fewer in a late run, down to a median of three however late', () => {
    expect(parsePassesFor(PARSE, START, at(544))).toBe(4);
    expect(parsePassesFor(PARSE, START, at(552))).toBe(3);
    expect(parsePassesFor(PARSE, START, at(620))).toBe(MIN_PARSE_PASSES);
    expect(MIN_PARSE_PASSES).toBe(3);
  });

  it('are never more than a preset asks, nor raised to three when it asks fewer', () => {
    expect(parsePassesFor({ parsePasses: 3, totalBudgetSec: 110 }, START, at(0))).toBe(3);
    expect(parsePassesFor({ parsePasses: 2, totalBudgetSec: 110 }, START, at(200))).toBe(2);
  });
});
