/**
 * Kept launches of an image's daemons (`<home>/cache/launch/<key>/`): the launcher's command per daemon type, and
 * an application class-data-sharing archive per type, made once in the background by a short run of a master and
 * a worker (`-XX:ArchiveClassesAtExit`), and one for the executors, written during that run by the executor of a
 * small application (`makeExecutorArchive`), which workers pass on to their executors. The key covers all they
 * depend on: the JDK, the image's jars and conf scripts, and the daemons' environment; anything else (another JDK,
 * a changed class path, extra jars) is another key, so a kept launch that no longer fits is never used, and a new
 * one is made. A daemon always starts, with or without one: without, it goes through `spark-class` as before.
 *
 * The run's JVMs and its spark-submit are detached (a daemon's start must not tie it to the server), so a server
 * killed during the run would leave them running: each run records their pids in its staging directory, and the
 * next server of the data directory (`recover`) stops those that still carry that directory in their command line,
 * then removes it.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { PodType } from '../../core/cluster.js';
import { readJsonIfExists, writeJsonAtomic } from './files.js';
import type { DaemonLaunch, ImageRecord } from './records.js';
import {
  archiveAtExitOptions,
  checkLaunchCommand,
  DAEMON_JIT_OPTIONS,
  directoriesLast,
  imageConfDir,
  LAUNCHER_SCRIPT,
  launchArgs,
  parseLauncherOutput,
} from './launch-command.js';
import { freePorts, waitUntilListening } from './ports.js';
import { isOurProcess, processesWithArg, stopProcessGroups } from './processes.js';
import {
  aliveWorkerPorts,
  fetchMasterJson,
  LOCAL_HOST,
  MASTER_CLASS,
  WORKER_CLASS,
  daemonEnv,
  DEFAULT_RESOURCES,
} from './spark-daemons.js';

/** Bumped when what a kept launch holds, or how it is made, changes. */
const LAUNCH_FORMAT = 2;
const PROFILE_FILE = 'launch.json';
/** The pids of an archive run's JVMs, in its staging directory while the run is under way. */
const RUN_FILE = 'run.json';
const STAGING_PREFIX = '.staging-';

/** The executors' archive, in a kept launch's directory. */
const EXECUTOR_ARCHIVE = 'executor.jsa';

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

type LaunchImage = Pick<ImageRecord, 'kind' | 'sparkHome' | 'distribution'>;

/** A kept launch as written in `launch.json`. */
export interface LaunchProfile {
  readonly format: number;
  readonly key: string;
  /** The image's Spark home (for listings; the key is what decides). */
  readonly sparkHome: string;
  readonly createdAt: string;
  readonly commands: Readonly<Record<PodType, readonly string[]>>;
  /** Archive file names in the profile's directory; undefined when the run that makes them failed. */
  readonly archives: Readonly<Record<PodType, string>> | undefined;
  /** Why there is no archive. */
  readonly archiveProblem: string | undefined;
  /** The executors' archive file name in the profile's directory, when the run made one. */
  readonly executorArchive: string | undefined;
  /** Why there is no executors' archive. */
  readonly executorArchiveProblem: string | undefined;
}

export type ArchiveState = 'ready' | 'preparing' | 'none' | 'failed';

/** The java a daemon runs: JAVA_HOME's, else the first on PATH (as spark-class finds it). */
export async function resolveJava(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (env.JAVA_HOME) return realpath(join(env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'java');
    if (
      await access(candidate)
        .then(() => true)
        .catch(() => false)
    )
      return realpath(candidate);
  }
  throw new Error('java was found neither in JAVA_HOME nor on PATH');
}

/** Environment variables the launcher or the JVM's class path depend on. */
function launchRelevant(name: string): boolean {
  return (
    name.startsWith('SPARK_') || ['JAVA_HOME', 'HADOOP_CONF_DIR', 'YARN_CONF_DIR', 'CLASSPATH'].includes(name)
  );
}

async function listing(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const rows = await Promise.all(
    names.sort().map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      return `${name} ${String(info?.size ?? -1)} ${String(info?.mtimeMs ?? -1)}`;
    }),
  );
  return rows;
}

async function fileText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/**
 * The key of an image's launch in an environment: a hash of the JDK (its binary and module image), the jars of the
 * image and its distribution (names, sizes, times), its conf scripts, and the launch-relevant environment.
 */
