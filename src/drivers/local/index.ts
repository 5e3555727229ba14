import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ClusterObservation, ClusterSpec, ImageVersions } from '../../core/cluster.js';
import { parsePythonVersion } from '../../core/image-versions.js';
import { POD_SETTING_FIELDS } from '../../core/pod-settings.js';
import type { ClusterDriver, LocalImage, LogRequest, ReplicaCounts } from '../../core/driver.js';
import {
  BackendUnavailableError,
  ConfigurationError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
} from '../../core/errors.js';
import { systemClock, type Clock } from './clock.js';
import { masterRunning, observeCluster } from './cluster-observer.js';
import { checkFitsMachine, clusterResources, resourceNotes, type Machine } from './cluster-resources.js';
import { readClusterStates, removeClusterDir, STATE_VERSION } from './cluster-state.js';
import { describeFsError, isFsError, tailFile } from './files.js';
import { followFile } from './log-follower.js';
import { LocalImageStore } from './image-store.js';
import { LaunchCache, type ArchiveState, type LaunchLookup } from './launch-cache.js';
import { HomeLayout } from './layout.js';
import { adoptCluster, imagesInUse, LiveCluster } from './live-cluster.js';
import { freePorts, waitUntilListening } from './ports.js';
import { processesWithEnv, stopProcessGroups } from './processes.js';
import { acquireServerLock, type ServerLock } from './server-lock.js';
import { isSparkHome, scalaVersionOf, sparkVersionOf } from './spark-home.js';
import {
  CLUSTER_UID_ENV,
  daemonEnv,
  daemonSpec,
  DEFAULT_RESOURCES,
  fetchMasterJson,
  LOCAL_HOST,
} from './spark-daemons.js';
import { FileStoredConfigSource } from './stored-configs.js';
import { DEFAULT_BACKOFF, Supervisor, type BackoffPolicy, type DaemonSnapshot } from './supervisor.js';
import type { ClusterState, DaemonRecord, DaemonResources } from './records.js';

export interface LocalDriverOptions {
  /** The oshinko data directory (OSHINKO_HOME). */
  readonly home: string;
  /** SPARK_HOME, when set, is registered as the default image instead of the runtime installed by setup. */
  readonly sparkHome: string | undefined;
  /** Where `npm run setup` installed pyspark (default: `<project>/.oshinko/runtime`). */
  readonly runtimeDir?: string | undefined;
  /** Environment the daemons inherit (JAVA_HOME, PATH, ...); default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The server's daemon sizes; a cluster's masterResources and workerResources set its own (cluster-resources.ts). */
  readonly resources?: Partial<DaemonResources> | undefined;
  /** What a cluster is checked against; default: this machine's memory and cores. */
  readonly machine?: Machine | undefined;
  readonly backoff?: BackoffPolicy | undefined;
  /** The supervisors' clock (restart backoff, polls of adopted processes); default: the real one. */
  readonly clock?: Clock | undefined;
  /**
   * Whether the first cluster of an image is followed, in the background, by a short run of a master and a worker
   * that writes the image's class-data-sharing archives (launch-cache.ts); default true.
   */
  readonly makeArchives?: boolean | undefined;
}

/** `<project>/.oshinko/runtime`, from this module's place in src/ or dist/. */
export function defaultRuntimeDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '.oshinko', 'runtime');
}

/** The Spark home the local driver uses by default: SPARK_HOME, else the pyspark package setup installed. */
export function runtimeSparkHome(options: Pick<LocalDriverOptions, 'sparkHome' | 'runtimeDir'>): string {
  return options.sparkHome ?? join(options.runtimeDir ?? defaultRuntimeDir(), 'pyspark');
}

/** How long new workers wait for their master to listen before they start anyway. */
const MASTER_WAIT_MS = 60_000;

/**
 * The Python the executors' Python workers run: `PYSPARK_PYTHON` of the server's environment, else `python3`, as
 * Spark chooses. Undefined when there is none.
 */
