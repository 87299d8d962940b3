import type { GeneratedFeedSet } from './generate.js';
import { type Origin, type OriginMode, startOrigin } from './origin.js';
import type { BenchTopic } from './topic-queries.js';

/** What every section shares: the feeds on disk, the origin serving them, the topics, where to write. */
export interface BenchContext {
  workDir: string;
  feeds: GeneratedFeedSet;
  topics: BenchTopic[];
  origin: OriginControl;
  concurrency: number;
  repeat: number;
  log(line: string): void;
}

/** One origin at a time on a fixed port, so stored feed URLs stay valid when the mode changes. */
export interface OriginControl {
  use(mode: OriginMode): Promise<Origin>;
  urls(files: string[]): string[];
  stop(): Promise<void>;
}

export async function createOriginControl(root: string, workDir: string, probeFile: string,
  prefer: 'nginx' | 'node' | undefined): Promise<OriginControl> {
  let current = await startOrigin({ root, workDir, mode: 'conditional', probeFile, prefer });
  const port = Number(new URL(current.baseUrl).port);
  return {
    async use(mode) {
      if (current.mode === mode) return current;
      await current.stop();
      current = await startOrigin({ root, workDir, mode, port, probeFile, prefer });
      return current;
    },
    urls: (files) => files.map((file) => `${current.baseUrl}/${file}`),
    stop: () => current.stop(),
  };
}

/**
 * Runs `once` up to `repeat` times, but stops early (after at least one run) when another run
 * would overrun `budgetMs`: the section reports how many runs its medians cover.
 */
export async function timeBoxed<T>(repeat: number, budgetMs: number, once: (run: number) => Promise<T>): Promise<T[]> {
  const started = Date.now();
  const results: T[] = [];
  for (let run = 0; run < repeat; run++) {
    const before = Date.now();
    results.push(await once(run));
    const took = Date.now() - before;
    if (Date.now() - started + took > budgetMs) break;
  }
  return results;
}
