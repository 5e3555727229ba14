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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { send } from './lib/load.js';
import { fixed, load, machine, summarize, table, type Summary } from './lib/stats.js';

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

const repo = fileURLToPath(new URL('..', import.meta.url));
const sparkHome = join(repo, '.oshinko', 'runtime', 'pyspark');
const POLL_MS = 100;
const TIMEOUT_MS = 180_000;
const agent = new Agent({ keepAlive: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME };
const work = mkdtempSync(join(tmpdir(), 'oshinko-bench-local-'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Stops a process group that this benchmark started, and waits until none of it is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
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

// ---- applications ------------------------------------------------------------------------------------------

const SMALL_APP = `
from pyspark import SparkContext
sc = SparkContext()
print("RESULT %d" % sc.parallelize(range(1000), 4).sum(), flush=True)
sc.stop()
`;

/** Executors compute in their JVMs (generated code over a range): what their JIT settings would slow. */
const CPU_APP = `
import sys, time
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.getOrCreate()
began = time.time()
value = spark.range(0, int(sys.argv[1]), 1, 8).select(F.sum(F.hash("id", F.col("id") * 7) % 1000)).first()[0]
print("RESULT %d %.3f" % (value, time.time() - began), flush=True)
spark.stop()
`;
const smallApp = join(work, 'small_app.py');
const cpuApp = join(work, 'cpu_app.py');
writeFileSync(smallApp, SMALL_APP);
writeFileSync(cpuApp, CPU_APP);
/**
 * The driver's log at Spark's default level (INFO, on stderr; without the default's quieter Jetty and other loggers),
 * with times in epoch milliseconds for the phases.
 */
const driverLog4j = join(work, 'driver-log4j2.properties');
writeFileSync(
  driverLog4j,
  [
    'rootLogger.level = info',
    'rootLogger.appenderRef.stderr.ref = console',
    'appender.console.type = Console',
    'appender.console.name = console',
    'appender.console.target = SYSTEM_ERR',
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = %d{UNIX_MILLIS} %p %c{1}: %m%n%ex',
    '',
  ].join('\n'),
);

/**
 * Where a submit's time goes, in ms from spark-submit's start, from the driver's log: its JVM logging (the
 * launcher JVM, then the driver JVM), the application registered with the master, every executor launched by the
 * workers, every executor registered with the driver (its JVM up), the job done; and spark-submit's exit.
 */
const PHASES = {
  driverUp: { pattern: /Running Spark version/, last: false },
  appRegistered: { pattern: /Connected to Spark cluster with app ID/, last: false },
  executorsLaunched: { pattern: /Executor added:/, last: true },
  executorsUp: { pattern: /Registered executor/, last: true },
  jobDone: { pattern: /Job 0 finished/, last: false },
} as const;
type Phase = keyof typeof PHASES | 'exit';
type Phases = Record<Phase, number>;

function phasesOf(log: string, startedAt: number, endedAt: number): Phases {
  const lines = log.split('\n');
  const at = (phase: keyof typeof PHASES): number => {
    const { pattern, last } = PHASES[phase];
    const matching = lines.filter((line) => pattern.test(line));
    const line = last ? matching[matching.length - 1] : matching[0];
    return line === undefined ? NaN : Number(line.split(' ')[0]) - startedAt;
  };
  return {
    driverUp: at('driverUp'),
    appRegistered: at('appRegistered'),
    executorsLaunched: at('executorsLaunched'),
    executorsUp: at('executorsUp'),
    jobDone: at('jobDone'),
    exit: endedAt - startedAt,
  };
}

/**
 * Runs an application with the runtime's spark-submit in client mode; returns what it printed after RESULT, and
 * where the time went.
 */
async function submit(
  masterUrl: string,
  app: string,
  args: readonly string[] = [],
): Promise<{ result: string; phases: Phases }> {
  const startedAt = Date.now();
  const child = spawn(
    join(sparkHome, 'bin', 'spark-submit'),
    [
      '--master',
      masterUrl,
      '--conf',
      'spark.driver.host=127.0.0.1',
      '--conf',
      'spark.driver.memory=512m',
      '--conf',
      'spark.executor.memory=512m',
      '--conf',
      'spark.ui.enabled=false',
      '--driver-java-options',
      `-Dlog4j2.configurationFile=file:${driverLog4j}`,
      app,
      ...args,
    ],
    { cwd: work, env: { ...baseEnv, SPARK_LOCAL_IP: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || line === undefined)
    throw new Error(`spark-submit exited with ${String(code)}: ${stderr.slice(-3000)}`);
  return { result: line.slice('RESULT '.length), phases: phasesOf(stderr, startedAt, Date.now()) };
}

/**
 * The executors running now (under any master): pid, command line, `JDK_JAVA_OPTIONS` from their environment and
 * CPU ticks so far, from /proc.
 */
function executors(): { pid: number; args: string[]; launcherOptions: string | undefined; ticks: number }[] {
  const found: { pid: number; args: string[]; launcherOptions: string | undefined; ticks: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.includes('org.apache.spark.executor.CoarseGrainedExecutorBackend')) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const launcherOptions = readFileSync(`/proc/${entry}/environ`, 'utf8')
        .split('\0')
        .find((variable) => variable.startsWith('JDK_JAVA_OPTIONS='))
        ?.slice('JDK_JAVA_OPTIONS='.length);
      found.push({
        pid: Number(entry),
        args,
        launcherOptions,
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * Runs `job` while sampling its executors every 250 ms: their CPU seconds (the last sample of each, so at most
 * the last 250 ms of a process are missed) and their JVM options. CPU time is what the executors' JIT settings
 * would change, and it moves much less than wall time with the machine's other load.
 */
async function withExecutorCpu<T>(
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
  // USER_HZ is 100 on Linux.
  return { value, cpuMs: [...ticks.values()].reduce((a, b) => a + b, 0) * 10, options };
}

/**
 * One master alone, from its start to `ALIVE` in its /json/ (polled every 20 ms), started one of four ways: plain
 * spark-class, or the kept launch (no launcher JVM) with nothing more, with the archive, with the archive and C1.
 */
/** Whether the master on `webPort` says ALIVE (its web UI answers an HTML page until the JSON one is up). */
async function masterAlive(webPort: number): Promise<boolean> {
  try {
    const answer = await send(agent, `http://127.0.0.1:${String(webPort)}/json/`, 'GET');
    return (JSON.parse(answer.body) as { status?: string }).status === 'ALIVE';
  } catch {
    return false;
  }
}

type MasterWay = 'spark-class' | 'kept' | 'kept+archive' | 'kept+archive+C1';
async function masterAlone(way: MasterWay, command: readonly string[], archive: string): Promise<number> {
  const dir = mkdtempSync(join(work, 'master-'));
  const [rpc, web] = [await freePort(), await freePort()];
  const args = ['--host', '127.0.0.1', '--port', String(rpc), '--webui-port', String(web)];
  const env = {
    ...baseEnv,
    SPARK_HOME: sparkHome,
    SPARK_LOCAL_IP: '127.0.0.1',
    SPARK_PUBLIC_DNS: '127.0.0.1',
    SPARK_DAEMON_MEMORY: '256m',
    SPARK_MASTER_OPTS: '-Dspark.master.rest.enabled=false',
  };
  const ours =
    way === 'kept'
      ? []
      : way === 'kept+archive'
        ? [`-XX:SharedArchiveFile=${archive}`]
        : [`-XX:SharedArchiveFile=${archive}`, '-XX:TieredStopAtLevel=1'];
  const [java = 'java', ...rest] = command;
  const began = performance.now();
  const child =
    way === 'spark-class'
      ? spawn(join(sparkHome, 'bin', 'spark-class'), ['org.apache.spark.deploy.master.Master', ...args], {
          detached: true,
          stdio: 'ignore',
          env,
          cwd: dir,
        })
      : spawn(
          'bash',
          [
            '-c',
            '. "$SPARK_HOME/bin/load-spark-env.sh"; exec "$@"',
            'bench',
            java,
            ...ours,
            ...rest,
            ...args,
          ],
          {
            detached: true,
            stdio: 'ignore',
            env,
            cwd: dir,
          },
        );
  try {
    const deadline = performance.now() + TIMEOUT_MS;
    for (;;) {
      if (await masterAlive(web)) break;
      if (performance.now() > deadline) throw new Error(`the ${way} master did not come up`);
      await sleep(20);
    }
    return performance.now() - began;
  } finally {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- clusters ------------------------------------------------------------------------------------------------

interface Started {
  readonly masterUrl: string;
  /** From the start (POST, or the script) to both workers registered. */
  readonly readyMs: number;
  readonly began: number;
  stop(): Promise<void>;
}

async function bareCluster(): Promise<Started> {
  const dir = mkdtempSync(join(work, 'bare-'));
  const ports: string[] = [];
  for (let i = 0; i < 6; i++) ports.push(String(await freePort()));
  const began = performance.now();
  const child = spawn(join(repo, 'bench', 'local', 'bare-cluster.sh'), [sparkHome, dir, ...ports], {
    detached: true,
    stdio: 'ignore',
    env: baseEnv,
  });
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('the bare workers', async () => {
      const answer = await send(agent, `http://127.0.0.1:${ports[1] ?? ''}/json/`, 'GET');
      const json = JSON.parse(answer.body) as { workers?: { state?: string }[] };
      return (json.workers ?? []).filter((w) => w.state === 'ALIVE').length >= 2;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    masterUrl: `spark://127.0.0.1:${ports[0] ?? ''}`,
    readyMs: performance.now() - began,
    began,
    stop,
  };
}

interface ClusterAnswer {
  cluster: { status: string; masterUrl: string; workers: { desired: number; ready: number } };
}

async function clusterReady(url: string, name: string, workers: number): Promise<boolean> {
  const answer = await send(agent, `${url}/clusters/${name}`, 'GET');
  const { cluster } = JSON.parse(answer.body) as ClusterAnswer;
  return cluster.status === 'Running' && cluster.workers.ready === workers;
}

async function deleteCluster(url: string, name: string): Promise<void> {
  const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
  if (deleted.status !== 204) throw new Error(`delete failed: ${String(deleted.status)} ${deleted.body}`);
}

async function oshinkoCluster(url: string, name: string, workers = 2): Promise<Started> {
  const began = performance.now();
  const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: workers } });
  if (created.status !== 201) throw new Error(`create failed: ${String(created.status)} ${created.body}`);
  const stop = () => deleteCluster(url, name);
  try {
    await until(`cluster ${name}`, () => clusterReady(url, name, workers));
  } catch (error) {
    await stop();
    throw error;
  }
  const readyMs = performance.now() - began;
  const { cluster } = JSON.parse((await send(agent, `${url}/clusters/${name}`, 'GET')).body) as ClusterAnswer;
  return { masterUrl: cluster.masterUrl, readyMs, began, stop };
}

// ---- measures ------------------------------------------------------------------------------------------------

/** Wall time of `java <args> -version`, a JVM that starts, prints and exits. */
function javaVersionMs(args: readonly string[]): number {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const began = performance.now();
  const result = spawnSync(java, [...args, '-version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`java ${args.join(' ')} -version failed: ${result.stderr}`);
  return performance.now() - began;
}

/**
 * CPU time (ms) so far of the master on `masterUrl`'s port and of the workers registered with it, from /proc: what
 * the daemons themselves take while a job runs, on either kind of cluster.
 */
function daemonCpuMs(masterUrl: string): number {
  const port = masterUrl.slice(masterUrl.lastIndexOf(':') + 1);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const master =
        args.includes('org.apache.spark.deploy.master.Master') && args[args.indexOf('--port') + 1] === port;
      const worker = args.includes('org.apache.spark.deploy.worker.Worker') && args.includes(masterUrl);
      if (!master && !worker) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10;
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

const seconds = (ms: number) => fixed(ms / 1000, 2);
function row(label: string, s: Summary, ratio?: string): string[] {
  return [label, String(s.n), seconds(s.median), seconds(s.min), seconds(s.max), ratio ?? ''];
}

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
  const home = join(work, 'home');
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
    const launchDir = join(home, 'cache', 'launch');
    const kept = spawnSync('ls', [launchDir], { encoding: 'utf8' })
      .stdout.split('\n')
      .find((d) => d !== '');
    const masterArchive = join(launchDir, kept ?? '', 'master.jsa');
    const profile = JSON.parse(readFileSync(join(launchDir, kept ?? '', 'launch.json'), 'utf8')) as {
      commands: { master: string[] };
    };
    const classPath = profile.commands.master[profile.commands.master.indexOf('-cp') + 1] ?? '';
    const floors = { off: [] as number[], jdk: [] as number[], app: [] as number[] };
    for (let i = 0; i < floorRepeats; i++) {
      floors.off.push(javaVersionMs(['-Xshare:off']));
      floors.jdk.push(javaVersionMs([]));
      floors.app.push(javaVersionMs([`-XX:SharedArchiveFile=${masterArchive}`, '-cp', classPath]));
    }
    console.log('\n## The floor: a JVM that prints its version and exits, interleaved\n');
    console.log(
      table(
        ['java -version', 'n', 'median', 'min', 'max', ''],
        [
          row('no class-data sharing (-Xshare:off)', summarize(floors.off)),
          row("the JDK's own archive (the default)", summarize(floors.jdk)),
          row("the master's application archive", summarize(floors.app)),
        ],
      ),
    );

    // A master alone, four ways, interleaved: where a daemon's start goes.
    const ways: MasterWay[] = ['spark-class', 'kept', 'kept+archive', 'kept+archive+C1'];
    const alone = new Map<MasterWay, number[]>(ways.map((way) => [way, []]));
    for (let i = 0; i < floorRepeats; i++) {
      for (const way of i % 2 === 0 ? ways : [...ways].reverse()) {
        alone.get(way)?.push(await masterAlone(way, profile.commands.master, masterArchive));
      }
    }
    const plain = summarize(alone.get('spark-class') ?? []);
    console.log('\n## One master alone, to ALIVE in its /json/ (polled every 20 ms), interleaved (s)\n');
    console.log(
      table(
        ['started with', 'n', 'median', 'min', 'max', '/ spark-class (medians)'],
        ways.map((way) => {
          const s = summarize(alone.get(way) ?? []);
          return row(
            way === 'spark-class'
              ? 'spark-class (launcher JVM, then the master)'
              : way === 'kept'
                ? 'the kept command (no launcher JVM)'
                : way === 'kept+archive'
                  ? 'kept command + application archive'
                  : 'kept command + archive + C1 only (what the driver runs)',
            s,
            way === 'spark-class' ? '' : fixed(s.median / plain.median, 2),
          );
        }),
      ),
    );

    // 3. Start, then a small job, interleaved.
    const ready = { bare: [] as number[], oshinko: [] as number[] };
    const result = { bare: [] as number[], oshinko: [] as number[] };
    const runs: string[][] = [];
    const breakdown = { bare: [] as Phases[], oshinko: [] as Phases[] };
    const daemonCpu = { bare: [] as number[], oshinko: [] as number[] };
    for (let i = 0; i < repeats; i++) {
      const order = i % 2 === 0 ? (['bare', 'oshinko'] as const) : (['oshinko', 'bare'] as const);
      for (const which of order) {
        const cluster =
          which === 'bare' ? await bareCluster() : await oshinkoCluster(url, `bench-${String(i)}`);
        running.push(cluster);
        const daemonsBefore = daemonCpuMs(cluster.masterUrl);
        const { result: sum, phases } = await submit(cluster.masterUrl, smallApp);
        daemonCpu[which].push(daemonCpuMs(cluster.masterUrl) - daemonsBefore);
        breakdown[which].push(phases);
        if (sum !== '499500') throw new Error(`the small job answered ${sum}`);
        const resultMs = performance.now() - cluster.began;
        await cluster.stop();
        running.pop();
        ready[which].push(cluster.readyMs);
        result[which].push(resultMs);
        runs.push([String(i + 1), which, seconds(cluster.readyMs), seconds(resultMs)]);
        console.error(
          `run ${String(i + 1)} ${which}: ${seconds(cluster.readyMs)} s, result ${seconds(resultMs)} s`,
        );
      }
    }
    const readyB = summarize(ready.bare);
    const readyO = summarize(ready.oshinko);
    const resultB = summarize(result.bare);
    const resultO = summarize(result.oshinko);
    console.log('\n## Cluster start (1 master, 2 workers) and a small job, interleaved (s)\n');
    console.log(
      table(
        ['measure', 'n', 'median', 'min', 'max', 'oshinko / bare (medians)'],
        [
          row('bare script: to 2 workers registered', readyB),
          row(
            'oshinko POST /clusters: to 2 workers registered',
            readyO,
            fixed(readyO.median / readyB.median, 2),
          ),
          row('bare script + submit: to the job result', resultB),
          row('oshinko POST + submit: to the job result', resultO, fixed(resultO.median / resultB.median, 2)),
        ],
      ),
    );
    console.log('\nIn the order they ran:\n');
    console.log(table(['repeat', 'which', 'registered', 'job result'], runs));
    console.log(
      '\n## Where the small job goes: medians of each phase, from the step before (s), and the daemons CPU\n',
    );
    const steps: [string, (p: Phases) => number][] = [
      ['spark-submit start to the driver JVM logging (launcher JVM, driver JVM)', (p) => p.driverUp],
      ['to the application registered with the master', (p) => p.appRegistered - p.driverUp],
      ['to the last executor launched by a worker', (p) => p.executorsLaunched - p.appRegistered],
      [
        'to the last executor registered with the driver (executor JVM up)',
        (p) => p.executorsUp - p.executorsLaunched,
      ],
      ['to the job done (its last task finished)', (p) => p.jobDone - p.executorsUp],
      ['to spark-submit exited with the result', (p) => p.exit - p.jobDone],
      ['submit total', (p) => p.exit],
    ];
    const phaseRow = (label: string, of: (p: Phases) => number): string[] => {
      const b = summarize(breakdown.bare.map(of));
      const o = summarize(breakdown.oshinko.map(of));
      return [
        label,
        seconds(b.median),
        seconds(o.median),
        `${seconds(o.min)}–${seconds(o.max)}`,
        `${seconds(b.min)}–${seconds(b.max)}`,
      ];
    };
    console.log(
      table(
        ['phase', 'bare median', 'oshinko median', 'oshinko min–max', 'bare min–max'],
        [
          [
            'cluster: start to 2 workers registered',
            seconds(readyB.median),
            seconds(readyO.median),
            `${seconds(readyO.min)}–${seconds(readyO.max)}`,
            `${seconds(readyB.min)}–${seconds(readyB.max)}`,
          ],
          ...steps.map(([label, of]) => phaseRow(label, of)),
          [
            "daemons' CPU time during the submit (master + 2 workers)",
            seconds(summarize(daemonCpu.bare).median),
            seconds(summarize(daemonCpu.oshinko).median),
            `${seconds(summarize(daemonCpu.oshinko).min)}–${seconds(summarize(daemonCpu.oshinko).max)}`,
            `${seconds(summarize(daemonCpu.bare).min)}–${seconds(summarize(daemonCpu.bare).max)}`,
          ],
        ],
      ),
    );

    // 4. The executors' compute, on both kinds of cluster at once, alternately.
    if (cpuRepeats > 0) {
      const bare = await bareCluster();
      running.push(bare);
      const ours = await oshinkoCluster(url, 'cpu');
      running.push(ours);
      const jobs = { bare: [] as number[], oshinko: [] as number[] };
      const runs: string[][] = [];
      const cpu = { bare: [] as number[], oshinko: [] as number[] };
      const answers = new Set<string>();
      const options = { bare: new Set<string>(), oshinko: new Set<string>() };
      for (let i = 0; i < cpuRepeats; i++) {
        for (const which of i % 2 === 0 ? (['oshinko', 'bare'] as const) : (['bare', 'oshinko'] as const)) {
          const cluster = which === 'bare' ? bare : ours;
          const began = performance.now();
          const sampled = await withExecutorCpu(submit(cluster.masterUrl, cpuApp, [String(cpuRows)]));
          const [value = '', inJob = ''] = sampled.value.result.split(' ');
          answers.add(value);
          jobs[which].push(Number(inJob) * 1000);
          cpu[which].push(sampled.cpuMs);
          for (const option of sampled.options) options[which].add(option);
          runs.push([String(i + 1), which, inJob, seconds(sampled.cpuMs)]);
          console.error(
            `cpu ${String(i + 1)} ${which}: ${inJob} s in the job, executors ${seconds(sampled.cpuMs)} CPU s, ${seconds(performance.now() - began)} s submitted`,
          );
        }
      }
      if (answers.size !== 1) throw new Error(`the CPU job answered differently: ${[...answers].join(', ')}`);
      const b = summarize(jobs.bare);
      const o = summarize(jobs.oshinko);
      const cb = summarize(cpu.bare);
      const co = summarize(cpu.oshinko);
      console.log(
        `\n## CPU-bound job (${String(cpuRows)} rows hashed and summed by the executors), alternately (s)\n`,
      );
      console.log(
        table(
          ['measure', 'n', 'median', 'min', 'max', 'oshinko / bare (medians)'],
          [
            row('bare script cluster: job wall time', b),
            row('oshinko cluster: job wall time', o, fixed(o.median / b.median, 3)),
            row('bare script cluster: executors CPU time', cb),
            row('oshinko cluster: executors CPU time', co, fixed(co.median / cb.median, 3)),
          ],
        ),
      );
      console.log('\nIn the order they ran:\n');
      console.log(table(['repeat', 'cluster', 'job wall s', 'executors CPU s'], runs));
      const seen = (which: 'bare' | 'oshinko') => [...options[which]].join('; ') || 'no executor seen';
      console.log(
        `\nExecutor JVM -XX/-Xshare options and JDK_JAVA_OPTIONS seen in /proc during the jobs: bare: ${seen('bare')}; oshinko: ${seen('oshinko')}.`,
      );
      for (const cluster of running.splice(0)) await cluster.stop();
    }

    // 5. Idle: N clusters of 1 master and 1 worker, then no requests at all.
    const names = Array.from({ length: idleClusters }, (_, i) => `idle-${String(i)}`);
    for (const name of names) {
      const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: 1 } });
      if (created.status !== 201) throw new Error(`create failed: ${String(created.status)} ${created.body}`);
    }
    for (const name of names) await until(`cluster ${name}`, () => clusterReady(url, name, 1));
    await sleep(5000);
    const pid = server.pid ?? 0;
    const before = usage(pid);
    const samples: number[] = [];
    for (let s = 0; s < idleSeconds; s++) {
      await sleep(1000);
      samples.push(usage(pid).rssMiB);
    }
    const after = usage(pid);
    const cpu = ((after.cpuSeconds - before.cpuSeconds) / Math.max(1, idleSeconds)) * 100;
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
    for (const cluster of running) await cluster.stop().catch(() => undefined);
    // Every cluster this run made (the daemons outlive the server by design), then the server.
    const cleanup = new Agent({ keepAlive: false });
    const listed = await send(cleanup, `${url}/clusters`, 'GET').catch(() => undefined);
    const left =
      listed?.status === 200 ? (JSON.parse(listed.body) as { clusters: { name: string }[] }).clusters : [];
    for (const { name } of left) await send(cleanup, `${url}/clusters/${name}`, 'DELETE');
    await stopGroup(server);
    agent.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
console.log(`\nAt the end: ${load()}.`);
