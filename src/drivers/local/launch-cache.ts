/**
 * Kept launches of an image's daemons (`<home>/cache/launch/<key>/`): the launcher's command per daemon type, and
 * an application class-data-sharing archive per type, made once in the background by a short run of a master and
 * a worker (`-XX:ArchiveClassesAtExit`), and one for the executors, written during that run by the executor of a
 * small application (archive-run.ts), which workers pass on to their executors. The key (launch-key.ts) covers all
 * they depend on: the JDK, the image's jars and conf scripts, and the daemons' environment; anything else (another JDK,
 * a changed class path, extra jars) is another key, so a kept launch that no longer fits is never used, and a new
 * one is made. A daemon always starts, with or without one: without, it goes through `spark-class` as before.
 *
 * The run's JVMs and its spark-submit are detached (a daemon's start must not tie it to the server), so a server
 * killed during the run would leave them running: each run records their pids in its staging directory, and the
 * next server of the data directory (`recover`) stops those that still carry that directory in their command line,
 * then removes it.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodType } from '../../core/cluster.js';
import { ArchiveRun, EXECUTOR_ARCHIVE, RUN_FILE } from './archive-run.js';
import { readJsonIfExists, writeJsonAtomic } from './files.js';
import {
  checkLaunchCommand,
  directoriesLast,
  LAUNCHER_SCRIPT,
  parseLauncherOutput,
} from './launch-command.js';
import { LAUNCH_FORMAT, launchKey, type LaunchImage } from './launch-key.js';
import { isOurProcess, runToEnd, stopProcessGroups } from './processes.js';
import type { DaemonLaunch, ImageRecord } from './records.js';
import { daemonEnv, DEFAULT_RESOURCES, MASTER_CLASS, WORKER_CLASS } from './spark-daemons.js';

const PROFILE_FILE = 'launch.json';
const STAGING_PREFIX = '.staging-';

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

export interface LaunchCacheOptions {
  /** Whether archives are made (in the background, after a cluster of the image started). */
  readonly makeArchives: boolean;
  /** Limit of each step of the run that makes the archives. */
  readonly stepTimeoutMs?: number;
  /** The steps' limits and polls go by it; default: the real clock. */
  readonly clock?: Clock | undefined;
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
          await runToEnd(
            'bash',
            ['-c', LAUNCHER_SCRIPT, 'oshinko-launcher', daemonClass],
            env,
            timeoutMs,
            this.options.clock ?? systemClock,
          ),
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
          executorArchiveProblem = await new ArchiveRun(
            this.running,
            () => this.closed,
            this.options.clock ?? systemClock,
          ).makeArchives(staging, commands, env, timeoutMs);
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
