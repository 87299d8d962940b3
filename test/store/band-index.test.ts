import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BandIndex, dayOf, dayRange, MAX_LOADED_DAYS, readBandKeys, writeBandKeys } from '../../src/store/band-index.js';

const keys = (...values: number[]) => new Uint32Array(values);

describe('BandIndex', () => {
  it('finds every item filed under any of the keys, in the days asked for only', () => {
    const index = new BandIndex(1_000_000);
    index.open(10);
    index.open(11);
    index.add(10, 1, keys(5, 6));
    index.add(10, 2, keys(6, 7));
    index.add(11, 3, keys(5));
    index.add(12, 4, keys(5)); // day 12 is not loaded: nothing is filed
    expect(index.candidates([10], keys(6), 1).sort()).toEqual([1, 2]);
    expect(index.candidates([10, 11], keys(5), 1).sort()).toEqual([1, 3]);
    expect(index.candidates([10, 11, 12], keys(99), 1)).toEqual([]);
    expect(index.has(12)).toBe(false);
    expect(index.size).toBe(5);
  });

  it('offers only the items sharing at least the asked number of keys, across days', () => {
    const index = new BandIndex(1_000_000);
    index.open(10);
    index.open(11);
    index.add(10, 1, keys(5, 6, 7));
    index.add(10, 2, keys(6, 8));
    index.add(11, 3, keys(5, 7, 9));
    expect(index.candidates([10, 11], keys(5, 6, 7), 1).sort()).toEqual([1, 2, 3]);
    expect(index.candidates([10, 11], keys(5, 6, 7), 2).sort()).toEqual([1, 3]);
    expect(index.candidates([10, 11], keys(5, 6, 7), 3)).toEqual([1]);
    expect(index.candidates([10], keys(5, 7, 9), 2)).toEqual([1]);
  });

  it('keeps every entry while its tables grow, colliding keys included', () => {
    const index = new BandIndex(10_000_000);
    index.open(1);
    // Keys that share their low bits land in the same probe run.
    for (let id = 1; id <= 5000; id++) index.add(1, id, keys((id % 50) * 65536 + 1, 7 + id * 1024));
    const found = index.candidates([1], keys(3 * 65536 + 1), 1);
    expect(found).toHaveLength(100);
    for (const id of found) expect(id % 50).toBe(3);
    expect(index.candidates([1], keys(7 + 4321 * 1024), 1)).toEqual([4321]);
    expect(index.candidates([1], keys(3 * 65536 + 1, 7 + 4321 * 1024), 2)).toEqual([]);
    expect(index.candidates([1], keys(3 * 65536 + 1, 7 + 4303 * 1024), 2)).toEqual([4303]);
  });

  it('finds every entry after its table doubles many times with runs wrapping past the end', () => {
    // All in the first shard (top bits 0). Keys whose low bits are all set sit at the last slots
    // of a table of any size, so at each doubling a run wraps to the first slots and its entries
    // move to the new end, past which some must wrap again; keys one bit short of that land at
    // the middle of the doubled table. Random keys fill the rest.
    const crowding = Array.from({ length: 24 }, (_, j) => 0x0fffffff - j);
    const middle = Array.from({ length: 12 }, (_, j) => 0x0fffffff - 2 ** (10 + (j % 8)) - j);
    let state = 7;
    const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) & 0x0fffffff) || 1;
    const index = new BandIndex(10_000_000);
    index.open(1);
    const reference = new Map<number, number[]>();
    for (let id = 1; id <= 20_000; id++) {
      const itemKeys = [random(), random()];
      if (id % 3 === 0) itemKeys.push(crowding[id % crowding.length]!);
      if (id % 7 === 0) itemKeys.push(middle[id % middle.length]!);
      index.add(1, id, new Uint32Array(itemKeys));
      for (const k of new Set(itemKeys)) reference.set(k, [...(reference.get(k) ?? []), id]);
    }
    expect(index.size).toBeGreaterThan(45_000);
    for (const [k, ids] of reference) expect(index.candidates([1], keys(k), 1).sort((a, b) => a - b)).toEqual(ids);
  });

  it('finds what a plain map of key to ids finds, for keys crowding the same slots and the table\'s end', () => {
    // Keys from a small set whose low bits collide or sit at the top of the slot range, so probe
    // runs are long, wrap around, and hold entries of many homes between equal keys.
    const key = fc.oneof(
      fc.integer({ min: 0, max: 40 }).map((n) => (n * 4096 + 1) >>> 0),
      fc.integer({ min: 1000, max: 1023 }),
      fc.integer({ min: 0, max: 20 }).map((n) => (0xfffff000 + n * 1024 + 1023) >>> 0),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(key, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 1500 }),
        fc.array(key, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (filed, asked, minShared) => {
          const index = new BandIndex(10_000_000);
          index.open(1);
          const reference = new Map<number, number[]>();
          filed.forEach((itemKeys, n) => {
            index.add(1, n + 1, new Uint32Array(itemKeys));
            for (const k of itemKeys) reference.set(k, [...(reference.get(k) ?? []), n + 1]);
          });
          const shared = new Map<number, number>();
          for (const k of asked) for (const id of reference.get(k) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
          const expected = [...shared].filter(([, count]) => count >= minShared).map(([id]) => id).sort((a, b) => a - b);
          expect(index.candidates([1], new Uint32Array(asked), minShared).sort((a, b) => a - b)).toEqual(expected);
        }),
      { numRuns: 300 },
    );
  });

  it('finds what a plain map of day and key to ids finds, while days share the table, take each other\'s tag and are trimmed', () => {
    // Days 16 apart share a tag: opening one drops the other. Few keys, so entries of every day
    // sit in the same probe runs; a small budget, so trims drop days in use order.
    const day: fc.Arbitrary<number> = fc.constantFrom(0, 1, 2, 3, 16, 17, 33);
    const key = fc.oneof(fc.integer({ min: 1, max: 12 }).map((n) => (n * 4096 + 1) >>> 0), fc.integer({ min: 1, max: 0xffffffff }));
    const step = fc.oneof(
      fc.record({ op: fc.constant('open' as const), day }),
      fc.record({ op: fc.constant('add' as const), day, keys: fc.array(key, { minLength: 1, maxLength: 4 }) }),
      fc.record({ op: fc.constant('ask' as const), days: fc.array(day, { maxLength: 5 }), keys: fc.array(key, { minLength: 1, maxLength: 4 }), min: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ op: fc.constant('trim' as const), keep: fc.array(day, { maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 4, max: 60 }), (steps, budget) => {
        const index = new BandIndex(budget);
        // The model: each loaded day's (key, id) entries, days in use order.
        let loaded = new Map<number, [number, number][]>();
        const use = (d: number) => {
          const entries = loaded.get(d)!;
          loaded.delete(d);
          loaded.set(d, entries);
        };
        let nextId = 1;
        for (const s of steps) {
          if (s.op === 'open') {
            index.open(s.day);
            if (!loaded.has(s.day)) {
              for (const d of loaded.keys()) if ((d - s.day) % 16 === 0) loaded.delete(d);
              loaded.set(s.day, []);
            }
          } else if (s.op === 'add') {
            const id = nextId++;
            index.add(s.day, id, new Uint32Array(s.keys));
            for (const k of s.keys) loaded.get(s.day)?.push([k, id]);
          } else if (s.op === 'ask') {
            const shared = new Map<number, number>();
            for (const d of s.days) if (loaded.has(d)) use(d);
            for (const d of new Set(s.days)) {
              if (!loaded.has(d)) continue;
              for (const [k, id] of loaded.get(d)!) for (const asked of s.keys) if (asked === k) shared.set(id, (shared.get(id) ?? 0) + 1);
            }
            const expected = [...shared].filter(([, n]) => n >= s.min).map(([id]) => id).sort((a, b) => a - b);
            expect(index.candidates(s.days, new Uint32Array(s.keys), s.min).sort((a, b) => a - b)).toEqual(expected);
          } else {
            index.trim(s.keep);
            let entries = [...loaded.values()].reduce((sum, e) => sum + e.length, 0);
            const kept = new Map(loaded);
            for (const [d, e] of loaded) {
              if (entries <= budget) break;
              if (e.length === 0 || s.keep.includes(d)) continue;
              kept.delete(d);
              entries -= e.length;
            }
            loaded = kept;
          }
          expect(index.size).toBe([...loaded.values()].reduce((sum, e) => sum + e.length, 0));
          for (const d of [0, 1, 2, 3, 16, 17, 33]) expect(index.has(d)).toBe(loaded.has(d));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('holds a day of 1.5 million keys in under twice their 8 bytes each', () => {
    const index = new BandIndex(10_000_000);
    index.open(1);
    let state = 1;
    const batch = new Uint32Array(64);
    for (let id = 1; id <= 23_438; id++) {
      for (let i = 0; i < 64; i++) batch[i] = (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) || 1;
      index.add(1, id, batch);
    }
    expect(index.size).toBe(23_438 * 64);
    expect(index.bytes).toBeLessThan(2 * 8 * index.size);
    expect(index.candidates([1], batch.subarray(0, 1), 1)).toContain(23_438);
  });

  it('drops the least recently used days past its budget, never the ones in use', () => {
    const index = new BandIndex(4);
    for (const day of [1, 2, 3]) {
      index.open(day);
      index.add(day, day, keys(1, 2));
    }
    index.candidates([1], keys(1), 1); // day 1 is now the most recently used
    index.trim([3]);
    expect(index.has(2)).toBe(false);
    expect(index.has(1)).toBe(true);
    expect(index.has(3)).toBe(true);
    expect(index.size).toBe(4);
  });

  it('keeps the days named even when they are the least recently used', () => {
    const index = new BandIndex(4);
    for (const day of [1, 2, 3]) {
      index.open(day);
      index.add(day, day, keys(1, 2));
    }
    index.trim([1, 2]);
    expect([1, 2, 3].map((day) => index.has(day))).toEqual([true, true, false]);
    expect(index.candidates([1, 2, 3], keys(1), 1).sort()).toEqual([1, 2]);
  });

  it('keeps a day without entries past its budget: dropping it would free nothing', () => {
    const index = new BandIndex(2);
    index.open(1);
    index.open(2);
    index.add(2, 7, keys(1, 2, 3));
    index.trim([2]);
    expect(index.has(1)).toBe(true);
    expect(index.size).toBe(3);
  });

  it('drops a day for the one that takes its tag, leaving none of its entries behind', () => {
    const index = new BandIndex(1_000_000);
    index.open(1);
    index.add(1, 10, keys(5, 6));
    index.open(1 + MAX_LOADED_DAYS);
    expect(index.has(1)).toBe(false);
    expect(index.size).toBe(0);
    index.add(1 + MAX_LOADED_DAYS, 20, keys(5));
    expect(index.candidates([1 + MAX_LOADED_DAYS], keys(5, 6), 1)).toEqual([20]);
    expect(index.candidates([1], keys(5, 6), 1)).toEqual([]);
  });

  it('stores keys as 4 bytes each and reads them back', () => {
    const original = keys(0xffffffff, 1, 0x80000000);
    const bytes = writeBandKeys(original);
    expect(bytes).toHaveLength(12);
    expect(readBandKeys(bytes)).toEqual(original);
  });

  it('a day is the UTC calendar day of a sort time', () => {
    const day = dayOf(Date.parse('2026-11-01T23:59:59.999Z'));
    expect(dayOf(Date.parse('2026-11-02T00:00:00.000Z'))).toBe(day + 1);
    expect(dayRange(day)).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' });
  });
});
