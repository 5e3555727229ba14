/**
 * What every part of the local driver benchmark shares: the checkout and its Spark runtime, the environment its
 * processes get, a scratch directory, one keep-alive agent, the helpers that wait for and stop processes, and the
 * figures in seconds that the tables print.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, type Summary } from '../lib/stats.js';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const sparkHome = join(repo, '.oshinko', 'runtime', 'pyspark');
export const TIMEOUT_MS = 180_000;
const POLL_MS = 100;
export const agent = new Agent({ keepAlive: true });
export const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));
export const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME };
let workDir: string | undefined;
/** The run's scratch directory, made on first use (removed at its end): applications, data, bare clusters. */
export function work(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'oshinko-bench-local-'));
  return workDir;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = TIMEOUT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Stops a process group that this benchmark started, and waits until none of it is left. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  await until(`process group ${String(pid)} to exit`, () => {
    try {
      process.kill(-pid, 0);
      return Promise.resolve(false);
    } catch {
      return Promise.resolve(true);
    }
  });
}

/** Milliseconds as seconds, two decimals. */
export const seconds = (ms: number): string => fixed(ms / 1000, 2);

/** A table row of a summary of milliseconds, in seconds: label, n, median, min, max, and a ratio. */
export function row(label: string, s: Summary, ratio?: string): string[] {
  return [label, String(s.n), seconds(s.median), seconds(s.min), seconds(s.max), ratio ?? ''];
}
