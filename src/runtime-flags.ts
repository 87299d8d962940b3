/**
 * Semi-space of the main thread's young generation, in MB. In 4 MB, 40-60% of what a scavenge kept
 * was promoted and the old generation needed a full collection every ~300 ms of a first ingest. At
 * 8 MB, in three alternating rounds of the 1,000-feed ingest: +3.4%, +3.5% and +10.6% items/s,
 * 3-10% less CPU per item, 7-17 MB more peak RSS; 16 MB was no faster and took 30 MB more. Most of
 * that promotion turned out to be the parser workers' results, kept alive by the promises that
 * carried them (Handoff in ingest/prepare-pool.ts). Since that fix, 4 against 8 MB gave -6%, +11%
 * and -8% CPU per item in three rounds: undecided, so 8 stays.
 */
export const MAIN_SEMI_SPACE_MB = 8;

/**
 * How far past its live size V8 lets the old generation grow before its next full collection, in
 * percent: a fixed factor of 2.5 instead of the one V8 derives, which under the 512 MB stated below
 * left the main thread's 22 MB of live objects a limit of ~39 MB: 17 MB of room.
 *
 * V8 counts buffer memory allocated since the last full collection against that room (it adds it
 * to the old generation's size in Heap::OldGenerationSpaceAvailable), and starts marking once the
 * room left is under a young generation's worth. Every fetched body passes through about three
 * buffers of its size (socket reads, the HTTP parser's copies, the whole body handed to a parser
 * worker), so fetching alone used the room up every 20-40 feeds: a poll of 1,000 feeds that each
 * had two new entries ran 26-29 full collections on the main thread (~300 ms of its ~1.1 s, with as
 * much again of concurrent marking), a first load 11-13. At 150: 1 and 4. In alternating runs the
 * poll took 1.67-1.96 s against 2.11-2.72 (CPU 2.6-3.0 against 3.3-4.4 s), a reload of the same
 * feeds' unchanged bodies 0.34-0.59 s against 0.63-0.97 (CPU 0.4-0.8 against 0.9-1.5 s), and first
 * loads' peak RSS moved within its noise (258-272 against 258-268 MB). At 100 (a factor of 2),
 * buffers alone still started 6-8 full collections where 150 let one run (test/runtime-flags.test.ts).
 */
export const HEAP_GROWING_PERCENT = 150;

/**
 * The V8 heap settings feedsieve runs with: `npm start`, the `feedsieve` command (its #! line) and
 * the benchmark's processes pass these same flags (test/runtime-flags.test.ts holds them equal).
 *
 * Stating an old-generation limit makes V8 collect sooner: without one, it sizes its first
 * collections for a 4 GB heap and the process grew to about 100 MB of V8 heap during a 1,000-feed
 * ingest, half of it garbage; with 512 MB stated, about 45 MB. Neither limit is near what the
 * process keeps alive: the band index and SQLite's cache live outside the V8 heap. Parser workers
 * get a young generation of their own size (WORKER_SEMI_SPACE_MB in ingest/prepare-pool.ts).
 */
export const NODE_FLAGS: readonly string[] = ['--max-old-space-size=512', `--max-semi-space-size=${MAIN_SEMI_SPACE_MB}`,
  `--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