export async function launchKey(
  image: LaunchImage,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const java = await resolveJava(env);
  const javaHome = dirname(dirname(java));
  const modules = await stat(join(javaHome, 'lib', 'modules')).catch(() => undefined);
  const confDir = imageConfDir(image);
  const parts = {
    format: LAUNCH_FORMAT,
    java,
    modules: `${String(modules?.size ?? -1)} ${String(modules?.mtimeMs ?? -1)}`,
    release: await fileText(join(javaHome, 'release')),
    image: [image.kind, image.sparkHome, image.distribution],
    jars: await listing(join(image.distribution, 'jars')),
    imageJars: image.kind === 'built' ? await listing(join(image.sparkHome, 'jars')) : [],
    sparkEnv: await fileText(join(confDir, 'spark-env.sh')),
    javaOpts: await fileText(join(confDir, 'java-opts')),
    env: Object.entries(env)
      .filter(([name, value]) => value !== undefined && launchRelevant(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);
}

/** Runs a process to its end with a time limit; resolves with its output, rejects with its log. */
function runToEnd(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`exited with ${String(code)}: ${stderr.slice(-2000)}`));
    });
  });
}

export interface LaunchCacheOptions {
  /** Whether archives are made (in the background, after a cluster of the image started). */
  readonly makeArchives: boolean;
  /** Limit of each step of the run that makes the archives. */
  readonly stepTimeoutMs?: number;
}

/** A kept launch, or the key under which one would be kept. */
export interface LaunchLookup {
  readonly key: string;
  readonly launch: DaemonLaunch | undefined;
  readonly state: ArchiveState;
  /** Why a kept launch has no archive. */
  readonly problem?: string | undefined;
  /** Why a kept launch has no executors' archive. */
  readonly executorProblem?: string | undefined;
}

/**
 * The kept launches of one data directory. `find` reads one; `prepare` makes one in the background (one at a time
 * per key); `close` stops a run under way.
 */