function localPythonVersion(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const python =
    env.PYSPARK_PYTHON !== undefined && env.PYSPARK_PYTHON !== '' ? env.PYSPARK_PYTHON : 'python3';
  const result = spawnSync(python, ['--version'], { env, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return parsePythonVersion(`${result.stdout}${result.stderr}`);
}

function checkJava(env: Readonly<Record<string, string | undefined>>): void {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const result = spawnSync(java, ['-version'], { env, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new ConfigurationError(
      `Java was not found (tried ${java}${env.JAVA_HOME ? ' from JAVA_HOME' : ' on PATH'}); the local driver runs Spark, which needs Java 17 or newer: install a JDK and put java on PATH or set JAVA_HOME`,
    );
  }
}

interface LocalDriverParts {
  readonly layout: HomeLayout;
  readonly store: LocalImageStore;
  readonly lock: ServerLock;
  /** The driver's table of clusters by name; the image store reads which images they use from it. */
  readonly clusters: Map<string, LiveCluster>;
  readonly defaultImage: string;
  readonly defaultSparkHome: string;
  readonly launches: LaunchCache;
}

class LocalDriver implements ClusterDriver {
  readonly kind = 'local' as const;
  readonly storedConfigs: FileStoredConfigSource;
  readonly defaultImage: string;
  private readonly layout: HomeLayout;
  private readonly store: LocalImageStore;
  private readonly lock: ServerLock;
  private readonly clusters: Map<string, LiveCluster>;
  private readonly defaultSparkHome: string;
  private readonly resources: DaemonResources;
  private readonly machine: Machine;
  private readonly backoff: BackoffPolicy;
  private readonly clock: Clock;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly launches: LaunchCache;
  /** The default image's archive, for `GET /` (updated as clusters start and archives are made). */
  private defaultArchive: ArchiveState = 'none';
  private defaultArchiveProblem: string | undefined;
  /** Why the default image's kept launch has no executors' archive, as last read; undefined when it has one. */
  private defaultExecutorProblem: string | undefined = 'none yet';
  private readonly pythonVersion: string | undefined;
  /** Spark and Scala versions by distribution directory, read from its jars once. */
  private readonly sparkVersions = new Map<string, ImageVersions>();
  private closed = false;

  constructor(parts: LocalDriverParts, options: LocalDriverOptions) {
    this.layout = parts.layout;
    this.store = parts.store;
    this.lock = parts.lock;
    this.clusters = parts.clusters;
    this.defaultImage = parts.defaultImage;
    this.defaultSparkHome = parts.defaultSparkHome;
    this.storedConfigs = new FileStoredConfigSource(this.layout.configs);
    this.resources = { ...DEFAULT_RESOURCES, ...options.resources };
    this.machine = options.machine ?? { memoryBytes: totalmem(), cores: availableParallelism() };
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    this.launches = parts.launches;
    this.pythonVersion = localPythonVersion(this.env);
  }

  /** What the image check finds on Kubernetes, from the image store: its Spark and the executors' Python. */
  private versions(distribution: string): ImageVersions {
    let jvm = this.sparkVersions.get(distribution);
    if (jvm === undefined) {
      const spark = sparkVersionOf(distribution);
      const scala = scalaVersionOf(distribution);
      jvm = { ...(spark === undefined ? {} : { spark }), ...(scala === undefined ? {} : { scala }) };
      this.sparkVersions.set(distribution, jvm);
    }
    return { ...jvm, ...(this.pythonVersion === undefined ? {} : { python: this.pythonVersion }) };
  }

  describe(): Readonly<Record<string, string>> {
    return {
      home: this.layout.home,
      'default-image-spark-home': this.defaultSparkHome,
      images: this.layout.images,
      configs: this.layout.configs,
      host: LOCAL_HOST,
      'default-image-class-data-archive':
        this.defaultArchiveProblem === undefined
          ? ARCHIVE_STATES[this.defaultArchive]
          : `${ARCHIVE_STATES[this.defaultArchive]}: ${this.defaultArchiveProblem}`,
      'default-image-executor-archive':
        this.defaultArchive !== 'ready'
          ? ARCHIVE_STATES[this.defaultArchive]
          : this.defaultExecutorProblem === undefined
            ? 'ready'
            : `none: ${this.defaultExecutorProblem}`,
    };
  }

  /**
   * The kept launch of an image's daemons in this server's environment; none when it cannot be looked up (no
   * java: the start then fails on its own, with spark-class's message).
   */
  private async findLaunch(image: ClusterState['image']): Promise<LaunchLookup | undefined> {
    try {
      const lookup = await this.launches.find(image, daemonEnv(image, this.resources, this.env));
      if (image.sparkHome === this.defaultSparkHome) {
        this.defaultArchive = lookup.state;
        this.defaultArchiveProblem = lookup.problem;
        this.defaultExecutorProblem = lookup.executorProblem;
      }
      return lookup;
    } catch {
      return undefined;
    }
  }

  /** Makes the kept launch of an image in the background (after its cluster started, not to slow that start). */
  private prepareLaunch(image: ClusterState['image'], lookup: LaunchLookup | undefined): void {
    if (lookup === undefined || lookup.launch !== undefined || this.closed) return;
    const isDefault = image.sparkHome === this.defaultSparkHome;
    if (isDefault) this.defaultArchive = 'preparing';
    this.launches.prepare(lookup.key, image, daemonEnv(image, this.resources, this.env), (error) => {
      if (!isDefault) return;
      this.defaultArchive = error === undefined ? 'ready' : 'failed';
      this.defaultArchiveProblem = error?.message;
      if (error === undefined) void this.findLaunch(image);
    });
  }

  async checkImage(image: string): Promise<void> {
    await this.store.require(image);
  }

  private supervise(cluster: LiveCluster, daemon: DaemonRecord): Supervisor {
    const spec = daemonSpec(
      this.layout,
      cluster.state,
      daemon,
      cluster.state.image,
      { ...this.resources, ...cluster.state.resources },
      this.env,
      cluster.launch,
    );
    const supervisor = new Supervisor(
      spec,
      {
        onChange: (snapshot: DaemonSnapshot) => {
          const record = cluster.state.daemons.find((d) => d.name === snapshot.name);
          if (!record || this.closed) return;
          record.pid = snapshot.pid;
          record.restarts = snapshot.restarts;
          record.startedAt = snapshot.startedAt;
          void cluster.persist().catch(() => undefined);
        },
        onEvent: (type, reason, message) => {
          cluster.event(type, reason, message, daemon.name);
        },
      },
      { backoff: this.backoff, restarts: daemon.restarts, clock: this.clock },
    );
    cluster.supervisors.set(daemon.name, supervisor);
    return supervisor;
  }

  /** Looks up the default image's kept launch, so that `GET /` says whether it has an archive. */
  async lookUpDefaultImage(image: ClusterState['image']): Promise<void> {
    await this.findLaunch(image);
  }

  /** Re-adopts the clusters an earlier server left running; those with no live process are Lost. */
  async load(): Promise<void> {
    for (const state of await readClusterStates(this.layout, this.resources)) {
      const cluster = new LiveCluster(state, this.layout.clusterFile(state.name));
      cluster.launch = state.lost === undefined ? (await this.findLaunch(state.image))?.launch : undefined;
      this.clusters.set(state.name, cluster);
      await adoptCluster(cluster, (daemon) => this.supervise(cluster, daemon));
    }
  }

  private async observe(cluster: LiveCluster): Promise<ClusterObservation> {
    const { state } = cluster;
    const snapshots = cluster.snapshots();
    const json =
      state.lost === undefined && masterRunning(state, snapshots)
        ? await fetchMasterJson(state.masterWebPort)
        : undefined;
    return {
      ...observeCluster(state, snapshots, json, cluster.events),
      imageCheck: { result: 'passed', versions: this.versions(state.image.distribution) },
    };
  }

  async list(): Promise<ClusterObservation[]> {
    return Promise.all([...this.clusters.values()].map((cluster) => this.observe(cluster)));
  }

  clusterNames(): Promise<string[]> {
    return Promise.resolve([...this.clusters.keys()]);
  }

  async get(name: string): Promise<ClusterObservation | undefined> {
    const cluster = this.clusters.get(name);
    return cluster ? this.observe(cluster) : undefined;
  }

  // ---- changes -----------------------------------------------------------------------------------------

  async create(spec: ClusterSpec): Promise<ClusterObservation> {
    if (this.clusters.has(spec.name))
      throw new ConflictError(`cluster '${spec.name}' already exists`, { field: 'name' });
    for (const field of ['sparkMasterConfig', 'sparkWorkerConfig'] as const) {
      if (spec.config[field] !== '') {
        throw new UnprocessableError(
          `config.${field} ${JSON.stringify(spec.config[field])}: Spark configuration sets are not supported by the local driver; put the settings into a local image with \`oshinko image build --conf KEY=VALUE\``,
          { field: `config.${field}` },
        );
      }
    }
    if (spec.config.imagePullPolicy !== undefined) {
      throw new UnprocessableError(
        `config.imagePullPolicy ${JSON.stringify(spec.config.imagePullPolicy)}: local images are never pulled; the local driver runs the image from its own store`,
        { field: 'config.imagePullPolicy' },
      );
    }
    if (spec.config.runAsUser !== undefined) {
      throw new UnprocessableError(
        `config.runAsUser ${JSON.stringify(spec.config.runAsUser)}: the local driver runs every Spark process as the server's own user; it sets no other`,
        { field: 'config.runAsUser' },
      );
    }
    for (const field of POD_SETTING_FIELDS) {
      if (spec.config[field] !== undefined) {
        throw new UnprocessableError(
          `config.${field}: pod settings are for the Kubernetes driver; the local driver runs processes, not pods`,
          { field: `config.${field}` },
        );
      }
    }
    checkFitsMachine(spec.config, this.machine);
    const image = await this.store.require(spec.config.sparkImage, 'config.sparkImage');
    if (!isSparkHome(image.sparkHome)) {
      throw new UnprocessableError(
        `image ${JSON.stringify(image.ref)} points to ${image.sparkHome}, which is no Spark home any more (no bin/spark-class); remove it with \`oshinko image rm ${image.ref}\` and import or build it again`,
        { field: 'config.sparkImage' },
      );
    }
    const [masterPort = 0, masterWebPort = 0] = await freePorts(2);
    const state: ClusterState = {
      version: STATE_VERSION,
      uid: randomBytes(8).toString('hex'),
      name: spec.name,
      config: spec.config,
      imageSource: spec.imageSource,
      storedConfig: spec.storedConfig,
      createdAt: new Date().toISOString(),
      image: {
        ref: image.ref,
        kind: image.kind,
        sparkHome: image.sparkHome,
        distribution: image.distribution,
      },
      masterPort,
      masterWebPort,
      resources: clusterResources(spec.config, this.resources),
      daemons: [],
      lost: undefined,
    };
    if (spec.config.masterCount > 0) {
      state.daemons.push({
        name: `${spec.name}-m-1`,
        type: 'master',
        port: masterPort,
        webPort: masterWebPort,
        pid: undefined,
        restarts: 0,
        startedAt: undefined,
      });
    }
    state.daemons.push(...(await this.newWorkers(state, spec.config.workerCount)));
    const dir = this.layout.clusterDir(spec.name);
    const cluster = new LiveCluster(state, this.layout.clusterFile(spec.name));
    try {
      // A directory left by an earlier life of the name (e.g. removed by hand from the state) is cleared first.
      await removeClusterDir(dir);
      await mkdir(join(dir, 'logs'), { recursive: true });
      // Recorded before any process starts: a cluster that cannot be recorded is never started.
      await cluster.persist();
    } catch (error) {
      await removeClusterDir(dir).catch(() => undefined);
      throw dataError(
        `cannot record cluster '${spec.name}' in the data directory`,
        error,
        this.layout.clusterFile(spec.name),
      );
    }
    const lookup = await this.findLaunch(state.image);
    cluster.launch = lookup?.launch;
    this.clusters.set(spec.name, cluster);
    try {
      this.startMasterFirst(cluster, () => {
        this.prepareLaunch(state.image, lookup);
      });
      cluster.event('Normal', 'Created', `cluster ${spec.name} created with image ${image.ref}`);
      for (const note of resourceNotes(spec.config, state.resources, this.machine))
        cluster.event('Normal', 'ResourcesNotEnforced', note);
      await cluster.persist();
    } catch (error) {
      await this.destroy(cluster).catch(() => undefined);
      throw dataError(
        `cannot create cluster '${spec.name}'; nothing was left running`,
        error,
        this.layout.clusterFile(spec.name),
      );
    }
    return this.observe(cluster);
  }

  /**
   * Starts the master, and the workers once the master accepts connections. A worker that finds no master retries
   * only after 5-15 s (Spark's fuzzed registration interval), so starting all at once, as a plain script does,
   * made the first registration take about twice as long on a small machine (docs/benchmarks.md).
   */
  private startMasterFirst(cluster: LiveCluster, started: () => void): void {
    const { state } = cluster;
    const workers: Supervisor[] = [];
    for (const daemon of state.daemons) {
      const supervisor = this.supervise(cluster, daemon);
      if (daemon.type === 'master') supervisor.start();
      else workers.push(supervisor);
    }
    const startWorkers = () => {
      for (const worker of workers) worker.start();
      started();
    };
    if (!state.daemons.some((d) => d.type === 'master')) {
      startWorkers();
      return;
    }
    // Bounded: after the wait the workers start anyway and register on Spark's own retries.
    void waitUntilListening(state.masterPort, {
      timeoutMs: MASTER_WAIT_MS,
      // Loopback connects are cheap; each interval is time a worker JVM could already be starting.
      intervalMs: 20,
      cancelled: () => this.closed || this.clusters.get(state.name) !== cluster,
    }).then(startWorkers, startWorkers);
  }

  private async newWorkers(state: ClusterState, count: number): Promise<DaemonRecord[]> {
    const taken = new Set(state.daemons.map((d) => d.name));
    const ports = await freePorts(count * 2);
    const out: DaemonRecord[] = [];
    for (let index = 1; out.length < count; index++) {
      const name = `${state.name}-w-${index}`;
      if (taken.has(name)) continue;
      const i = out.length * 2;
      out.push({
        name,
        type: 'worker',
        port: ports[i] ?? 0,
        webPort: ports[i + 1] ?? 0,
        pid: undefined,
        restarts: 0,
        startedAt: undefined,
      });
    }
    return out;
  }

  async scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation> {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new NotFoundError(`cluster '${name}' does not exist`);
    const { state } = cluster;
    if (state.lost !== undefined) {
      throw new ConflictError(`cluster '${name}' is Lost (${state.lost}); it cannot be scaled`);
    }
    const previous = { config: state.config, daemons: [...state.daemons] };
    state.config = { ...state.config, masterCount: counts.masterCount, workerCount: counts.workerCount };
    const stopping: DaemonRecord[] = [];
    const starting: DaemonRecord[] = [];
    const masters = state.daemons.filter((d) => d.type === 'master');
    if (counts.masterCount === 0) stopping.push(...masters);
    else if (masters.length === 0) {
      starting.push({
        name: `${name}-m-1`,
        type: 'master',
        port: state.masterPort,
        webPort: state.masterWebPort,
        pid: undefined,
        restarts: 0,
        startedAt: undefined,
      });
    }
    const workers = state.daemons
      .filter((d) => d.type === 'worker')
      .sort((a, b) => workerIndex(a.name) - workerIndex(b.name));
    if (workers.length > counts.workerCount) stopping.push(...workers.slice(counts.workerCount));
    state.daemons = state.daemons.filter((d) => !stopping.includes(d));
    if (workers.length < counts.workerCount)
      starting.push(...(await this.newWorkers(state, counts.workerCount - workers.length)));
    state.daemons.push(...starting);
    try {
      await cluster.persist();
    } catch (error) {
      // Nothing was started or stopped yet: put the record back as it was.
      state.config = previous.config;
      state.daemons = previous.daemons;
      throw dataError(
        `cannot scale cluster '${name}'; it was left as it was`,
        error,
        this.layout.clusterFile(name),
      );
    }
    await Promise.all(
      stopping.map(async (daemon) => {
        const supervisor = cluster.supervisors.get(daemon.name);
        cluster.supervisors.delete(daemon.name);
        await supervisor?.stop();
        cluster.event('Normal', 'Stopped', `${daemon.name} stopped (scaled down)`, daemon.name);
      }),
    );
    for (const daemon of starting) this.supervise(cluster, daemon).start();
    if (starting.length > 0 || stopping.length > 0) {
      cluster.event(
        'Normal',
        'Scaled',
        `scaled to ${counts.masterCount} master(s), ${counts.workerCount} worker(s)`,
      );
    }
    await cluster.persist();
    return this.observe(cluster);
  }

  /** Stops every process of the cluster (process groups, then any straggler carrying its id) and forgets it. */
  private async destroy(cluster: LiveCluster): Promise<void> {
    const supervisors = [...cluster.supervisors.values()];
    cluster.supervisors.clear();
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    // Daemons recorded but not supervised (a Lost cluster whose pids came back, executors left behind).
    const stragglers = await processesWithEnv(CLUSTER_UID_ENV, cluster.state.uid);
    if (stragglers.length > 0) await stopProcessGroups([], stragglers, 3000);
    await cluster.settled();
    this.clusters.delete(cluster.state.name);
    await removeClusterDir(this.layout.clusterDir(cluster.state.name));
  }

  async delete(name: string): Promise<boolean> {
    const cluster = this.clusters.get(name);
    if (!cluster) return false;
    try {
      await this.destroy(cluster);
    } catch (error) {
      throw dataError(`cannot remove the directory of cluster '${name}'`, error);
    }
    return true;
  }

  async logs(name: string, request: LogRequest): Promise<string> {
    const { pod } = this.logTarget(name, request);
    return tailFile(this.layout.logFile(name, pod), request.tailLines);
  }

  followLogs(name: string, request: LogRequest): Promise<Readable> {
    const { cluster, pod } = this.logTarget(name, request);
    const stream = followFile({
      path: this.layout.logFile(name, pod),
      tailLines: request.tailLines,
      // The process ends for good when it is scaled away or its cluster deleted; a restart is not an end.
      alive: () =>
        this.clusters.get(name) === cluster && cluster.state.daemons.some((daemon) => daemon.name === pod),
    });
    return Promise.resolve(stream);
  }

  /** The process whose log is asked for; a process has one log, no containers and no previous instance's. */
  private logTarget(name: string, request: LogRequest): { cluster: LiveCluster; pod: string } {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new NotFoundError(`cluster '${name}' does not exist`);
    const pod = request.pod ?? cluster.state.daemons.find((d) => d.type === 'master')?.name;
    if (pod === undefined || !cluster.state.daemons.some((d) => d.name === pod)) {
      throw new NotFoundError(`cluster '${name}' has no process '${pod ?? 'master'}'`, { field: 'pod' });
    }
    if (request.container !== undefined && request.container !== SPARK_CONTAINER) {
      throw new UnprocessableError(
        `the local driver runs each Spark daemon as a process, without containers: only container '${SPARK_CONTAINER}' has a log, not '${request.container}'`,
        { field: 'container' },
      );
    }
    if (request.previous === true) {
      throw new UnprocessableError(
        "the local driver keeps no separate log of a process's previous run: each process has one log, appended across restarts, each restart marked by a '--- oshinko ...' line; read it without previous",
        { field: 'previous' },
      );
    }
    return { cluster, pod };
  }

  listImages(): Promise<LocalImage[]> {
    return this.store.toLocalImages();
  }

  /** Stops supervising and leaves the clusters running; the next server on this home re-adopts them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.launches.close();
    for (const cluster of this.clusters.values()) {
      for (const supervisor of cluster.supervisors.values()) supervisor.detach();
    }
    await Promise.all([...this.clusters.values()].map((cluster) => cluster.settled()));
    await this.lock.release();
  }
}

/** The container name clients know from Kubernetes; here it is the process itself. */
const SPARK_CONTAINER = 'spark';

const ARCHIVE_STATES: Record<ArchiveState, string> = {
  ready: 'ready',
  preparing: 'being made',
  none: 'none yet (made in the background after the first cluster of the image starts)',
  failed: 'none (the run that makes it failed)',
};

/** A file system failure of the data directory becomes a clear error naming the path; others pass. */
function dataError(action: string, error: unknown, file?: string): unknown {
  return isFsError(error) ? new BackendUnavailableError(describeFsError(action, error, file)) : error;
}

function workerIndex(name: string): number {
  return Number(/-w-(\d+)$/.exec(name)?.[1] ?? 0);
}

/**
 * The local driver: each cluster is a Spark standalone master and workers running as supervised processes of
 * this machine, from images of the local store under `<home>/images`.
 */
export async function createLocalDriver(options: LocalDriverOptions): Promise<ClusterDriver> {
  const layout = new HomeLayout(resolve(options.home));
  const env = options.env ?? process.env;
  checkJava(env);
  let lock: ServerLock;
  try {
    for (const dir of [layout.home, layout.images, layout.clusters, layout.configs])
      await mkdir(dir, { recursive: true });
    lock = await acquireServerLock(layout.lockFile);
  } catch (error) {
    if (!isFsError(error)) throw error;
    throw new ConfigurationError(
      describeFsError(`cannot use the data directory ${layout.home} (OSHINKO_HOME, --home)`, error),
    );
  }
  try {
    const clusters = new Map<string, LiveCluster>();
    const store = new LocalImageStore(layout, () => Promise.resolve(imagesInUse(clusters.values())));
    const runtime = await store.registerDefault(runtimeSparkHome(options));
    const launches = new LaunchCache(layout.launchCache, { makeArchives: options.makeArchives ?? true });
    await launches.recover();
    const driver = new LocalDriver(
      {
        layout,
        store,
        lock,
        clusters,
        launches,
        defaultImage: runtime.ref,
        defaultSparkHome: runtime.sparkHome,
      },
      options,
    );
    await driver.load();
    await driver.lookUpDefaultImage(runtime);
    return driver;
  } catch (error) {
    await lock.release().catch(() => undefined);
    if (!isFsError(error)) throw error;
    throw new ConfigurationError(
      describeFsError(`cannot use the data directory ${layout.home} (OSHINKO_HOME, --home)`, error),
    );
  }
}
