/**
 * What /proc says about the JVMs a run starts: the executors (their options and CPU time), the daemons of a
 * cluster, and the server's CPU and memory. Linux only, as the benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './setup.js';

/** USER_HZ is 100 on Linux: a tick is 10 ms. */
const TICK_MS = 10;

/** User + system CPU ticks of a process so far, from its /proc/<pid>/stat text. */
function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Every process now, with its command line; `read` returns undefined to pass one over. */
function scan<T>(read: (pid: string, args: string[]) => T | undefined): T[] {
  const found: T[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const value = read(entry, args);
      if (value !== undefined) found.push(value);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * The executors running now (under any master): pid, command line, `JDK_JAVA_OPTIONS` from their environment and
 * CPU ticks so far, from /proc.
 */
function executors(): { pid: number; args: string[]; launcherOptions: string | undefined; ticks: number }[] {
  return scan((entry, args) => {
    if (!args.includes('org.apache.spark.executor.CoarseGrainedExecutorBackend')) return undefined;
    const ticks = cpuTicks(readFileSync(`/proc/${entry}/stat`, 'utf8'));
    const launcherOptions = readFileSync(`/proc/${entry}/environ`, 'utf8')
      .split('\0')
      .find((variable) => variable.startsWith('JDK_JAVA_OPTIONS='))
      ?.slice('JDK_JAVA_OPTIONS='.length);
    return { pid: Number(entry), args, launcherOptions, ticks };
  });
}

/**
 * Runs `job` while sampling its executors every 250 ms: their CPU seconds (the last sample of each, so at most
 * the last 250 ms of a process are missed) and their JVM options. CPU time is what the executors' JIT settings
 * would change, and it moves much less than wall time with the machine's other load.
 */
export async function withExecutorCpu<T>(
  job: Promise<T>,
): Promise<{ value: T; cpuMs: number; options: Set<string> }> {
  const ticks = new Map<number, number>();
  const options = new Set<string>();
  const state = { done: false };
  const finished = job.finally(() => {
    state.done = true;
  });
  while (!state.done) {
    for (const executor of executors()) {
      ticks.set(executor.pid, Math.max(ticks.get(executor.pid) ?? 0, executor.ticks));
      const flags = executor.args.filter((a) => a.startsWith('-XX:') || a.startsWith('-Xshare'));
      // What the java launcher adds from the environment comes before the command line's options.
      if (executor.launcherOptions !== undefined)
        flags.unshift(`JDK_JAVA_OPTIONS=${executor.launcherOptions}`);
      options.add(flags.length === 0 ? 'none' : flags.join(' '));
    }
    await Promise.race([finished.catch(() => undefined), sleep(250)]);
  }
  const value = await finished;
  return { value, cpuMs: [...ticks.values()].reduce((a, b) => a + b, 0) * TICK_MS, options };
}

/**
 * CPU time (ms) so far of the master on `masterUrl`'s port and of the workers registered with it, from /proc: what
 * the daemons themselves take while a job runs, on either kind of cluster.
 */
export function daemonCpuMs(masterUrl: string): number {
  const port = masterUrl.slice(masterUrl.lastIndexOf(':') + 1);
  const ticks = scan((entry, args) => {
    const master =
      args.includes('org.apache.spark.deploy.master.Master') && args[args.indexOf('--port') + 1] === port;
    const worker = args.includes('org.apache.spark.deploy.worker.Worker') && args.includes(masterUrl);
    if (!master && !worker) return undefined;
    return cpuTicks(readFileSync(`/proc/${entry}/stat`, 'utf8'));
  });
  return ticks.reduce((a, b) => a + b, 0) * TICK_MS;
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
export function usage(pid: number): { cpuSeconds: number; rssMiB: number } {
  const ticks = cpuTicks(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
  return { cpuSeconds: ticks / (1000 / TICK_MS), rssMiB: Number(rss ?? 0) / 1024 };
}