export class LaunchCache {
  private readonly preparing = new Map<string, Promise<void>>();
  private readonly running = new Set<number>();
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly options: LaunchCacheOptions,
  ) {}

  private profileDir(key: string): string {
    return join(this.dir, key);
  }

  async read(key: string): Promise<LaunchProfile | undefined> {
    const profile = (await readJsonIfExists(join(this.profileDir(key), PROFILE_FILE)).catch(
      () => undefined,
    )) as LaunchProfile | undefined;
    return profile?.format === LAUNCH_FORMAT && profile.key === key ? profile : undefined;
  }

  /** The kept launch of `image` in `env` (the daemons' environment from `daemonEnv`), if any. */
  async find(image: LaunchImage, env: Readonly<Record<string, string | undefined>>): Promise<LaunchLookup> {
    const key = await launchKey(image, env);
    const profile = await this.read(key);
    if (profile === undefined) {
      return { key, launch: undefined, state: this.preparing.has(key) ? 'preparing' : 'none' };
    }
    const dir = this.profileDir(key);
    const archives =
      profile.archives === undefined
        ? undefined
        : { master: join(dir, profile.archives.master), worker: join(dir, profile.archives.worker) };
    const executorArchive =
      profile.executorArchive === undefined ? undefined : join(dir, profile.executorArchive);
    return {
      key,
      launch: { commands: profile.commands, archives, executorArchive },
      state: archives === undefined ? 'failed' : 'ready',
      problem: profile.archiveProblem,
      executorProblem: profile.executorArchiveProblem,
    };
  }

  /** Makes the launch of `key` in the background, once; `done` hears how it went. */
  prepare(
    key: string,
    image: LaunchImage,
    env: Readonly<Record<string, string | undefined>>,
    done?: (error: Error | undefined) => void,
  ): void {
    if (this.closed || this.preparing.has(key)) return;
    const work = this.make(key, image, env).then(
      () => done?.(undefined),
      (error: unknown) => done?.(error instanceof Error ? error : new Error(String(error))),
    );
    this.preparing.set(
      key,
      work.finally(() => this.preparing.delete(key)),
    );
  }

  /** Settles when no launch is being made. */
  async settled(): Promise<void> {
    await Promise.all([...this.preparing.values()]);
  }

  /**
   * Stops the JVMs of archive runs that a killed server of this data directory left running, and removes their
   * staging directories. Only for the data directory's owner (under its lock), before it prepares anything:
   * every staging directory is then a dead server's. A pid is stopped only while its command line names the
   * staging directory (the archive it writes), so a pid reused by another program is left alone. Returns the pids
   * stopped.
   */
  async recover(): Promise<number[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const stopped: number[] = [];
    for (const name of names.filter((n) => n.startsWith(STAGING_PREFIX))) {
      const staging = join(this.dir, name);
      const run = (await readJsonIfExists(join(staging, RUN_FILE)).catch(() => undefined)) as
        { pids?: unknown } | undefined;
      const pids = Array.isArray(run?.pids) ? run.pids.filter((p): p is number => Number.isInteger(p)) : [];
      const ours: number[] = [];
      for (const pid of pids) if (pid > 0 && (await isOurProcess(pid, `${staging}/`))) ours.push(pid);
      // Each leads its own process group; no grace: what they would write on SIGTERM is thrown away.
      await stopProcessGroups(ours, [], 0);
      stopped.push(...ours);
      await rm(staging, { recursive: true, force: true });
    }
    return stopped;
  }

  /** Stops a run under way (its processes) and makes no more. */
  async close(): Promise<void> {
    this.closed = true;
    await stopProcessGroups([...this.running], [], 2000);
    await this.settled();
  }

  private async make(key: string, image: LaunchImage, env: Readonly<Record<string, string | undefined>>) {
    await mkdir(this.dir, { recursive: true });
    const staging = join(
      this.dir,
      `${STAGING_PREFIX}${String(process.pid)}-${randomBytes(4).toString('hex')}`,
    );
    await mkdir(staging, { recursive: true });
    try {
      const timeoutMs = this.options.stepTimeoutMs ?? 60_000;
      const launcher = async (daemonClass: string) => {
        const command = parseLauncherOutput(
          await runToEnd('bash', ['-c', LAUNCHER_SCRIPT, 'oshinko-launcher', daemonClass], env, timeoutMs),
        );
        checkLaunchCommand(command, daemonClass);
        return directoriesLast(command);
      };
      const commands = { master: await launcher(MASTER_CLASS), worker: await launcher(WORKER_CLASS) };
      let archives: LaunchProfile['archives'];
      let archiveProblem: string | undefined;
      let executorArchiveProblem: string | undefined = 'archives are turned off';
      if (this.options.makeArchives) {
        try {
          executorArchiveProblem = await this.makeArchives(staging, commands, env, timeoutMs);
          archives = { master: 'master.jsa', worker: 'worker.jsa' };
        } catch (error) {
          archiveProblem = error instanceof Error ? error.message : String(error);
          executorArchiveProblem = 'the run that makes the archives failed';
        }
      } else {
        archiveProblem = 'archives are turned off';
      }
      if (this.closed) return;
      const profile: LaunchProfile = {
        format: LAUNCH_FORMAT,
        key,
        sparkHome: image.sparkHome,
        createdAt: new Date().toISOString(),
        commands,
        archives,
        archiveProblem,
        executorArchive: executorArchiveProblem === undefined ? EXECUTOR_ARCHIVE : undefined,
        executorArchiveProblem,
      };
      await rm(join(staging, 'work'), { recursive: true, force: true });
      await rm(join(staging, RUN_FILE), { force: true });
      await writeJsonAtomic(join(staging, PROFILE_FILE), profile);
      // Another server on another data directory may have kept the same key meanwhile: theirs stays.
      await rename(staging, this.profileDir(key)).catch(() => undefined);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * A master and a worker registered with it, each writing its archive when it exits: they load what a daemon of a
   * cluster loads (start, registration, the master's JSON page); then an application on them, whose executor's
   * loaded classes become the executors' archive (`makeExecutorArchive`); then they stop. Resolves with why there
   * is no executors' archive, if there is none (the daemons' archives do not depend on it).
   */
  private async makeArchives(
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
      if (!(await waitUntilListening(port, { timeoutMs, intervalMs: 50, cancelled: () => this.closed })))
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
      const deadline = Date.now() + timeoutMs;
      while (!aliveWorkerPorts(await fetchMasterJson(webPort)).has(workerPort)) {
        if (this.closed) throw new Error('the server stopped');
        if (Date.now() > deadline)
          throw new Error(`the worker of the archive run did not register within ${String(timeoutMs)} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100).unref());
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
        setTimeout(() => {
          resolve('late');
        }, applicationMs).unref();
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
      );
      const info = await stat(join(dir, EXECUTOR_ARCHIVE)).catch(() => undefined);
      if (info === undefined || info.size === 0)
        throw new Error(`the executor wrote no archive; jcmd said: ${said.trim().slice(-1500)}`);
    } finally {
      await writeFile(release, '').catch(() => undefined);
      const code = await Promise.race([
        exited,
        new Promise<'late'>((resolve) =>
          setTimeout(() => {
            resolve('late');
          }, timeoutMs).unref(),
        ),
      ]);
      if (code === 'late') await stopProcessGroups([submit.pid], [], 2000);
      this.running.delete(submit.pid);
      await rm(app, { force: true });
      await rm(release, { force: true });
    }
  }
}

/**
 * Whether each image has a class-data-sharing archive for its daemons in `env` (a server's environment: the CLI
 * assumes its own, and the default daemon sizes); 'unknown' when that cannot be told (no java).
 */
export async function imageArchiveStates(
  cache: LaunchCache,
  images: readonly Pick<ImageRecord, 'ref' | 'kind' | 'sparkHome' | 'distribution'>[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Map<string, ArchiveState | 'unknown'>> {
  const states = new Map<string, ArchiveState | 'unknown'>();
  for (const image of images) {
    const found = await cache.find(image, daemonEnv(image, DEFAULT_RESOURCES, env)).catch(() => undefined);
    states.set(image.ref, found?.state ?? 'unknown');
  }
  return states;
}
