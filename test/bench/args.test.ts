import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

describe('bench arguments', () => {
  it('warm each scale latency row up for 3 s by default, 1 s in --quick, or as given', () => {
    expect(parseBenchArgs([]).latencyWarmupSec).toBe(3);
    expect(parseBenchArgs(['--quick']).latencyWarmupSec).toBe(1);
    expect(parseBenchArgs(['--latency-warmup', '0.5']).latencyWarmupSec).toBe(0.5);
    expect(parseBenchArgs(['--latency-warmup', '0']).latencyWarmupSec).toBe(0);
  });

  it('generates ASCII text unless asked for typographic text', () => {
    expect(parseBenchArgs([]).typographic).toBe(false);
    expect(parseBenchArgs(['--quick', '--typographic']).typographic).toBe(true);
  });

  it('ingests 100 feeds in the topics section by default, 20 in --quick, or as given, never more than --feeds', () => {
    expect(parseBenchArgs([]).topicFeeds).toBe(100);
    expect(parseBenchArgs(['--quick']).topicFeeds).toBe(20);
    expect(parseBenchArgs(['--topic-feeds', '1000']).topicFeeds).toBe(1000);
    expect(parseBenchArgs(['--feeds', '300', '--topic-feeds', '1000']).topicFeeds).toBe(300);
    expect(parseBenchArgs(['--feeds', '50']).topicFeeds).toBe(50);
    expect(() => parseBenchArgs(['--topic-feeds', '0'])).toThrow(/--topic-feeds must be a positive integer/);
  });

  it('holds a run to its preset\'s time limit only when it is the preset as it stands: 10 minutes, or 2 with --quick', () => {
    expect(parseBenchArgs([])).toMatchObject({ asPreset: true, timeLimitSec: 600 });
    expect(parseBenchArgs(['--quick'])).toMatchObject({ asPreset: true, timeLimitSec: 120 });
    // Where the results go, the origin and the text's typography leave the run's work as it is.
    expect(parseBenchArgs(['--out', 'r.json', '--work', 'w', '--origin', 'node', '--typographic']).asPreset).toBe(true);
    expect(parseBenchArgs(['--only', 'parse,ingest,peer,topics,serve,scale']).asPreset).toBe(true);
    for (const argv of [['--repeat', '1'], ['--no-peer'], ['--only', 'parse'], ['--only', 'parse,parse,parse,parse,parse,parse'], ['--feeds', '1000'], ['--quick', '--scale-items', '2000'],
      ['--fresh-scale'], ['--profile'], ['--serve-seconds', '5'], ['--latency-warmup', '3'], ['--topic-feeds', '100']]) {
      expect(parseBenchArgs(argv).asPreset, argv.join(' ')).toBe(false);
    }
  });

  it.each(['-1', 'soon', ''])('refuses --latency-warmup %j', (value) => {
    expect(() => parseBenchArgs([`--latency-warmup=${value}`])).toThrow(/--latency-warmup must be a number of seconds/);
  });
});
