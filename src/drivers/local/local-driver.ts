/**
 * The local driver's clusters: create, scale, delete, observe and read the logs of clusters whose daemons are
 * supervised processes of this machine. Planning is cluster-plan.ts's, the refused settings unsupported-settings.ts's,
 * the kept launches archive-status.ts's; this class does the I/O in between. `createLocalDriver` (index.ts) opens
 * what it works on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ClusterObservation, ClusterSpec } from '../../core/cluster.js';
import type { ClusterDriver, LocalImage, LogRequest, ReplicaCounts } from '../../core/driver.js';
import {
  BackendUnavailableError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
} from '../../core/errors.js';
import { ImageLaunches } from './archive-status.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { masterRunning, observeCluster } from './cluster-observer.js';
import { newClusterState, planScale, workerRecords } from './cluster-plan.js';
import { checkFitsMachine, clusterResources, resourceNotes, type Machine } from './cluster-resources.js';
import { readClusterStates, removeClusterDir } from './cluster-state.js';
import { describeFsError, isFsError, tailFile } from './files.js';
import type { LocalImageStore } from './image-store.js';
import type { LaunchCache } from './launch-cache.js';
import type { HomeLayout } from './layout.js';
import { adoptCluster, LiveCluster } from './live-cluster.js';
import { followFile } from './log-follower.js';
import { logProcess } from './log-target.js';
import { freePorts, waitUntilListening } from './ports.js';
import { processesWithEnv, stopProcessGroups } from './processes.js';
import type { ClusterState, DaemonRecord, DaemonResources } from './records.js';
import { RuntimeVersions } from './runtime-probes.js';
import type { ServerLock } from './server-lock.js';
import { isSparkHome } from './spark-home.js';
import {
  CLUSTER_UID_ENV,
  daemonSpec,
  DEFAULT_RESOURCES,
  fetchMasterJson,
  LOCAL_HOST,
} from './spark-daemons.js';
import { FileStoredConfigSource } from './stored-configs.js';
import { DEFAULT_BACKOFF, Supervisor, type BackoffPolicy, type DaemonSnapshot } from './supervisor.js';
import { refuseUnsupportedSettings } from './unsupported-settings.js';

/** The driver's settings besides its data directory and default image. */
export interface LocalDriverSettings {
  /**
   * The environment the daemons inherit (JAVA_HOME, PATH, ...), in which java and the executors' Python are found:
   * the server's, from its configuration (serve-config.ts).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The server's daemon sizes; a cluster's masterResources and workerResources set its own (cluster-resources.ts). */
  readonly resources?: Partial<DaemonResources> | undefined;
  /** What a cluster is checked against; default: this machine's memory and cores. */
  readonly machine?: Machine | undefined;
  readonly backoff?: BackoffPolicy | undefined;
  /** The supervisors' clock (restart backoff, polls of adopted processes); default: the real one. */
  readonly clock?: Clock | undefined;
}

/** How long new workers wait for their master to listen before they start anyway. */
const MASTER_WAIT_MS = 60_000;

/** What `createLocalDriver` opened for the driver: its data directory, image store, lock and kept launches. */
export interface LocalDriverParts {
  readonly layout: HomeLayout;
  readonly store: LocalImageStore;
  readonly lock: ServerLock;
  /** The driver's table of clusters by name; the image store reads which images they use from it. */
  readonly clusters: Map<string, LiveCluster>;
  readonly defaultImage: string;
  readonly defaultSparkHome: string;
  readonly launches: LaunchCache;
}

/**
 * The local driver: each cluster is a Spark standalone master and workers running as supervised processes of
 * this machine, from images of the local store under `<home>/images`.
 */
export class LocalDriver implements ClusterDriver {
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
  private readonly launches: ImageLaunches;
  private readonly versions: RuntimeVersions;
  private closed = false;

  constructor(parts: LocalDriverParts, options: LocalDriverSettings) {
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
    this.env = options.env;
    this.launches = new ImageLaunches({
      launches: parts.launches,
      defaultSparkHome: this.defaultSparkHome,
      resources: this.resources,
      env: this.env,
      closed: () => this.closed,
    });
    this.versions = new RuntimeVersions(this.env);
  }

