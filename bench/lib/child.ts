/** Runs a TypeScript module in a child Node process (through tsx) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Child<Info = unknown> {
  readonly process: ChildProcess;
  /** What the child answered to `ready`. */
  readonly info: Info;
  /** Sends a message and waits for the reply (one request at a time). */
  ask<T>(message: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild<Info>(
  modulePath: string,
  args: readonly string[] = [],
): Promise<Child<Info>> {
  const tsx = require.resolve('tsx');
  const child = fork(modulePath, [...args], {
    execArgv: ['--expose-gc', '--import', tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: ((value: unknown) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  child.on('message', (message) => {
    const resolve = pending;
    pending = undefined;
    resolve?.(message);
  });
  child.on('exit', (code) => {
    failed?.(new Error(`${modulePath} exited with ${String(code)}`));
  });
  const ask = <T>(message: unknown) =>
    new Promise<T>((resolve, reject) => {
      pending = resolve as (value: unknown) => void;
      failed = reject;
      child.send(message as object);
    });
  const info = await ask<Info>({ type: 'ready' });
  return {
    process: child,
    info,
    ask,
    stop: async () => {
      // Gone already, by itself or by a signal (a Ctrl-C reaches the whole process group).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child side: answers each message with what `handle` returns. */
export function serveParent(
  handle: (message: { type: string; [key: string]: unknown }) => Promise<unknown>,
): void {
  process.on('message', (message: { type: string; [key: string]: unknown }) => {
    void handle(message).then(
      (reply) => process.send?.(reply ?? {}),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  process.on('SIGTERM', () => process.exit(0));
}
