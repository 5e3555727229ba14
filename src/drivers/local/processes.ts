import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../../core/clock.js';

/** True when a process with this id exists (zombies included; our own children are reaped by Node). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function procText(pid: number, file: 'cmdline' | 'environ'): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/${file}`)).toString('utf8');
  } catch {
    return undefined;
  }
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * True when `pid` is alive and is the process we started: its command line carries our marker. A pid reused by
 * another program after a reboot or a crash is not ours.
 */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  if (!pidExists(pid)) return false;
  const cmdline = await procText(pid, 'cmdline');
  if (cmdline === undefined) return false;
  if (await isZombie(pid)) return false;
  return cmdline.split('\0').some((arg) => arg.includes(marker));
}

/** Ids of live processes (not this one, not zombies) whose `/proc/<pid>/<file>` entries include `entry`. */
async function processesWith(file: 'cmdline' | 'environ', entry: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const pids = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const name of pids) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const text = await procText(pid, file);
    if (text?.split('\0').includes(entry) && !(await isZombie(pid))) found.push(pid);
  }
  return found;
}

/** Ids of live processes whose environment has `name=value` (e.g. every process a cluster started). */
export function processesWithEnv(name: string, value: string): Promise<number[]> {
  return processesWith('environ', `${name}=${value}`);
}

/** Ids of live processes with an argument that is exactly `arg` (a marker in a command line). */
export function processesWithArg(arg: string): Promise<number[]> {
  return processesWith('cmdline', arg);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Polls until the processes are gone. Real time, not an injected clock: the grace before SIGKILL waits for the
 * operating system, and a test's manual clock would leave a stopping daemon to linger until someone moved it on.
 */
async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = systemClock.now() + timeoutMs;
  for (;;) {
    const alive = [];
    for (const pid of pids) if (pidExists(pid) && !(await isZombie(pid))) alive.push(pid);
    if (alive.length === 0) return true;
    if (systemClock.now() >= deadline) return false;
    await systemClock.sleep(100);
  }
}

/**
 * Stops process groups (each daemon leads its own) and any stragglers: SIGTERM, then SIGKILL after the grace
 * period. Resolves once they are all gone.
 */
export async function stopProcessGroups(
  groups: readonly number[],
  stragglers: readonly number[] = [],
  graceMs = 5000,
): Promise<void> {
  for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
  for (const pid of stragglers) signalPid(pid, 'SIGTERM');
  const all = [...groups, ...stragglers];
  if (await waitGone(all, graceMs)) return;
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  for (const pid of stragglers) signalPid(pid, 'SIGKILL');
  await waitGone(all, 5000);
}

/** Runs a process to its end with a time limit; resolves with its output, rejects with its log. */
export function runToEnd(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
  clock: Clock,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const cancelKill = clock.after(timeoutMs, () => child.kill('SIGKILL'));
    child.once('error', (error) => {
      cancelKill();
      reject(error);
    });
    child.once('close', (code) => {
      cancelKill();
      if (code === 0) resolve(stdout);
      else reject(new Error(`exited with ${String(code)}: ${stderr.slice(-2000)}`));
    });
  });
}
