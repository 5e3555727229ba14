/**
 * The run that makes an image's class-data-sharing archives (launch-cache.ts): a master and a worker, each writing
 * its archive as it exits, and an application whose executor writes the executors' archive while alive. Its JVMs
 * and its spark-submit are detached; their pids go to the run's file (`RUN_FILE`), for the next server to stop
 * should this one be killed during the run, and to the cache's set of running pids, which `close` stops.
 */
import type { Clock } from '../../core/clock.js';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PodType } from '../../core/cluster.js';
import { fileText, writeJsonAtomic } from './files.js';
import { archiveAtExitOptions, DAEMON_JIT_OPTIONS, launchArgs } from './launch-command.js';
import { resolveJava } from './launch-key.js';
import { freePorts, waitUntilListening } from './ports.js';
import { processesWithArg, runToEnd, stopProcessGroups } from './processes.js';
import { aliveWorkerPorts, fetchMasterJson, LOCAL_HOST } from './spark-daemons.js';

/** The pids of an archive run's JVMs, in its staging directory while the run is under way. */
export const RUN_FILE = 'run.json';

/** The executors' archive, in a kept launch's directory. */
export const EXECUTOR_ARCHIVE = 'executor.jsa';

/**
 * The archive run's application: what most applications' executors load (a job of Python tasks, a shuffle, a
 * DataFrame aggregation with generated code), then HOLD until the file named by its argument exists (at most
 * 5 minutes), so that its executor can write its archive while alive.
 */
const EXECUTOR_APP = `
import os, sys, time
from operator import add
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.appName("oshinko-archive-run").getOrCreate()
sc = spark.sparkContext
sc.parallelize(range(1000), 4).sum()
sc.parallelize(range(1000), 4).map(lambda x: (x % 3, x)).reduceByKey(add).collect()
spark.range(0, 1000, 1, 4).groupBy((F.col("id") % 3).alias("k")).agg(F.sum("id")).orderBy("k").collect()
print("HOLD", flush=True)
deadline = time.time() + 300
while not os.path.exists(sys.argv[1]) and time.time() < deadline:
    time.sleep(0.1)
spark.stop()
`;

/** One run of a master, a worker and an application that write the archives into a staging directory. */
export class ArchiveRun {
  constructor(
    /** The pids of the cache's runs under way, which its `close` stops. */
    private readonly running: Set<number>,
    private readonly isClosed: () => boolean,
    private readonly clock: Clock,
  ) {}

  private get closed(): boolean {
    return this.isClosed();
  }

  /**
   * A master and a worker registered with it, each writing its archive when it exits: they load what a daemon of a
   * cluster loads (start, registration, the master's JSON page); then an application on them, whose executor's
   * loaded classes become the executors' archive (`makeExecutorArchive`); then they stop. Resolves with why there
   * is no executors' archive, if there is none (the daemons' archives do not depend on it).
   */
  async makeArchives(
    dir: string,
    commands: Record<PodType, readonly string[]>,
    env: Readonly<Record<string, string | undefined>>,
    timeoutMs: number,
  ): Promise<string | undefined> {
    const [port = 0, webPort = 0, workerPort = 0, workerWebPort = 0] = await freePorts(4);
    const pids: number[] = [];
    const start = (type: PodType, args: readonly string[]) => {
      const log = openSync(join(dir, `${type}.log`), 'a');
      try {
        const ours = [...DAEMON_JIT_OPTIONS, ...archiveAtExitOptions(join(dir, `${type}.jsa`))];
        const child = spawn('bash', launchArgs(commands[type], ours, args), {
          cwd: dir,
          env,
          detached: true,
          stdio: ['ignore', log, log],
        });
        child.unref();
        if (child.pid === undefined) throw new Error(`the ${type} of the archive run did not start`);
        this.running.add(child.pid);
        pids.push(child.pid);
      } finally {
        closeSync(log);
      }
    };
    const common = (p: number, web: number) => [
      '--host',
      LOCAL_HOST,
      '--port',
      String(p),
      '--webui-port',
      String(web),
    ];
    // For the next server, should this one be killed before the run ends (`recover`).
    const record = () => writeJsonAtomic(join(dir, RUN_FILE), { pids });
    let executorProblem: string | undefined;
    try {
      start('master', common(port, webPort));
      await record();
      if (
        !(await waitUntilListening(port, {
          timeoutMs,
          intervalMs: 50,
          cancelled: () => this.closed,
          clock: this.clock,
        }))
      )
        throw new Error(`the master of the archive run did not listen within ${String(timeoutMs)} ms`);
      await mkdir(join(dir, 'work'), { recursive: true });
      start('worker', [
        ...common(workerPort, workerWebPort),
        '--cores',
        '1',
        '--memory',
        '512m',
        '--work-dir',
        join(dir, 'work'),
        `spark://${LOCAL_HOST}:${String(port)}`,
      ]);
      await record();
      const { clock } = this;
      const deadline = clock.now() + timeoutMs;
      while (!aliveWorkerPorts(await fetchMasterJson(webPort, clock)).has(workerPort)) {
        if (this.closed) throw new Error('the server stopped');
        if (clock.now() > deadline)
          throw new Error(`the worker of the archive run did not register within ${String(timeoutMs)} ms`);
        await clock.sleep(100);
      }
      executorProblem = await this.makeExecutorArchive(dir, env, port, timeoutMs, pids, record).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
    } finally {
      // A JVM writes its archive as it exits on SIGTERM: give it the time to.
      await stopProcessGroups(pids, [], 30_000);
      for (const pid of pids) this.running.delete(pid);
    }
    for (const type of ['master', 'worker'] as const) {
      const info = await stat(join(dir, `${type}.jsa`)).catch(() => undefined);
      if (info === undefined || info.size === 0) {
        const log = await fileText(join(dir, `${type}.log`));
        throw new Error(`the ${type} wrote no archive; its log ends: ${log.slice(-1500)}`);
      }
    }
    return executorProblem;
  }

