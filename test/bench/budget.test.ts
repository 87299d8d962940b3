import { describe, expect, it } from 'vitest';
import { sectionBudgetMs } from '../../bench/context.js';

const OPTIONS = { budgetSec: { ingest: 150, peer: 240, topics: 60, serve: 60 }, totalBudgetSec: 570, topicFeeds: 100 };
const START = 1_000_000;
const at = (seconds: number) => START + seconds * 1000;

describe('a section\'s time budget', () => {
  it('is the section\'s own while the run has time left', () => {
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(120))).toBe(60_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(200))).toBe(60_000);
  });

  it('for ingest, topics and serve, shrinks to what is left of the run\'s total once the peer took long', () => {
    // 570 s in all, 42 s kept for the scale section: at 490 s, 38 s are left. Ingest leaves 8 s for
    // one run of topics and 25 s for one of serve, topics leaves serve's 25 s, serve takes the rest.
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(490))).toBe(5_000);
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(500))).toBe(0);
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(498))).toBe(5_000);
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(520))).toBe(0);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(513))).toBe(15_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(600))).toBe(0);
  });

  it('leaves ingest room for its three runs after a peer of usual length, and its own budget before', () => {
    // Parse and newsboat's three passes at 6.5 minutes: 570 - 42 - 410 leaves 118 s, 85 s of them for ingest.
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(410))).toBe(85_000);
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(100))).toBe(150_000);
  });

  it('leaves room after ingest for one topics run as long as the topics section\'s feeds need', () => {
    // At 490 s, 38 s are left: 1,000 topic feeds ask 44 s, so ingest gets none; at 410 s, 118 s
    // are left, and ingest gets what 44 s of topics and 25 s of serve leave.
    expect(sectionBudgetMs({ ...OPTIONS, topicFeeds: 1000 }, 'ingest', START, at(490))).toBe(0);
    expect(sectionBudgetMs({ ...OPTIONS, topicFeeds: 1000 }, 'ingest', START, at(410))).toBe(49_000);
  });

  it('never shrinks the peer, which cannot be shortened', () => {
    expect(sectionBudgetMs(OPTIONS, 'peer', START, at(600))).toBe(240_000);
  });
});
