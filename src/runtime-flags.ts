/**
 * The V8 heap settings feedsieve runs with: `npm start`, the `feedsieve` command (its #! line) and
 * the benchmark's processes pass these same flags (test/runtime-flags.test.ts holds them equal).
 *
 * Stating an old-generation limit makes V8 collect sooner: without one, it sizes its first
 * collections for a 4 GB heap and the process grew to about 100 MB of V8 heap during a 1,000-feed
 * ingest, half of it garbage; with 512 MB stated, about 45 MB. A 4 MB semi-space (V8's default
 * would be 16 MB) keeps the garbage of each fetched body small. Neither is near what the process
 * keeps alive: the band index and SQLite's cache live outside the V8 heap. Parser workers get a
 * young generation of their own size (WORKER_SEMI_SPACE_MB in ingest/prepare-pool.ts).
 */
export const NODE_FLAGS: readonly string[] = ['--max-old-space-size=512', '--max-semi-space-size=4'];
