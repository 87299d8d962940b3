import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore } from '../../src/main.js';

/** A core on `dir`/test.db with these settings (feeds, topics, ingest, …), logging nothing, on the given clock. */
export function openClockedCore(dir: string, settings: Record<string, unknown>, clock: { now: Date }): Promise<Core> {
  const config = parseConfig({ database: 'test.db', logLevel: 'silent', ...settings }, join(dir, 'config.json'), {});
  return openCore(config, createLogger('silent'), { now: () => clock.now });
}
