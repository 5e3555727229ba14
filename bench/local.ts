/**
 * Local driver benchmark, against a bare script that starts the same master and two workers with spark-class in
 * parallel (what a user would write: no archive, no JVM flags). In one run:
 *
 * 1. The physical floor: a JVM that prints its version and exits, without class-data sharing, with the JDK's own
 *    archive, and with the application archive the driver made for its masters.
 * 2. A first cluster on a fresh data directory (no archive yet: spark-class, then the archive made in the
 *    background), timed, and the time until `GET /` says the archive is ready (the daemons' and the executors').
 * 3. Interleaved repeats, each cluster gone before the next: `POST /clusters` (1 master, 2 workers) or the bare
 *    script, to both workers registered, then at once a small PySpark job (`sum` of 1000 numbers in 4 partitions)
 *    submitted with spark-submit, to its result.
 * 4. A CPU-bound job (executors computing in their JVMs for about 30 s) on an oshinko cluster and on a bare one,
 *    both running, alternately: the daemons' JIT settings must not reach the executors' compute.
 * 5. The server's RSS and CPU while idle with 5 clusters running.
 *
 * Runs the built server (`npm run build:server`; `npm run setup` installs Spark). Every process it starts is
 * stopped by its id.
 *
 *   npm run bench:local [-- --repeats 5 --cpu-repeats 5 --cpu-rows 4000000000 --idle-seconds 30 --idle-clusters 5]
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { send } from './lib/load.js';
import { load, machine, table } from './lib/stats.js';
import { deleteAll, oshinkoCluster, type Started } from './local/clusters.js';
import { measureCpuJob } from './local/cpu-job.js';
import { measureFloor } from './local/floor.js';
import { measureIdle } from './local/idle.js';
import { usage } from './local/proc.js';
import { agent, baseEnv, freePort, repo, seconds, sparkHome, stopGroup, until, work } from './local/setup.js';
import { writeApps } from './local/spark-submit.js';
import { measureStartAndJob } from './local/start-and-job.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    'cpu-repeats': { type: 'string', default: '5' },
    'cpu-rows': { type: 'string', default: '4000000000' },
    'floor-repeats': { type: 'string', default: '7' },
    'idle-seconds': { type: 'string', default: '30' },
    'idle-clusters': { type: 'string', default: '5' },
  },
});
function count(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} ${values[name]}: expected a count`);
  return value;
}
const repeats = count('repeats');
const cpuRepeats = count('cpu-repeats');
const cpuRows = count('cpu-rows');
const floorRepeats = count('floor-repeats');
const idleSeconds = count('idle-seconds');
const idleClusters = count('idle-clusters');
writeApps();

interface Info {
  application: { details: Record<string, string> };
}

async function archiveState(
  url: string,
  which: 'class-data-archive' | 'executor-archive' = 'class-data-archive',
): Promise<string> {
  const info = JSON.parse((await send(agent, `${url}/`, 'GET')).body) as Info;
  return info.application.details[`default-image-${which}`] ?? 'unknown';
}

async function main(): Promise<void> {
  if (!existsSync(join(sparkHome, 'bin', 'spark-class'))) throw new Error('run `npm run setup` first');
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build:server` first');
  console.log(`# Local driver benchmark (${machine()}; at the start: ${load()})\n`);
  const home = join(work(), 'home');
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
    { detached: true, stdio: ['ignore', 'ignore', 'inherit'], env: baseEnv },
  );
  const running: Started[] = [];
  try {
    await until('the server', async () => (await send(agent, `${url}/clusters`, 'GET')).status === 200);
    const startRss = usage(server.pid ?? 0).rssMiB;

    // 2. The first cluster of a fresh data directory, then its archive.
    const first = await oshinkoCluster(url, 'first');
    await first.stop();
    const archiveBegan = performance.now();
    await until('the archive', async () => (await archiveState(url)) === 'ready', 300_000);
    const archiveMs = performance.now() - archiveBegan;
    console.log('## First cluster of a fresh data directory\n');
    console.log(
      table(
        ['measure', 'seconds'],
        [
          [
            'first POST /clusters to 2 workers registered (spark-class, C1 only, no archive yet)',
            seconds(first.readyMs),
          ],
          ['then until GET / says the archive is ready (made in the background)', seconds(archiveMs)],
        ],
      ),
    );
    console.log(`\nThe executors' archive: ${await archiveState(url, 'executor-archive')}.\n`);

    // 1. The floor (after the archive exists, so the application archive can be measured too).
    await measureFloor(home, floorRepeats);
    // 3. Start, then a small job, interleaved.
    await measureStartAndJob(url, repeats, running);
    // 4. The executors' compute, on both kinds of cluster at once, alternately.
    if (cpuRepeats > 0) await measureCpuJob(url, { cpuRepeats, cpuRows }, running);
    // 5. Idle: N clusters of 1 master and 1 worker, then no requests at all.
    await measureIdle(url, server, startRss, { idleClusters, idleSeconds });
  } finally {
    for (const cluster of running) await cluster.stop().catch(() => undefined);
    // Every cluster this run made (the daemons outlive the server by design), then the server.
    await deleteAll(url);
    await stopGroup(server);
    agent.destroy();
    rmSync(work(), { recursive: true, force: true });
  }
}

await main();
console.log(`\nAt the end: ${load()}.`);
