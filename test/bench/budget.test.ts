import { describe, expect, it } from 'vitest';
import { sectionBudgetMs } from '../../bench/context.js';

const OPTIONS = { budgetSec: { ingest: 150, peer: 240, topics: 60, serve: 60 }, totalBudgetSec: 570 };
const START = 1_000_000;
const at = (seconds: number) => START + seconds * 1000;

describe('a section\'s time budget', () => {
  it('is the section\'s own while the run has time left', () => {
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(120))).toBe(60_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(200))).toBe(60_000);
  });

  it('for topics and serve, shrinks to what is left of the run\'s total once the peer took long', () => {
    // 570 s in all, 25 s kept for the scale section: at 515 s, 30 s are left, 15 s of them for serve's one run.
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(515))).toBe(15_000);
    expect(sectionBudgetMs(OPTIONS, 'topics', START, at(535))).toBe(0);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(530))).toBe(15_000);
    expect(sectionBudgetMs(OPTIONS, 'serve', START, at(600))).toBe(0);
  });

  it('never shrinks the sections that come before the peer, nor the peer', () => {
    expect(sectionBudgetMs(OPTIONS, 'ingest', START, at(600))).toBe(150_000);
    expect(sectionBudgetMs(OPTIONS, 'peer', START, at(600))).toBe(240_000);
  });
});