  /**
   * The executors' archive: `EXECUTOR_APP` submitted with the image's spark-submit to the run's master, one
   * executor, which runs with `-XX:+RecordDynamicDumpInfo`; once its jobs are done (it prints HOLD and waits), the
   * JDK's `jcmd` has that executor write the classes it loaded (`VM.cds dynamic_dump`), then the application ends.
   * Taken from the live executor, not when it exits: the worker stops an executor with SIGTERM as its application
   * ends, and an archive written at exit (`-XX:ArchiveClassesAtExit`) does not survive that. The archive records the
   * executor's class path; an executor with another one (another conf dir, `spark.executor.extraClassPath`) runs
   * without it.
   */
  private async makeExecutorArchive(
    dir: string,
    env: Readonly<Record<string, string | undefined>>,
    masterPort: number,
    timeoutMs: number,
    pids: number[],
    record: () => Promise<void>,
  ): Promise<void> {
    const jcmd = join(dirname(await resolveJava(env)), 'jcmd');
    await access(jcmd).catch(() => {
      throw new Error(`the JDK has no jcmd (${jcmd}), which writes the executors' archive`);
    });
    const sparkHome = env.SPARK_HOME;
    if (sparkHome === undefined) throw new Error('SPARK_HOME is not set');
    // The worker puts the conf dir first on an executor's class path, and a JVM cannot archive the classes it
    // loaded from jars behind a non-empty directory (jcmd's dump then ends the executor).
    const confDir = env.SPARK_CONF_DIR ?? join(sparkHome, 'conf');
    if ((await readdir(confDir).catch(() => [])).length > 0)
      throw new Error(
        `an executor's class path begins with the conf dir ${confDir}, which is not empty: a JVM cannot archive ` +
          'the classes it loads from the jars behind it',
      );
    const app = join(dir, 'executor_app.py');
    const release = join(dir, 'release');
    const marker = `-Doshinko.archive-run=${dir}/`;
    await writeFile(app, EXECUTOR_APP);
    const log = openSync(join(dir, 'application.log'), 'a');
    let child;
    try {
      child = spawn(
        join(sparkHome, 'bin', 'spark-submit'),
        [
          '--master',
          `spark://${LOCAL_HOST}:${String(masterPort)}`,
          '--conf',
          `spark.driver.host=${LOCAL_HOST}`,
          '--conf',
          'spark.driver.memory=512m',
          '--conf',
          'spark.executor.memory=512m',
          '--conf',
          'spark.cores.max=1',
          '--conf',
          'spark.ui.enabled=false',
          '--conf',
          `spark.executor.extraJavaOptions=-XX:+RecordDynamicDumpInfo "${marker}"`,
          app,
          release,
        ],
        { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', log] },
      );
    } finally {
      closeSync(log);
    }
    const submit = child;
    // A spawn that fails (no spark-submit in the image) says so as an event: heard here, never thrown.
    const exited = new Promise<number | null>((resolve) => {
      submit.once('close', resolve);
      submit.once('error', () => {
        resolve(null);
      });
    });
    if (submit.pid === undefined) throw new Error(`${join(sparkHome, 'bin', 'spark-submit')} did not start`);
    this.running.add(submit.pid);
    pids.push(submit.pid);
    await record();
    try {
      let stdout = '';
      // A whole application (a driver, an executor, Python workers): several steps' worth on a loaded machine.
      const applicationMs = timeoutMs * 5;
      const held = new Promise<'held' | 'exited' | 'late'>((resolve) => {
        submit.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('HOLD\n')) resolve('held');
        });
        void exited.then(() => {
          resolve('exited');
        });
        this.clock.after(applicationMs, () => {
          resolve('late');
        });
      });
      const outcome = await held;
      if (outcome !== 'held') {
        const tail = await fileText(join(dir, 'application.log'));
        const what =
          outcome === 'late' ? `did not run its jobs within ${String(applicationMs)} ms` : 'failed';
        throw new Error(`the archive run's application ${what}; its log ends: ${tail.slice(-1500)}`);
      }
      const [executor] = await processesWithArg(marker);
      if (executor === undefined) throw new Error(`the archive run's executor was not found`);
      const said = await runToEnd(
        jcmd,
        [String(executor), 'VM.cds', 'dynamic_dump', join(dir, EXECUTOR_ARCHIVE)],
        env,
        timeoutMs,
        this.clock,
      );
      const info = await stat(join(dir, EXECUTOR_ARCHIVE)).catch(() => undefined);
      if (info === undefined || info.size === 0)
        throw new Error(`the executor wrote no archive; jcmd said: ${said.trim().slice(-1500)}`);
    } finally {
      await writeFile(release, '').catch(() => undefined);
      const code = await Promise.race([
        exited,
        new Promise<'late'>((resolve) =>
          this.clock.after(timeoutMs, () => {
            resolve('late');
          }),
        ),
      ]);
      if (code === 'late') await stopProcessGroups([submit.pid], [], 2000);
      this.running.delete(submit.pid);
      await rm(app, { force: true });
      await rm(release, { force: true });
    }
  }
}
