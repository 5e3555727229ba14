import type { Readable } from 'node:stream';
import type { ClusterView, RunAsUser } from './cluster.js';
import { parsePodSettings, POD_SETTING_FIELDS } from './pod-settings.js';
import { parseResources } from './resources.js';
import {
  DEFAULT_STORED_CONFIG,
  MAX_MASTERS,
  resolveClusterConfig,
  requestedImage,
  parseCount,
  type ClusterConfigRequest,
  parsePullPolicy,
  parseRunAsUser,
} from './cluster-config.js';
import { assertClusterName } from './cluster-name.js';
import { deriveStatus } from './cluster-status.js';
import type { ClusterDriver, LocalImage, LogRequest } from './driver.js';
import {
  ConflictError,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  UnprocessableError,
} from './errors.js';
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
    const imageField =
      request.config?.imageUrl !== undefined && request.config.sparkImage === undefined
        ? 'config.imageUrl'
        : 'config.sparkImage';
    // An image from a stored configuration is the stored configuration's doing: name it, not a field never sent.
    const fromStored = resolved.imageSource === 'stored-config';
    const storedName = resolved.storedConfig ?? DEFAULT_STORED_CONFIG;
    checkImagePolicy(
      this.settings.imagePolicy,
      resolved.config.sparkImage,
      this.settings.defaultImage,
      fromStored ? 'config.name' : imageField,
      fromStored ? `the image of stored configuration '${storedName}'` : imageField,
    );
    await this.driver.checkImage(resolved.config.sparkImage).catch((error: unknown) => {
      if (error instanceof UnprocessableError && error.field === undefined) {
        throw new UnprocessableError(error.message, { field: imageField });
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

  /** Scales a cluster. Only counts may change; anything else that differs from the cluster is refused. */
  async update(name: string, request: NewClusterRequest): Promise<ClusterView> {
    assertClusterName(name, 'name');
    if (request.name !== name) {
      throw new InvalidInputError(
        `the name in the body (${JSON.stringify(request.name)}) must equal the name in the path (${JSON.stringify(name)})`,
        { field: 'name' },
      );
    }
    const config = request.config ?? {};
    const image = requestedImage(config);
    return this.withLock(name, async () => {
      const current = await this.driver.get(name);
      if (!current) throw new NotFoundError(`cluster '${name}' does not exist`);
      if (image !== undefined && image !== current.config.sparkImage) {
        throw new UnprocessableError(
          `the image of an existing cluster cannot be changed (it runs ${JSON.stringify(current.config.sparkImage)}); delete the cluster and create it again with the new image`,
          { field: config.sparkImage !== undefined ? 'config.sparkImage' : 'config.imageUrl' },
        );
      }
      if (config.imagePullPolicy !== undefined) {
        const wanted = parsePullPolicy(config.imagePullPolicy, 'config.imagePullPolicy');
        if (wanted !== current.config.imagePullPolicy) {
          throw new UnprocessableError(
            `the image pull policy of an existing cluster cannot be changed (it is ${JSON.stringify(current.config.imagePullPolicy ?? 'the Kubernetes default')}); delete the cluster and create it again`,
            { field: 'config.imagePullPolicy' },
          );
        }
      }
      if (config.runAsUser !== undefined) {
        const wanted = parseRunAsUser(config.runAsUser, 'config.runAsUser');
        if (wanted !== current.config.runAsUser) {
          throw new UnprocessableError(
            `the user of an existing cluster's containers cannot be changed (it is ${JSON.stringify(current.config.runAsUser ?? 'the image user')}); delete the cluster and create it again`,
            { field: 'config.runAsUser' },
          );
        }
      }
      const pod = parsePodSettings(config as Record<string, unknown>);
      for (const key of POD_SETTING_FIELDS) {
        if (pod[key] !== undefined && JSON.stringify(pod[key]) !== JSON.stringify(current.config[key])) {
          throw new UnprocessableError(
            `config.${key} of an existing cluster cannot be changed; delete the cluster and create it again`,
            { field: `config.${key}` },
          );
        }
      }
      for (const role of ['master', 'worker'] as const) {
        const key = role === 'master' ? 'masterResources' : 'workerResources';
        const asked = config[key];
        if (asked === undefined) continue;
        const wanted = parseResources(asked, `config.${key}`, role);
        const now = current.config[key] ?? {};
        if (wanted.cpu !== now.cpu || wanted.memory !== now.memory) {
          throw new UnprocessableError(
            `the resources of an existing cluster cannot be changed (its ${role === 'master' ? 'master has' : 'workers have'} ${JSON.stringify(now)}); delete the cluster and create it again`,
            { field: `config.${key}` },
          );
        }
      }
      const masterCount =
        config.masterCount === undefined
          ? current.config.masterCount
          : parseCount(config.masterCount, 'config.masterCount', MAX_MASTERS);
      const workerCount =
        config.workerCount === undefined
          ? current.config.workerCount
          : parseCount(config.workerCount, 'config.workerCount', this.settings.maxWorkers);
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
