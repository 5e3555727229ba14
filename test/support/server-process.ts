/** The oshinko server as a process of its own (`oshinko serve`), for tests that stop, kill or package it. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');

export interface ServerProcessOptions {
  /** The arguments after `serve` (the port is always 0: the process says which it took). */
  readonly args: readonly string[];
  /** The process's whole environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What node runs before the arguments: the checkout's `oshinko serve` unless a test starts it another way. */
  readonly entry?: readonly string[];
  /** Node's own flags, before the entry. */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Its stdout and stderr so far. */
  readonly output: () => string;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (unless it has already exited), and wait for it to stop. */
  stop(): Promise<void>;
}

/** Starts the server on an ephemeral port and resolves once it says where it listens; never through a shell. */
export function spawnServer(options: ServerProcessOptions): Promise<ServerProcess> {
  const entry = options.entry ?? [join(REPO, 'bin', 'oshinko.js'), 'serve'];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...entry, '--port', '0', ...options.args],
    {
      cwd: REPO,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      done();
    });
  });
  let output = '';
  let started = false;
  return new Promise((resolveStarted, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oshinko serve did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`oshinko serve exited with ${String(code)}:\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (started || url === undefined) return;
      started = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolveStarted({
        url,
        pid: child.pid ?? 0,
        output: () => output,
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}