  describe(): Readonly<Record<string, string>> {
    return {
      home: this.layout.home,
      'default-image-spark-home': this.defaultSparkHome,
      images: this.layout.images,
      configs: this.layout.configs,
      host: LOCAL_HOST,
      ...this.launches.describe(),
    };
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
    await this.launches.find(image);
  }

  /** Re-adopts the clusters an earlier server left running; those with no live process are Lost. */
  async load(): Promise<void> {
    for (const state of await readClusterStates(this.layout, this.resources)) {
      const cluster = new LiveCluster(state, this.layout.clusterFile(state.name));
      cluster.launch = state.lost === undefined ? (await this.launches.find(state.image))?.launch : undefined;
      this.clusters.set(state.name, cluster);
      await adoptCluster(cluster, (daemon) => this.supervise(cluster, daemon));
    }
  }

  private async observe(cluster: LiveCluster): Promise<ClusterObservation> {
    const { state } = cluster;
    const snapshots = cluster.snapshots();
    const json =
      state.lost === undefined && masterRunning(state, snapshots)
        ? await fetchMasterJson(state.masterWebPort, this.clock)
        : undefined;
    return {
      ...observeCluster(state, snapshots, json, cluster.events),
      imageCheck: { result: 'passed', versions: this.versions.of(state.image.distribution) },
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
    refuseUnsupportedSettings(spec.config);
    checkFitsMachine(spec.config, this.machine);
    const image = await this.store.require(spec.config.sparkImage, 'config.sparkImage');
    if (!isSparkHome(image.sparkHome)) {
      throw new UnprocessableError(
        `image ${JSON.stringify(image.ref)} points to ${image.sparkHome}, which is no Spark home any more (no bin/spark-class); remove it with \`oshinko image rm ${image.ref}\` and import or build it again`,
        { field: 'config.sparkImage' },
      );
    }
    const [masterPort = 0, masterWebPort = 0] = await freePorts(2);
    const state = newClusterState(spec, image, {
      uid: randomBytes(8).toString('hex'),
      createdAt: new Date().toISOString(),
      masterPort,
      masterWebPort,
      resources: clusterResources(spec.config, this.resources),
    });
    const workerPorts = await freePorts(spec.config.workerCount * 2);
    state.daemons.push(...workerRecords(spec.name, state.daemons, spec.config.workerCount, workerPorts));
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
    const lookup = await this.launches.find(state.image);
    cluster.launch = lookup?.launch;
    this.clusters.set(spec.name, cluster);
    try {
      this.startMasterFirst(cluster, () => {
        this.launches.prepare(state.image, lookup);
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
      clock: this.clock,
      // Loopback connects are cheap; each interval is time a worker JVM could already be starting.
      intervalMs: 20,
      cancelled: () => this.closed || this.clusters.get(state.name) !== cluster,
    }).then(startWorkers, startWorkers);
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
    const { stopping, kept, master, newWorkers } = planScale(state, counts);
    state.daemons = kept;
    const starting = master === undefined ? [] : [master];
    if (newWorkers > 0)
      starting.push(...workerRecords(name, state.daemons, newWorkers, await freePorts(newWorkers * 2)));
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
      clock: this.clock,
      // The process ends for good when it is scaled away or its cluster deleted; a restart is not an end.
      alive: () =>
        this.clusters.get(name) === cluster && cluster.state.daemons.some((daemon) => daemon.name === pod),
    });
    return Promise.resolve(stream);
  }

  /** The cluster and process whose log is asked for. */
  private logTarget(name: string, request: LogRequest): { cluster: LiveCluster; pod: string } {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new NotFoundError(`cluster '${name}' does not exist`);
    return { cluster, pod: logProcess(cluster.state, request) };
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

/** A file system failure of the data directory becomes a clear error naming the path; others pass. */
function dataError(action: string, error: unknown, file?: string): unknown {
  return isFsError(error) ? new BackendUnavailableError(describeFsError(action, error, file)) : error;
}
