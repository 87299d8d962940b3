import { type ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildSetup, PassFigures } from './ingest-child.js';
import { NODE_FLAGS } from '../src/runtime-flags.js';

export type { ChildSetup, PassFigures } from './ingest-child.js';

/** A feedsieve core running in a child process; each ingest() is one pass over every feed. */
export interface CoreProcess {
  ingest(): Promise<PassFigures>;
  close(): Promise<void>;
}

type ChildMessage = { type: 'ready' } | { type: 'ingested'; pass: PassFigures } | { type: 'failed'; message: string };

function nextMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`ingest process exited with ${code}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

async function expect<T extends ChildMessage['type']>(child: ChildProcess, type: T): Promise<Extract<ChildMessage, { type: T }>> {
  const message = await nextMessage(child);
  if (message.type === 'failed') throw new Error(`ingest process failed: ${message.message}`);
  if (message.type !== type) throw new Error(`ingest process sent ${message.type}, expected ${type}`);
  return message as Extract<ChildMessage, { type: T }>;
}

/** Forks dist/bench/ingest-child.js; `cpuProfileDir` adds --cpu-prof so the run leaves a profile there. */
export async function startCoreProcess(setup: ChildSetup, setupPath: string, cpuProfileDir?: string): Promise<CoreProcess> {
  writeFileSync(setupPath, JSON.stringify(setup));
  const script = fileURLToPath(new URL('./ingest-child.js', import.meta.url));
  // Run as the service runs: with its heap settings.
  const execArgv = [...NODE_FLAGS, ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])];
  const child = fork(script, [setupPath], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await expect(child, 'ready');
  return {
    async ingest() {
      child.send({ type: 'ingest' });
      return (await expect(child, 'ingested')).pass;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'close' });
      await exited;
    },
  };
}
