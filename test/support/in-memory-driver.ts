/**
 * A `ClusterDriver` that keeps its clusters in a Map: for unit tests of what sits above the driver interface
 * (the service, the server). It keeps the interface's contract (all-or-nothing create, ConflictError for a taken
 * name, NotFoundError from scale, `undefined` / `false` for a missing cluster), and every daemon is up at once.
 * Any operation can be made to fail with a given error; `calls` records what the driver was asked, in order.
 */
import { Readable } from 'node:stream';
import type { ClusterObservation, ClusterSpec, PodState } from '../../src/core/cluster.js';
import type { StoredConfigSource } from '../../src/core/cluster-config.js';
import type { ClusterDriver, DriverKind, LogRequest, ReplicaCounts } from '../../src/core/driver.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../src/core/errors.js';

export type DriverOperation =
  | 'readStoredConfig'
  | 'checkImage'
  | 'create'
  | 'list'
  | 'clusterNames'
  | 'get'
  | 'scale'
  | 'delete'
  | 'logs';

export interface InMemoryDriverOptions {
  readonly kind?: DriverKind;
  readonly defaultImage?: string;
  /** Stored cluster configurations by name (keys as in a ConfigMap: workercount, sparkimage, ...). */
  readonly storedConfigs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The images `checkImage` accepts, as a local image store would; every image when absent (as Kubernetes). */
  readonly images?: readonly string[];
  /** The creation time of each cluster. */
  readonly now?: () => string;
}

export const IN_MEMORY_DEFAULT_IMAGE = 'docker.io/apache/spark:4.0.1';

export class InMemoryDriver implements ClusterDriver {
  readonly kind: DriverKind;
  readonly defaultImage: string;
  readonly storedConfigs: StoredConfigSource;
  /** What the driver was asked, in order. */
  readonly calls: DriverOperation[] = [];
  /** The clusters; an observation object is kept while its cluster is unchanged, as the watch cache does. */
  readonly clusters = new Map<string, ClusterObservation>();
  /** Log lines by pod name. */
  readonly podLogs = new Map<string, string[]>();
  private readonly stored: Map<string, Readonly<Record<string, string>>>;
  private readonly images: ReadonlySet<string> | undefined;
  private readonly failures = new Map<DriverOperation, Error>();
  private readonly now: () => string;
  closed = false;

  constructor(options: InMemoryDriverOptions = {}) {
    this.kind = options.kind ?? 'kubernetes';
    this.defaultImage = options.defaultImage ?? IN_MEMORY_DEFAULT_IMAGE;
    this.stored = new Map(
      Object.entries(options.storedConfigs ?? {}).map(([name, data]) => [name, { ...data }]),
    );
    this.images = options.images === undefined ? undefined : new Set(options.images);
    this.now = options.now ?? (() => new Date().toISOString());
    this.storedConfigs = {
      read: async (name) => {
        this.enter('readStoredConfig');
        await Promise.resolve();
        const data = this.stored.get(name);
        return data === undefined ? undefined : { ...data };
      },
      describe: (name) => `stored configuration '${name}'`,
    };
  }

  /** Every later call of `operation` throws `error`, until `heal`. */
  failWith(operation: DriverOperation, error: Error): void {
    this.failures.set(operation, error);
  }

  heal(operation: DriverOperation): void {
    this.failures.delete(operation);
  }

  describe(): Readonly<Record<string, string>> {
    return { store: 'memory' };
  }

  async checkImage(image: string): Promise<void> {
    this.enter('checkImage');
    await Promise.resolve();
    if (this.images !== undefined && !this.images.has(image)) {
      throw new UnprocessableError(`image ${JSON.stringify(image)} is not in the image store`);
    }
  }

  async create(spec: ClusterSpec): Promise<ClusterObservation> {
    this.enter('create');
    await Promise.resolve();
    if (this.clusters.has(spec.name)) throw new ConflictError(`cluster '${spec.name}' already exists`);
    const observation: ClusterObservation = {
      name: spec.name,
      config: spec.config,
      imageSource: spec.imageSource,
      storedConfig: spec.storedConfig,
      createdAt: this.now(),
      masterUrl: `spark://${spec.name}:7077`,
      masterWebUrl: `http://${spec.name}-ui:8080`,
      masterWebRoute: undefined,
      pods: pods(spec.name, spec.config.sparkImage, spec.config),
      missing: [],
    };
    this.clusters.set(spec.name, observation);
    return observation;
  }

  async list(): Promise<ClusterObservation[]> {
    this.enter('list');
    await Promise.resolve();
    return [...this.clusters.values()];
  }

  async clusterNames(): Promise<string[]> {
    this.enter('clusterNames');
    await Promise.resolve();
    return [...this.clusters.keys()];
  }

  async get(name: string): Promise<ClusterObservation | undefined> {
    this.enter('get');
    await Promise.resolve();
    return this.clusters.get(name);
  }

  async scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation> {
    this.enter('scale');
    await Promise.resolve();
    const current = this.clusters.get(name);
    if (current === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    const config = { ...current.config, ...counts };
    const scaled = { ...current, config, pods: pods(name, config.sparkImage, config) };
    this.clusters.set(name, scaled);
    return scaled;
  }

  async delete(name: string): Promise<boolean> {
    this.enter('delete');
    await Promise.resolve();
    return this.clusters.delete(name);
  }

  async logs(name: string, request: LogRequest): Promise<string> {
    this.enter('logs');
    await Promise.resolve();
    const cluster = this.clusters.get(name);
    if (cluster === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    const pod = request.pod ?? cluster.pods.find((p) => p.type === 'master')?.name;
    if (pod === undefined) throw new NotFoundError(`cluster '${name}' has no master`, { field: 'pod' });
    const lines = this.podLogs.get(pod) ?? [];
    return lines.slice(-request.tailLines).join('\n');
  }

  /** The log's lines as they are now, then the end: a snapshot, enough for what sits above the driver. */
  async followLogs(name: string, request: LogRequest): Promise<Readable> {
    const text = await this.logs(name, request);
    return Readable.from(text === '' ? [] : [`${text}\n`]);
  }

  async close(): Promise<void> {
    await Promise.resolve();
    this.closed = true;
  }

  private enter(operation: DriverOperation): void {
    this.calls.push(operation);
    const failure = this.failures.get(operation);
    if (failure !== undefined) throw failure;
  }
}

/** Every daemon up: a master when asked for, and each worker registered with it. */
function pods(name: string, image: string, counts: ReplicaCounts): PodState[] {
  const pod = (type: PodState['type'], podName: string, index: number): PodState => ({
    name: podName,
    type,
    ip: `10.0.0.${index + 1}`,
    status: 'Running',
    ready: true,
    ...(type === 'worker' ? { registered: true } : {}),
    image,
    restarts: 0,
  });
  const masters = Array.from({ length: counts.masterCount }, (_, i) => pod('master', `${name}-m-${i}`, i));
  const workers = Array.from({ length: counts.workerCount }, (_, i) =>
    pod('worker', `${name}-w-${i}`, counts.masterCount + i),
  );
  return [...masters, ...workers];
}
