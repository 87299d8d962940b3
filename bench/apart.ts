import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// A measuring client in a process of its own (latency-child.ts, load-child.ts): after generating
// the feeds the bench process's heap is large, and its collections, and whatever it has loaded,
// would land in the figures.

/** Forks `script` (which calls answerEach) for one question, and resolves with its figures; `what` names it in errors. */
export async function askApart<T>(script: URL, message: object, what: string): Promise<T> {
  const child = startApart<object, T>(script, what);
  try {
    return await child.ask(message);
  } finally {
    await child.stop();
  }
}

/** A measuring process kept for several questions, each asked once the answer to the one before has come. */
export interface ApartProcess<M, T> {
  ask(message: M): Promise<T>;
  /** Disconnects; the process then exits (answerEach). */
  stop(): Promise<void>;
}

/** Forks `script` (which calls answerEach) once, for questions asked one at a time; `what` names it in errors. */
export function startApart<M extends object, T>(script: URL, what: string): ApartProcess<M, T> {
  const child = fork(fileURLToPath(script), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Why the process can answer no more (it exited, or could not start), once it is so.
  let gone: Error | undefined;
  child.once('exit', (code) => { gone ??= new Error(`${what} exited with ${code} before answering`); });
  child.once('error', (error) => { gone ??= new Error(`${what}: ${error.message}`); });
  return {
    ask: (message) =>
      new Promise<T>((resolve, reject) => {
        if (gone) return reject(gone);
        const settle = () => {
          child.off('message', onMessage);
          child.off('exit', onGone);
          child.off('error', onGone);
        };
        const onMessage = (answer: { type: string; figures?: T; message?: string }) => {
          settle();
          if (answer.type === 'figures' && answer.figures) resolve(answer.figures);
          else reject(new Error(`${what} failed: ${answer.message ?? answer.type}`));
        };
        // Listeners added after the process's own above, so `gone` is set when they run.
        const onGone = () => {
          settle();
          reject(gone);
        };
        child.on('message', onMessage);
        child.on('exit', onGone);
        child.on('error', onGone);
        child.send(message);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.connected) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** In a process startApart forked: answers each message with `measure`'s figures or why it failed, until disconnected. */
export function answerEach<M>(measure: (message: M) => Promise<unknown>): void {
  process.on('message', (message: M) => {
    measure(message)
      .then((figures) => process.send?.({ type: 'figures', figures }))
      .catch((error: unknown) => process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
}
