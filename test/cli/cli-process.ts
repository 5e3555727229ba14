import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from '../support/server-process.js';

/** Helpers that run the built CLI as a separate process, the way a user does. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/oshinko.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('the CLI is not built: run `npm run build:server` before these tests');
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `oshinko ARGS` with a clean environment plus `env`; never through a shell. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oshinko ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliProcess {
  /** Resolves with stdout so far once it matches. */
  waitForOutput(pattern: RegExp): Promise<string>;
  readonly exited: Promise<CliResult>;
  /** Ends the process as Ctrl-C would. */
  interrupt(): void;
}

/** Starts `oshinko ARGS` and lets the test read its output as it comes (`logs -f`); never through a shell. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of waiters) waiter();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const waiter of waiters) waiter();
      resolve({ code, stdout, stderr });
    });
  });
  return {
    exited,
    interrupt: () => child.kill('SIGINT'),
    waitForOutput: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) {
            waiters.delete(check);
            resolve(stdout);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(
              new Error(`oshinko ${args.join(' ')} ended before ${String(pattern)}:\n${stdout}\n${stderr}`),
            );
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

export type { ServerProcess };

/**
 * Starts `oshinko serve ARGS` as a process on an ephemeral loopback port, with a clean environment plus `env`, and
 * waits until it listens. `entry` is what node runs before the arguments: the checkout's `oshinko serve` unless a
 * test starts the server another way (`npm start`'s script, an installed package).
 */
export function startServer(
  args: readonly string[],
  env: Record<string, string>,
  entry: readonly string[] = [CLI, 'serve'],
): Promise<ServerProcess> {
  return spawnServer({
    args: ['--host', '127.0.0.1', ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OSHINKO_LOG_LEVEL: 'warn', ...env },
    entry,
    timeoutMs: 30_000,
  });
}
