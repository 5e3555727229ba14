/**
 * Local driver benchmark: time from `POST /clusters` (1 master, 2 workers) to both workers registered with the
 * master, against a bare script that starts the same daemons with spark-class in parallel; interleaved repeats
 * in one run. Then the server's memory and CPU while idle with 5 clusters running. Runs the built server
 * (`npm run build:server` first; `npm run setup` installs Spark).
 *
 *   npm run bench:local [-- --repeats 4 --idle-seconds 30 --idle-clusters 5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { send } from './lib/load.js';
import { fixed, load, machine, summarize, table } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '4' },
    'idle-seconds': { type: 'string', default: '30' },
    'idle-clusters': { type: 'string', default: '5' },
  },
});
const repeats = Number(values.repeats);
const idleSeconds = Number(values['idle-seconds']);
const idleClusters = Number(values['idle-clusters']);

const repo = fileURLToPath(new URL('..', import.meta.url));
const sparkHome = join(repo, '.oshinko', 'runtime', 'pyspark');
const POLL_MS = 100;
const TIMEOUT_MS = 180_000;
const agent = new Agent({ keepAlive: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Stops a process group that this benchmark started, and waits for its leader. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

/** Waits until no process of the group is left (the JVMs exit a little after their shell). */
async function groupGone(pid: number): Promise<void> {
  await until(`process group ${String(pid)} to exit`, () => {
    try {
      process.kill(-pid, 0);
      return Promise.resolve(false);
    } catch {
      return Promise.resolve(true);
    }
  });
}

async function bareRun(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'oshinko-bench-bare-'));
  const ports: string[] = [];
  for (let i = 0; i < 6; i++) ports.push(String(await freePort()));
  const began = performance.now();
  const child = spawn(join(repo, 'bench', 'local', 'bare-cluster.sh'), [sparkHome, work, ...ports], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME },
  });
  try {
    await until('the bare workers', async () => {
      const answer = await send(agent, `http://127.0.0.1:${ports[1] ?? ''}/json/`, 'GET');
      const json = JSON.parse(answer.body) as { workers?: { state?: string }[] };
      return (json.workers ?? []).filter((w) => w.state === 'ALIVE').length >= 2;
    });
    return performance.now() - began;
  } finally {
    const pid = child.pid ?? 0;
    await stopGroup(child);
    await groupGone(pid);
    rmSync(work, { recursive: true, force: true });
  }
}

interface Cluster {
  status: string;
  workers: { desired: number; ready: number };
}

async function clusterReady(url: string, name: string, workers: number): Promise<boolean> {
  const answer = await send(agent, `${url}/clusters/${name}`, 'GET');
  const { cluster } = JSON.parse(answer.body) as { cluster: Cluster };
  return cluster.status === 'Running' && cluster.workers.ready === workers;
}

