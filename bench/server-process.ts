import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../src/runtime-flags.js';

export interface ServerProcess {
  baseUrl: string;
  /**
   * The server's own time for each request answered since the last call, in ms, oldest first (at
   * most 100,000), how many it answered, and the CPU its process used meanwhile (every thread:
   * V8's collections too), in ms.
   */
  serverTimes(): Promise<{ times: number[]; requests: number; cpuMs: number }>;
  stop(): Promise<void>;
}

/** Forks dist/bench/serve-child.js with `args` and waits until it listens; `cpuProfileDir` adds --cpu-prof. */
export async function startServerProcess(args: string[], cpuProfileDir?: string): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./serve-child.js', import.meta.url));
  // Run as the service runs: with its heap settings.
  const execArgv = [...NODE_FLAGS, ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])];
  const child: ChildProcess = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { type: string; port?: number; message?: string }) => {
      if (message.type === 'listening' && message.port) resolve(message.port);
      else reject(new Error(`server process failed: ${message.message ?? message.type}`));
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    serverTimes: () =>
      new Promise<{ times: number[]; requests: number; cpuMs: number }>((resolve) => {
        const onMessage = (message: { type: string; times?: number[]; requests?: number; cpuMs?: number }) => {
          if (message.type !== 'times') return;
          child.off('message', onMessage);
          resolve({ times: message.times ?? [], requests: message.requests ?? 0, cpuMs: message.cpuMs ?? 0 });
        };
        child.on('message', onMessage);
        child.send({ type: 'times' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
