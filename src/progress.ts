import cliProgress from 'cli-progress';

export interface Progress {
  /** Moves to `done` of `total`; `detail` is the current step (a feed URL, a batch). */
  update(done: number, detail: string): void;
  stop(): void;
}

/**
 * A bar with counts and rate on a terminal; elsewhere (logs, CI, pipes) one plain line per step,
 * which is what a log collector can use.
 */
export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const rate = (done: number) => (done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {rate}/s {detail}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '0.0', detail: '' });
    return {
      update: (done, detail) => bar.update(done, { rate: rate(done), detail: detail.slice(0, 60) }),
      stop: () => bar.stop(),
    };
  }
  return {
    update: (done, detail) => stream.write(`${label} ${done}/${total} (${rate(done)}/s) ${detail}\n`),
    stop: () => {},
  };
}