async function oshinkoRun(url: string, name: string): Promise<number> {
  const began = performance.now();
  const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: 2 } });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.body}`);
  await until(`cluster ${name}`, () => clusterReady(url, name, 2));
  const elapsed = performance.now() - began;
  const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
  if (deleted.status !== 204) throw new Error(`delete failed: ${deleted.status} ${deleted.body}`);
  return elapsed;
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function usage(pid: number): { cpuSeconds: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
  // USER_HZ is 100 on Linux.
  return { cpuSeconds: ticks / 100, rssMiB: Number(rss ?? 0) / 1024 };
}

async function main(): Promise<void> {
  if (!existsSync(join(sparkHome, 'bin', 'spark-class'))) throw new Error('run `npm run setup` first');
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build:server` first');
  console.log(`# Local driver benchmark (${machine()}; at the start: ${load()})\n`);
  const home = mkdtempSync(join(tmpdir(), 'oshinko-bench-home-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  const server = spawn(
    process.execPath,
    [
      join(repo, 'bin', 'oshinko.js'),
      'serve',
      '--driver',
      'local',
      '--home',
      home,
      '--port',
      String(port),
      '--log-level',
      'warn',
    ],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME },
    },
  );
  try {
    await until('the server', async () => (await send(agent, `${url}/clusters`, 'GET')).status === 200);
    const startRss = usage(server.pid ?? 0).rssMiB;
    const bare: number[] = [];
    const oshinko: number[] = [];
    const runs: string[][] = [];
    for (let i = 0; i < repeats; i++) {
      // Alternate which goes first, so neither always runs on a machine just warmed by the other.
      const order = i % 2 === 0 ? (['bare', 'oshinko'] as const) : (['oshinko', 'bare'] as const);
      for (const which of order) {
        const ms = which === 'bare' ? await bareRun() : await oshinkoRun(url, `bench-${String(i)}`);
        (which === 'bare' ? bare : oshinko).push(ms);
        runs.push([String(i + 1), which, fixed(ms / 1000, 2)]);
        console.error(`run ${String(i + 1)} ${which}: ${fixed(ms / 1000, 2)} s`);
      }
    }
    const b = summarize(bare);
    const o = summarize(oshinko);
    console.log('## Time to all workers registered (1 master, 2 workers), seconds\n');
    console.log(
      table(
        ['', 'n', 'median', 'min', 'max'],
        [
          [
            'bare spark-class script',
            String(b.n),
            fixed(b.median / 1000, 2),
            fixed(b.min / 1000, 2),
            fixed(b.max / 1000, 2),
          ],
          [
            'oshinko POST /clusters',
            String(o.n),
            fixed(o.median / 1000, 2),
            fixed(o.min / 1000, 2),
            fixed(o.max / 1000, 2),
          ],
        ],
      ),
    );
    console.log(
      `\noshinko / bare (medians): ${fixed(o.median / b.median, 3)} (polling every ${String(POLL_MS)} ms on both sides)\n`,
    );
    console.log(table(['repeat', 'which', 'seconds'], runs));

    // Idle: N clusters of 1 master and 1 worker, then no requests at all.
    const names = Array.from({ length: idleClusters }, (_, i) => `idle-${String(i)}`);
    for (const name of names) {
      const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: 1 } });
      if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.body}`);
    }
    for (const name of names) await until(`cluster ${name}`, () => clusterReady(url, name, 1));
    agent.destroy();
    await sleep(5000);
    const pid = server.pid ?? 0;
    const before = usage(pid);
    const samples: number[] = [];
    for (let s = 0; s < idleSeconds; s++) {
      await sleep(1000);
      samples.push(usage(pid).rssMiB);
    }
    const after = usage(pid);
    const cpu = ((after.cpuSeconds - before.cpuSeconds) / idleSeconds) * 100;
    const rss = summarize(samples);
    console.log(
      `\n## Server while idle with ${String(idleClusters)} clusters (1 master, 1 worker each), ${String(idleSeconds)} s\n`,
    );
    console.log(
      table(
        [
          'server RSS at start (MiB)',
          'idle RSS median (MiB)',
          'idle RSS min–max (MiB)',
          'idle CPU (% of one core)',
        ],
        [
          [
            fixed(startRss, 0),
            fixed(rss.median, 0),
            `${fixed(rss.min, 0)}–${fixed(rss.max, 0)}`,
            fixed(cpu, 2),
          ],
        ],
      ),
    );
  } finally {
    // Every cluster this run made (the daemons outlive the server by design), then the server.
    const cleanup = new Agent({ keepAlive: false });
    const listed = await send(cleanup, `${url}/clusters`, 'GET').catch(() => undefined);
    const left =
      listed?.status === 200 ? (JSON.parse(listed.body) as { clusters: { name: string }[] }).clusters : [];
    for (const { name } of left) await send(cleanup, `${url}/clusters/${name}`, 'DELETE');
    await stopGroup(server);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
console.log(`\nAt the end: ${load()}.`);
