import type { Readable } from 'node:stream';
import type { ClusterView, RunAsUser } from './cluster.js';
import {
  imageField,
  parseRequestSettings,
  resolveClusterConfig,
  requestedImage,
  DEFAULT_STORED_CONFIG,
  type ClusterConfigRequest,
} from './cluster-config.js';
import { isSet, sameSetting, wireValue } from './cluster-settings.js';
import { assertClusterName } from './cluster-name.js';
import { deriveStatus } from './cluster-status.js';
import type { ClusterDriver, LocalImage, LogRequest } from './driver.js';
import { ConflictError, LimitExceededError, NotFoundError, UnprocessableError } from './errors.js';
import { checkImagePolicy, type ImagePolicy } from './image-policy.js';

export interface NewClusterRequest {
  readonly name: string;
  readonly config?: ClusterConfigRequest | undefined;
}

export interface ServiceSettings {
  readonly defaultImage: string;
  /** OSHINKO_IMAGE_PULL_SECRETS: the pull secrets of a cluster that names none (Kubernetes driver). */
  readonly defaultImagePullSecrets?: readonly string[] | undefined;
  /** OSHINKO_RUN_AS_USER when set: the UID of a cluster that names none (Kubernetes driver). */
  readonly defaultRunAsUser?: RunAsUser | undefined;
  readonly maxWorkers: number;
  readonly maxClusters: number;
  readonly imagePolicy: ImagePolicy;
}

/**
 * The use cases of the product, independent of transport and of where clusters run: validation, config merge,
 * policy and limits happen here, once, before a driver is asked to do anything.
 */
export class ClusterService {
  /** Per-name serialisation, so concurrent calls on one cluster see each other's results. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly driver: ClusterDriver,
    readonly settings: ServiceSettings,
  ) {}

  get driverKind(): ClusterDriver['kind'] {
    return this.driver.kind;
  }

  describeDriver(): Readonly<Record<string, string>> {
    return this.driver.describe();
  }

  private async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(name, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    }
  }

  /**
   * Views by observation: a driver that keeps an observation object while its cluster is unchanged (the
   * Kubernetes watch cache does) gets each cluster's status derived once per change, not once per request.
   */
  private readonly views = new WeakMap<Parameters<typeof deriveStatus>[0], ClusterView>();

  private view(observation: Parameters<typeof deriveStatus>[0]): ClusterView {
    let view = this.views.get(observation);
    if (view === undefined) {
      view = deriveStatus(observation, this.settings.defaultImage);
      this.views.set(observation, view);
    }
    return view;
  }

  async create(request: NewClusterRequest): Promise<ClusterView> {
    assertClusterName(request.name, 'name');
    const resolved = await resolveClusterConfig(request.config, {
      defaultImage: this.settings.defaultImage,
      defaultImagePullSecrets: this.settings.defaultImagePullSecrets,
      defaultRunAsUser: this.settings.defaultRunAsUser,
      storedConfigs: this.driver.storedConfigs,
      maxWorkers: this.settings.maxWorkers,
    });
    const requestImageField = imageField(request.config);
    // An image from a stored configuration is the stored configuration's doing: name it, not a field never sent.
    const fromStored = resolved.imageSource === 'stored-config';
    const storedName = resolved.storedConfig ?? DEFAULT_STORED_CONFIG;
    checkImagePolicy(
      this.settings.imagePolicy,
      resolved.config.sparkImage,
      this.settings.defaultImage,
      fromStored ? 'config.name' : requestImageField,
      fromStored ? `the image of stored configuration '${storedName}'` : requestImageField,
    );
    await this.driver.checkImage(resolved.config.sparkImage).catch((error: unknown) => {
      if (error instanceof UnprocessableError && error.field === undefined) {
        throw new UnprocessableError(error.message, { field: requestImageField });
      }
      throw error;
    });
    return this.withLock(request.name, async () => {
      const existing = await this.driver.clusterNames();
      if (existing.includes(request.name)) {
        throw new ConflictError(`cluster '${request.name}' already exists`, { field: 'name' });
      }
      if (existing.length >= this.settings.maxClusters) {
        throw new LimitExceededError(
          `this server allows at most ${this.settings.maxClusters} clusters (OSHINKO_MAX_CLUSTERS) and ${existing.length} exist; delete one first`,
        );
      }
      return this.view(await this.driver.create({ name: request.name, ...resolved }));
    });
  }

  async list(): Promise<ClusterView[]> {
    const clusters = await this.driver.list();
    // Cluster names are DNS labels (a-z, 0-9, -): plain code-unit order is their order, and much cheaper.
    return clusters.map((cluster) => this.view(cluster)).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async get(name: string): Promise<ClusterView> {
    assertClusterName(name, 'name');
    const cluster = await this.driver.get(name);
    if (!cluster) throw new NotFoundError(`cluster '${name}' does not exist`);
    return this.view(cluster);
  }

  /**
   * Changes a cluster as its settings' rows say: the counts scale it; a setting that cannot change on a running
   * cluster is refused (422 naming the field) when it differs, and accepted when it is what the cluster has.
   */
  async update(name: string, request: NewClusterRequest): Promise<ClusterView> {
    assertClusterName(name, 'name');
    if (request.name !== name) {
      // Schema-valid (no schema ties the body to the path): 422.
      throw new UnprocessableError(
        `the name in the body (${JSON.stringify(request.name)}) must equal the name in the path (${JSON.stringify(name)})`,
        { field: 'name', value: request.name, rule: 'must equal the name in the path' },
      );
    }
    const config = request.config ?? {};
    const image = requestedImage(config);
    const { values, rows } = parseRequestSettings(config, { maxWorkers: this.settings.maxWorkers });
    return this.withLock(name, async () => {
      const current = await this.driver.get(name);
      if (!current) throw new NotFoundError(`cluster '${name}' does not exist`);
      const stored = config.name;
      if (stored !== undefined && stored !== '' && stored !== current.storedConfig) {
        throw new UnprocessableError(
          `the stored configuration an existing cluster started from cannot be changed (${current.storedConfig === undefined ? 'it started from none' : `it is ${JSON.stringify(current.storedConfig)}`}); delete the cluster and create it again`,
          { field: 'config.name', value: stored },
        );
      }
      if (image !== undefined && image !== current.config.sparkImage) {
        throw new UnprocessableError(
          `the image of an existing cluster cannot be changed (it runs ${JSON.stringify(current.config.sparkImage)}); delete the cluster and create it again with the new image`,
          { field: imageField(config), value: image },
        );
      }
      const now = current.config as Readonly<Record<string, unknown>>;
      const asked = values as Readonly<Record<string, unknown>>;
      for (const row of rows) {
        if (row.onChange !== 'refuse' || sameSetting(row, asked[row.key], now[row.key])) continue;
        const is = !isSet(now[row.key])
          ? 'it has none'
          : `it is ${JSON.stringify(wireValue(row, now[row.key]))}`;
        throw new UnprocessableError(
          `${row.label} of an existing cluster cannot be changed (${is}); delete the cluster and create it again`,
          { field: `config.${row.key}`, value: config[row.key] },
        );
      }
      const masterCount = values.masterCount ?? current.config.masterCount;
      const workerCount = values.workerCount ?? current.config.workerCount;
      return this.view(await this.driver.scale(name, { masterCount, workerCount }));
    });
  }

  async delete(name: string): Promise<void> {
    assertClusterName(name, 'name');
    await this.withLock(name, async () => {
      if (!(await this.driver.delete(name))) throw new NotFoundError(`cluster '${name}' does not exist`);
    });
  }

  async logs(name: string, request: LogRequest): Promise<string> {
    await this.checkLogRequest(name, request);
    return this.driver.logs(name, request);
  }

  /** The log as it grows (see ClusterDriver.followLogs); checked as `logs` is before the stream starts. */
  async followLogs(name: string, request: LogRequest): Promise<Readable> {
    await this.checkLogRequest(name, request);
    return this.driver.followLogs(name, request);
  }

  private async checkLogRequest(name: string, request: LogRequest): Promise<void> {
    const cluster = await this.get(name);
    const { pod } = request;
    if (pod !== undefined && !cluster.pods.some((p) => p.name === pod)) {
      const names = cluster.pods.map((p) => p.name).sort();
      const shown = names.length > 20 ? [...names.slice(0, 20), `and ${names.length - 20} more`] : names;
      throw new NotFoundError(
        `cluster '${name}' has no pod '${pod}'; its pods: ${names.length === 0 ? 'none' : shown.join(', ')}`,
        { field: 'pod' },
      );
    }
  }

  async listImages(): Promise<LocalImage[] | undefined> {
    return this.driver.listImages?.();
  }
}
