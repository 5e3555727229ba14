import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
  type Configuration,
  type KubeConfig,
  type Middleware,
  type V1Deployment,
  type V1Ingress,
  type V1Service,
} from '@kubernetes/client-node';
import type { ClusterObservation, ClusterSpec } from '../../core/cluster.js';
import type { StoredConfigSource } from '../../core/cluster-config.js';
import type { ClusterDriver, LogRequest, ReplicaCounts } from '../../core/driver.js';
import {
  BackendUnavailableError,
  ConfigurationError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OshinkoError,
  TimeoutError,
  UnprocessableError,
} from '../../core/errors.js';
import {
  renderMaster,
  renderSecondary,
  type IngressSettings,
  type RenderContext,
  type SecondaryObject,
  type V1Route,
} from './cluster-renderer.js';
import {
  observeCluster,
  observeClusters,
  type ClusterObjects,
  type CoreV1Event,
  type V1Pod,
} from './cluster-observer.js';
import { ClusterCache, type CachedKind, type Expectation } from './cluster-cache.js';
import { JsonLister, type TextAnswer } from './json-lister.js';
import type { ReflectorSource } from './reflector.js';
import { loadKubeConfig } from './kube-config.js';
import { ALL_CLUSTERS_SELECTOR, SPARK_CONTAINER, UI_PORT_NAME, clusterSelector, names } from './labels.js';
import { RegistrationPoller, type RegistrationTimings } from './registration-poller.js';
import { registrationTarget } from './worker-registration.js';

/** A current official Apache Spark image: the daemons are started explicitly, so it needs no oshinko scripts. */
export const DEFAULT_KUBERNETES_IMAGE = 'docker.io/apache/spark:4.0.1';

const ROUTE_GROUP = 'route.openshift.io';
const ROUTE_VERSION = 'v1';

export interface KubernetesDriverOptions {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
  /** The environment, for the in-cluster service account (KUBERNETES_SERVICE_HOST); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** An Ingress for the web UI on plain Kubernetes (no Route API); none when undefined. */
  readonly ingress?: IngressSettings | undefined;
  /** Tests: a configuration built in memory instead of loaded from a file. */
  readonly kubeConfig?: KubeConfig | undefined;
  /** Each Kubernetes API request is abandoned after this long (default 30 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** Serve reads from a watch-fed cache (default); false reads the API on every request. */
  readonly watch?: boolean | undefined;
  /** Tests: the timings of the watch-fed cache. */
  readonly watchTimings?: Partial<WatchTimings> | undefined;
  /** Tests: how often each master is asked which workers it has (registration-poller.ts). */
  readonly registrationTimings?: Partial<RegistrationTimings> | undefined;
}

/** Without the watch cache, the masters of clusters that no read has shown for this long are no longer asked. */
const FORGET_UNREAD_MS = 60_000;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface WatchTimings {
  /** First wait before listing or watching again after a failure; it doubles up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** How long a write may take to come back through the watch before the cache lists everything again. */
  readonly writeTimeoutMs: number;
  /** The API server ends each watch after this long (plus up to as much again, at random); it is resumed. */
  readonly watchTimeoutSeconds: number;
  /** A watch silent for this long (no event, no bookmark) is taken as broken and resumed. */
  readonly idleMs: number;
  /** How long the first request waits for the cache's first list before it reads the API itself. */
  readonly firstSyncMs: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  backoffMs: 200,
  maxBackoffMs: 10_000,
  writeTimeoutMs: 5_000,
  watchTimeoutSeconds: 300,
  idleMs: 150_000,
  firstSyncMs: 5_000,
};

const KIND_OF: Record<SecondaryObject['kind'], CachedKind> = {
  Deployment: 'deployments',
  Service: 'services',
  Route: 'routes',
  Ingress: 'ingresses',
};

function versionOf(object: unknown): string | undefined {
  const meta = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== ''
    ? meta.resourceVersion
    : undefined;
}

function written(kind: SecondaryObject['kind'], object: unknown): Expectation[] {
  const resourceVersion = versionOf(object);
  return resourceVersion === undefined ? [] : [{ kind: KIND_OF[kind], resourceVersion }];
}

interface KubeStatusBody {
  message?: string;
  reason?: string;
}

function statusMessage(error: ApiException<unknown>): string {
  const body = error.body;
  let parsed: KubeStatusBody | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as KubeStatusBody;
    } catch {
      parsed = { message: body };
    }
  } else if (typeof body === 'object' && body !== null) {
    parsed = body;
  }
  return parsed?.message ?? `HTTP ${error.code}`;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/** Turns a failed API call into a domain error that says what we were doing and what Kubernetes answered. */
export function kubeError(action: string, error: unknown): OshinkoError {
  if (error instanceof OshinkoError) return error;
  if (error instanceof ApiException) {
    const message = `${action}: Kubernetes answered ${error.code}: ${statusMessage(error)}`;
    switch (error.code) {
      case 403:
        return new ForbiddenError(`${message} (the server's service account lacks a permission)`);
      case 404:
        return new NotFoundError(message);
      case 409:
        return new ConflictError(message);
      case 400:
      case 422:
        return new UnprocessableError(message);
      default:
        return new BackendUnavailableError(message);
    }
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TimeoutError(`${action}: the Kubernetes API did not answer in time`);
  }
  const reason =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new BackendUnavailableError(`${action}: cannot reach the Kubernetes API: ${reason}`);
}

async function call<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw kubeError(action, error);
  }
}

/** Like `call`, but a 404 is `undefined`. */
async function optional<T>(action: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw kubeError(action, error);
  }
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A client configuration like `KubeConfig.makeApiClient` makes, plus a deadline on every request. */
function apiConfiguration(kubeConfig: KubeConfig, server: string, timeoutMs: number): Configuration {
  const deadline: Middleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return Promise.resolve(context);
    },
    post: (response) => Promise.resolve(response),
  };
  return createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [deadline],
  });
}

export class KubernetesDriver implements ClusterDriver {
  readonly kind = 'kubernetes' as const;
  readonly defaultImage = DEFAULT_KUBERNETES_IMAGE;
  readonly storedConfigs: StoredConfigSource;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly apis: ApisApi;
  /** Lists parsed as plain JSON (timestamps stay strings; the observer reads them either way). */
  private readonly lister: JsonLister;
  private routeApi: Promise<boolean> | undefined;
  private routesFound: boolean | undefined;
  private clusterCache: ClusterCache | undefined;
  private cacheStarting: Promise<void> | undefined;
  private closed = false;
  private readonly timings: WatchTimings;
  /** Asks each master in the background which workers it has; reads apply its last answer. */
  private readonly registration: RegistrationPoller;
  /** Clusters the cache saw change since the poller was last told. */
  private readonly touchedClusters = new Set<string>();

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly facts: { source: string; server: string },
    private readonly ingress: IngressSettings | undefined,
    requestTimeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
    private readonly watch = true,
    timings: Partial<WatchTimings> = {},
    registrationTimings: Partial<RegistrationTimings> = {},
  ) {
    this.timings = { ...DEFAULT_WATCH_TIMINGS, ...timings };
    this.registration = new RegistrationPoller(
      {
        fetch: (cluster, signal) => this.masterJson(cluster, signal),
        changed: (cluster) => {
          this.clusterCache?.refresh(cluster);
        },
      },
      registrationTimings,
      watch ? undefined : FORGET_UNREAD_MS,
    );
    const configuration = apiConfiguration(kubeConfig, facts.server, requestTimeoutMs);
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.networking = new NetworkingV1Api(configuration);
    this.custom = new CustomObjectsApi(configuration);
    this.apis = new ApisApi(configuration);
    this.lister = new JsonLister(kubeConfig, facts.server, requestTimeoutMs);
    const core = this.core;
    this.storedConfigs = {
      read: async (name) => {
        const map = await optional(`cannot read ConfigMap '${name}'`, () =>
          core.readNamespacedConfigMap({ name, namespace }),
        );
        return map === undefined ? undefined : (map.data ?? {});
      },
      describe: (name) => `ConfigMap '${name}' in namespace '${namespace}'`,
    };
  }

  describe(): Readonly<Record<string, string>> {
    return {
      namespace: this.namespace,
      server: this.facts.server,
      config: this.facts.source,
      'web-ui-exposure': this.exposure(),
      reads: this.readMode(),
    };
  }

  private readMode(): string {
    if (!this.watch) return 'from the API on every request (watch disabled)';
    const problem = this.clusterCache?.problem;
    if (this.clusterCache === undefined) return 'watch cache, not started yet';
    return problem === undefined
      ? 'watch cache, live'
      : `from the API while the watch cache catches up (${problem})`;
  }

  private exposure(): string {
    if (this.routesFound === true) return 'OpenShift Route <cluster>-ui-route';
    const ingress = this.ingress === undefined ? undefined : `Ingress on *.${this.ingress.domain}`;
    if (this.routesFound === false) return ingress ?? 'none (no Route API, no ingress domain configured)';
    return ingress === undefined
      ? 'OpenShift Route when the API has one'
      : `OpenShift Route, else ${ingress}`;
  }

  /** Whether the OpenShift Route API exists; asked once (again after a failure) and remembered. */
  private hasRoutes(): Promise<boolean> {
    this.routeApi ??= call('cannot discover the API groups', () => this.apis.getAPIVersions()).then(
      (groups) => {
        this.routesFound = groups.groups.some((group) => group.name === ROUTE_GROUP);
        return this.routesFound;
      },
      (error: unknown) => {
        this.routeApi = undefined;
        throw error;
      },
    );
    return this.routeApi;
  }

  private async context(): Promise<RenderContext> {
    return { namespace: this.namespace, routes: await this.hasRoutes(), ingress: this.ingress };
  }

  checkImage(_image: string): Promise<void> {
    // The registry is the kubelet's business; a pull failure shows as ImagePullBackOff in the status.
    return Promise.resolve();
  }

  /** The path of a namespaced collection: `api/v1`, `pods` -> `api/v1/namespaces/<ns>/pods`. */
  private path(group: string, resource: string): string {
    return `${group}/namespaces/${encodeURIComponent(this.namespace)}/${resource}`;
  }

  /**
   * The Spark master's own list of its workers: its web UI's /json/, read through the API server's service proxy
   * (which works from outside the cluster and from a pod alike). Through the `<name>-ui` Service rather than the
   * master pod's proxy: the Service's name follows from the cluster's, and the API server forwards only to a
   * ready endpoint, so a master that is not ready answers 503 "no endpoints available" instead of a half-started
   * UI; the pod proxy would need the master pod's current name. Masters per cluster are at most one.
   */
  private async masterJson(cluster: string, signal: AbortSignal): Promise<unknown> {
    const answer = await call("cannot read the master's /json/", () =>
      this.lister.read(
        this.path('api/v1', 'services'),
        { subresource: 'proxy/json/', name: `${names.uiService(cluster)}:${UI_PORT_NAME}` },
        signal,
      ),
    );
    try {
      return JSON.parse(answer.body) as unknown;
    } catch {
      throw new BackendUnavailableError("the master's /json/ answer is not JSON");
    }
  }

  /** The cache saw cluster objects change: the poller learns the new pods once per turn of the event loop. */
  private touched(cluster: string): void {
    if (this.touchedClusters.size === 0) {
      setImmediate(() => {
        const cache = this.clusterCache;
        for (const name of this.touchedClusters) {
          const observation = cache?.observation(name);
          this.registration.update(name, observation && registrationTarget(observation));
        }
        this.touchedClusters.clear();
      });
    }
    this.touchedClusters.add(cluster);
  }

  /** Without the watch cache, reads tell the poller which clusters exist; `complete`: every one of them. */
  private shown(observations: readonly ClusterObservation[], complete: boolean): void {
    if (this.watch) return;
    if (complete) this.registration.retain(new Set(observations.map((o) => o.name)));
    for (const observation of observations) {
      this.registration.update(observation.name, registrationTarget(observation));
    }
  }

  /** Reads every object that `selector` matches: a constant number of requests, however many clusters. */
  private async objects(selector: string, withEvents: boolean): Promise<ClusterObjects> {
    const namespace = this.namespace;
    const labelSelector = selector;
    const routes = await this.hasRoutes();
    const lister = this.lister;
    const at = (group: string, resource: string) =>
      `${group}/namespaces/${encodeURIComponent(namespace)}/${resource}`;
    const [deployments, pods, services, routeList, ingresses, events] = await Promise.all([
      call('cannot list deployments', () =>
        lister.list<V1Deployment>(at('apis/apps/v1', 'deployments'), labelSelector),
      ),
      call('cannot list pods', () => lister.list<V1Pod>(at('api/v1', 'pods'), labelSelector)),
      call('cannot list services', () => lister.list<V1Service>(at('api/v1', 'services'), labelSelector)),
      routes
        ? call('cannot list routes', () =>
            lister.list<V1Route>(at(`apis/${ROUTE_GROUP}/${ROUTE_VERSION}`, 'routes'), labelSelector),
          )
        : undefined,
      !routes && this.ingress !== undefined
        ? call('cannot list ingresses', () =>
            lister.list<V1Ingress>(at('apis/networking.k8s.io/v1', 'ingresses'), labelSelector),
          )
        : undefined,
      // Events carry no labels; they are read only for one cluster, and their absence is not an error.
      withEvents ? lister.list<CoreV1Event>(at('api/v1', 'events')).catch(() => undefined) : undefined,
    ]);
    return {
      deployments: deployments.items,
      pods: pods.items,
      services: services.items,
      routes: routeList?.items,
      ingresses: ingresses?.items,
      events: events?.items,
    };
  }

  /** A list and a watch of one kind of object in the namespace, as a reflector reads them. */
  private watched<T>(path: string, labelSelector: string | undefined): ReflectorSource<T> {
    const timings = this.timings;
    return {
      list: (signal) => this.lister.list<T>(path, labelSelector, signal),
      watch: (options, onEvent) =>
        this.lister.watch<T>(
          path,
          {
            ...options,
            labelSelector,
            // Spread like client-go, so that many servers do not all watch again at the same moment.
            timeoutSeconds: Math.round(timings.watchTimeoutSeconds * (1 + Math.random())),
            idleMs: timings.idleMs,
          },
          onEvent,
        ),
    };
  }

  /**
   * The watch-fed cache when it may answer; undefined when reads must go to the API (watch disabled, not synced
   * yet, a watch broken, a write of ours not yet seen). Started by the first read, which waits a little for it.
   */
  private async cache(): Promise<ClusterCache | undefined> {
    if (!this.watch || this.closed) return undefined;
    if (this.clusterCache === undefined) {
      this.cacheStarting ??= this.startCache().finally(() => {
        this.cacheStarting = undefined;
      });
      await this.cacheStarting.catch(() => undefined);
    }
    const cache = this.clusterCache;
    return cache?.fresh === true ? cache : undefined;
  }

  private async startCache(): Promise<void> {
    const routes = await this.hasRoutes();
    if (this.closed || this.clusterCache !== undefined) return;
    const namespace = encodeURIComponent(this.namespace);
    const at = (group: string, resource: string) => `${group}/namespaces/${namespace}/${resource}`;
    const selector = ALL_CLUSTERS_SELECTOR;
    const cache = new ClusterCache(
      {
        deployments: this.watched<V1Deployment>(at('apis/apps/v1', 'deployments'), selector),
        pods: this.watched<V1Pod>(at('api/v1', 'pods'), selector),
        services: this.watched<V1Service>(at('api/v1', 'services'), selector),
        routes: routes
          ? this.watched<V1Route>(at(`apis/${ROUTE_GROUP}/${ROUTE_VERSION}`, 'routes'), selector)
          : undefined,
        ingresses:
          !routes && this.ingress !== undefined
            ? this.watched<V1Ingress>(at('apis/networking.k8s.io/v1', 'ingresses'), selector)
            : undefined,
        // Events carry no labels: all of the namespace's are watched, and filtered per cluster when read.
        events: this.watched<CoreV1Event>(at('api/v1', 'events'), undefined),
      },
      this.defaultImage,
      this.timings,
      {
        registration: (name) => this.registration.facts(name),
        changed: (name) => {
          this.touched(name);
        },
      },
    );
    this.clusterCache = cache;
    cache.start();
    await cache.started(this.timings.firstSyncMs);
  }

  /** Read-your-writes: the cache shows these writes before it answers again. */
  private async seen(expectations: readonly Expectation[], block = true): Promise<void> {
    const cache = this.clusterCache;
    if (cache === undefined || expectations.length === 0) return;
    await cache.expect(expectations, block && cache.fresh);
  }

  async list(): Promise<ClusterObservation[]> {
    const cache = await this.cache();
    if (cache !== undefined) return cache.list();
    const observations = observeClusters(
      await this.objects(ALL_CLUSTERS_SELECTOR, false),
      this.defaultImage,
      (name) => this.registration.facts(name),
    );
    this.shown(observations, true);
    return observations;
  }

  async clusterNames(): Promise<string[]> {
    const cache = await this.cache();
    if (cache !== undefined) return cache.names();
    return (await this.list()).map((cluster) => cluster.name);
  }

  async get(name: string): Promise<ClusterObservation | undefined> {
    const cache = await this.cache();
    if (cache !== undefined) {
      if (cache.objects(name) === undefined) return undefined;
      const events = cache.eventsFresh
        ? cache.events(name)
        : await this.lister
            .list<CoreV1Event>(`api/v1/namespaces/${encodeURIComponent(this.namespace)}/events`)
            .then((list) => list.items)
            .catch(() => undefined);
      return cache.get(name, events);
    }
    const objects = await this.objects(clusterSelector(name), true);
    const exists = [
      objects.deployments,
      objects.services,
      objects.routes ?? [],
      objects.ingresses ?? [],
    ].some((list) => list.length > 0);
    if (!exists) {
      if (!this.watch) this.registration.update(name, undefined);
      return undefined;
    }
    const observation = observeCluster(name, objects, this.defaultImage, this.registration.facts(name));
    this.shown([observation], false);
    return observation;
  }

  private async assertConfigMap(name: string, field: string): Promise<void> {
    if (name === '') return;
    const map = await optional(`cannot read ConfigMap '${name}'`, () =>
      this.core.readNamespacedConfigMap({ name, namespace: this.namespace }),
    );
    if (map === undefined) {
      throw new UnprocessableError(
        `${field} names ConfigMap '${name}', which does not exist in namespace '${this.namespace}'`,
        { field },
      );
    }
  }

  private createSecondary(object: SecondaryObject): Promise<unknown> {
    const namespace = this.namespace;
    switch (object.kind) {
      case 'Deployment':
        return this.apps.createNamespacedDeployment({ namespace, body: object.body });
      case 'Service':
        return this.core.createNamespacedService({ namespace, body: object.body });
      case 'Route':
        return this.custom.createNamespacedCustomObject({
          group: ROUTE_GROUP,
          version: ROUTE_VERSION,
          namespace,
          plural: 'routes',
          body: object.body,
        });
      case 'Ingress':
        return this.networking.createNamespacedIngress({ namespace, body: object.body });
    }
  }

  /**
   * `Background` removes the object at once and leaves what it owns to the garbage collector; `Foreground` keeps it
   * (deleting) until what it owns, pods included, is gone.
   */
  private deleteSecondary(
    kind: SecondaryObject['kind'],
    name: string,
    propagationPolicy: 'Background' | 'Foreground' = 'Background',
  ): Promise<unknown> {
    const namespace = this.namespace;
    switch (kind) {
      case 'Deployment':
        return this.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy });
      case 'Service':
        return this.core.deleteNamespacedService({ name, namespace, propagationPolicy });
      case 'Route':
        return this.custom.deleteNamespacedCustomObject({
          group: ROUTE_GROUP,
          version: ROUTE_VERSION,
          namespace,
          plural: 'routes',
          name,
          propagationPolicy,
        });
      case 'Ingress':
        return this.networking.deleteNamespacedIngress({ name, namespace, propagationPolicy });
    }
  }

  async create(spec: ClusterSpec): Promise<ClusterObservation> {
    await this.assertConfigMap(spec.config.sparkMasterConfig, 'config.sparkMasterConfig');
    await this.assertConfigMap(spec.config.sparkWorkerConfig, 'config.sparkWorkerConfig');
    const context = await this.context();
    const namespace = this.namespace;
    const masterName = names.master(spec.name);
    let master: V1Deployment;
    try {
      master = await this.apps.createNamespacedDeployment({ namespace, body: renderMaster(spec, context) });
    } catch (error) {
      if (isStatus(error, 409)) {
        throw new ConflictError(`cluster '${spec.name}' already exists (Deployment ${masterName})`, {
          field: 'name',
        });
      }
      if (isStatus(error, 404)) {
        // Not the caller's fault: the server is pointed at a namespace that is not there.
        throw new BackendUnavailableError(
          `cannot create Deployment ${masterName}: namespace '${namespace}' does not exist (Kubernetes answered 404: ${statusMessage(error as ApiException<unknown>)})`,
        );
      }
      if (error instanceof ApiException && [400, 403, 422].includes(error.code)) {
        throw kubeError(`cannot create Deployment ${masterName}`, error);
      }
      // A timeout or a lost connection leaves the outcome unknown: the Deployment may exist. Remove it, so a
      // failed create never leaves a master behind.
      const domain = kubeError(`cannot create Deployment ${masterName}`, error);
      const failures = await this.rollback(masterName, []);
      throw new (domain instanceof TimeoutError ? TimeoutError : BackendUnavailableError)(
        `${domain.message}; the cluster was not created (${
          failures.length === 0
            ? 'nothing was left behind'
            : `and the rollback failed for ${failures.join(', ')}; delete the cluster to clean up`
        })`,
      );
    }
    const uid = master.metadata?.uid;
    const created: { kind: SecondaryObject['kind']; name: string }[] = [];
    const writes: Expectation[] = written('Deployment', master);
    try {
      if (uid === undefined)
        throw new BackendUnavailableError(`Deployment ${masterName} came back without a uid`);
      for (const object of renderSecondary(spec, context, { name: masterName, uid })) {
        const name = object.body.metadata?.name ?? '';
        const answer = await call(`cannot create ${object.kind} ${name}`, () => this.createSecondary(object));
        created.push({ kind: object.kind, name });
        writes.push(...written(object.kind, answer));
      }
    } catch (error) {
      const failures = await this.rollback(masterName, created);
      const domain = kubeError(`cannot create cluster '${spec.name}'`, error);
      const note =
        failures.length === 0
          ? 'nothing was left behind'
          : `and the rollback failed for ${failures.join(', ')}; delete the cluster to clean up`;
      const message = `${domain.message}; the cluster was not created (${note})`;
      throw domain instanceof ConflictError
        ? new ConflictError(message, { field: 'name' })
        : domain instanceof UnprocessableError
          ? new UnprocessableError(message)
          : domain instanceof ForbiddenError
            ? new ForbiddenError(message)
            : new BackendUnavailableError(message);
    }
    // A delete (from another server) that removed the master while we were creating leaves what we made after
    // it without an owner: remove it ourselves, so the cluster is whole or gone, never half.
    const survivor = await optional(`cannot read Deployment ${masterName}`, () =>
      this.apps.readNamespacedDeployment({ name: masterName, namespace }),
    );
    // A master that is being deleted (in the foreground) is as good as gone.
    if (survivor?.metadata?.uid !== uid || survivor.metadata.deletionTimestamp !== undefined) {
      const failures: string[] = [];
      for (const object of [...created].reverse()) {
        await this.deleteSecondary(object.kind, object.name).catch((error: unknown) => {
          if (!isStatus(error, 404)) failures.push(`${object.kind} ${object.name}`);
        });
      }
      void this.seen(this.goneAll(created), false);
      throw new ConflictError(
        `cluster '${spec.name}' was deleted while it was being created (${
          failures.length === 0
            ? 'nothing was left behind'
            : `removing ${failures.join(', ')} failed; delete the cluster to clean up`
        })`,
        { field: 'name' },
      );
    }
    await this.seen(writes);
    const observation = await this.get(spec.name);
    if (observation === undefined) {
      throw new ConflictError(`cluster '${spec.name}' was deleted right after it was created`, {
        field: 'name',
      });
    }
    return observation;
  }

  /** Removes what a failed create made, newest first; returns what could not be removed. */
  private async rollback(
    masterName: string,
    created: readonly { kind: SecondaryObject['kind']; name: string }[],
  ): Promise<string[]> {
    const failures: string[] = [];
    for (const object of [...created].reverse()) {
      try {
        await this.deleteSecondary(object.kind, object.name);
      } catch (error) {
        if (!isStatus(error, 404)) failures.push(`${object.kind} ${object.name}`);
      }
    }
    try {
      await this.deleteSecondary('Deployment', masterName);
    } catch (error) {
      if (!isStatus(error, 404)) failures.push(`Deployment ${masterName}`);
    }
    // The answer does not wait for the cache, but the cache does not answer before it shows the rollback.
    void this.seen(this.goneAll([...created, { kind: 'Deployment', name: masterName }]), false);
    return failures;
  }

  private goneAll(objects: readonly { kind: SecondaryObject['kind']; name: string }[]): Expectation[] {
    return objects.map((object) => ({ kind: KIND_OF[object.kind], gone: object.name }));
  }

  async scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation> {
    const current = await this.get(name);
    if (current === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    if (current.deleting !== undefined) {
      throw new ConflictError(
        `cluster '${name}' is being deleted (${current.deleting}); it cannot be scaled`,
      );
    }
    const namespace = this.namespace;
    const targets: [string, number, number][] = [
      [names.master(name), counts.masterCount, current.config.masterCount],
      [names.worker(name), counts.workerCount, current.config.workerCount],
    ];
    const patch = (deployment: string, replicas: number) =>
      this.apps.patchNamespacedDeployment(
        { name: deployment, namespace, body: { spec: { replicas } } },
        MERGE_PATCH,
      );
    const done: [string, number][] = [];
    const writes: Expectation[] = [];
    for (const [deployment, replicas, was] of targets) {
      if (replicas === was) continue;
      // Counted before the call: a timed-out patch may still have been applied.
      done.push([deployment, was]);
      try {
        writes.push(...written('Deployment', await patch(deployment, replicas)));
      } catch (error) {
        // Put back what this scale changed, so a failed scale changes nothing rather than half of it.
        const failures: string[] = [];
        const reverts: Expectation[] = [];
        for (const [name, previous] of done.reverse()) {
          await patch(name, previous).then(
            (answer) => reverts.push(...written('Deployment', answer)),
            (revert: unknown) => {
              if (!isStatus(revert, 404)) failures.push(`Deployment ${name}`);
            },
          );
        }
        // The cache shows the restored counts before it answers again; when a restore failed, what Kubernetes
        // holds is unknown (a timed-out patch may still land), so it lists everything anew.
        if (reverts.length === done.length) void this.seen(reverts, false);
        else this.clusterCache?.invalidate();
        const domain = kubeError(`cannot scale Deployment ${deployment}`, error);
        const note =
          failures.length === 0
            ? 'the counts were left as they were'
            : `and restoring the counts failed for ${failures.join(', ')}`;
        const message = `${domain.message}; ${note}`;
        throw domain instanceof NotFoundError
          ? new NotFoundError(message)
          : domain instanceof TimeoutError
            ? new TimeoutError(message)
            : domain instanceof ForbiddenError
              ? new ForbiddenError(message)
              : new BackendUnavailableError(message);
      }
    }
    await this.seen(writes);
    const observation = await this.get(name);
    if (observation === undefined)
      throw new NotFoundError(`cluster '${name}' was deleted while it was scaled`);
    return observation;
  }

  async delete(name: string): Promise<boolean> {
    const cache = await this.cache();
    const objects =
      cache === undefined ? await this.objects(clusterSelector(name), false) : cache.objects(name);
    if (objects === undefined) return false;
    const targets: { kind: SecondaryObject['kind']; name: string }[] = [
      ...objects.deployments.map((d: V1Deployment) => ({
        kind: 'Deployment' as const,
        name: d.metadata?.name ?? '',
      })),
      ...objects.services.map((s: V1Service) => ({ kind: 'Service' as const, name: s.metadata?.name ?? '' })),
      ...(objects.routes ?? []).map((r) => ({ kind: 'Route' as const, name: r.metadata.name ?? '' })),
      ...(objects.ingresses ?? []).map((i: V1Ingress) => ({
        kind: 'Ingress' as const,
        name: i.metadata?.name ?? '',
      })),
    ];
    if (targets.length === 0) return false;
    // The master first: the garbage collector removes what it owns; the explicit deletes after it make the
    // result immediate and also catch objects whose owner reference was lost. In the foreground, so that the
    // cluster stays (Deleting) until its pods have stopped: once it is no longer reported, nothing of it is left,
    // and its name is free for a new cluster that its old pods cannot join.
    targets.sort((a, b) => Number(b.name === names.master(name)) - Number(a.name === names.master(name)));
    const deleted: typeof targets = [];
    try {
      for (const target of targets) {
        try {
          await this.deleteSecondary(target.kind, target.name, 'Foreground');
        } catch (error) {
          if (!isStatus(error, 404)) throw kubeError(`cannot delete ${target.kind} ${target.name}`, error);
        }
        deleted.push(target);
      }
    } catch (error) {
      void this.seen(this.goneAll(deleted), false);
      throw error;
    }
    await this.seen(this.goneAll(deleted));
    return true;
  }

  async logs(name: string, request: LogRequest): Promise<string> {
    const cluster = await this.get(name);
    if (cluster === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    const pod = request.pod ?? cluster.pods.find((p) => p.type === 'master')?.name;
    if (pod === undefined) throw new NotFoundError(`cluster '${name}' has no master pod`, { field: 'pod' });
    if (!cluster.pods.some((p) => p.name === pod)) {
      throw new NotFoundError(`cluster '${name}' has no pod '${pod}'`, { field: 'pod' });
    }
    const notYet = `the log of pod ${pod} is not available yet`;
    let answer: TextAnswer;
    try {
      answer = await this.lister.read(this.path('api/v1', 'pods'), {
        subresource: 'log',
        name: pod,
        query: { container: SPARK_CONTAINER, tailLines: String(request.tailLines) },
      });
    } catch (error) {
      // The kubelet's answer, passed on by the API server: the container has not started (ContainerCreating,
      // ImagePullBackOff ...). The pod's state, not the API, is why: say it as Kubernetes does.
      if (error instanceof ApiException && error.code === 400) {
        throw new ConflictError(`${notYet}: ${statusMessage(error)}`);
      }
      throw kubeError(`cannot read the log of pod ${pod}`, error);
    }
    // 204 No Content: the API server has no node to ask, the pod is not scheduled yet.
    if (answer.status === 204) {
      const state = cluster.pods.find((p) => p.name === pod);
      const why = state?.reason === undefined ? '' : ` (${state.status}: ${state.reason})`;
      throw new ConflictError(`${notYet}: it is not on a node yet${why}`);
    }
    return answer.body;
  }

  close(): Promise<void> {
    this.closed = true;
    this.clusterCache?.stop();
    this.registration.stop();
    return Promise.resolve();
  }
}

/** Loads the Kubernetes configuration once and returns the driver; a configuration problem is thrown here. */
export function createKubernetesDriver(options: KubernetesDriverOptions): Promise<ClusterDriver> {
  try {
    if (options.kubeConfig !== undefined) {
      const cluster = options.kubeConfig.getCurrentCluster();
      const namespace =
        options.namespace ??
        options.kubeConfig.getContextObject(options.kubeConfig.getCurrentContext())?.namespace;
      if (cluster === null || namespace === undefined) {
        throw new ConfigurationError('the given KubeConfig needs a current cluster and a namespace');
      }
      return Promise.resolve(
        new KubernetesDriver(
          options.kubeConfig,
          namespace,
          { source: 'in memory', server: cluster.server },
          options.ingress,
          options.requestTimeoutMs,
          options.watch,
          options.watchTimings,
          options.registrationTimings,
        ),
      );
    }
    const loaded = loadKubeConfig({
      kubeconfig: options.kubeconfig,
      namespace: options.namespace,
      env: options.env ?? process.env,
    });
    return Promise.resolve(
      new KubernetesDriver(
        loaded.kubeConfig,
        loaded.namespace,
        { source: loaded.source, server: loaded.server },
        options.ingress,
        options.requestTimeoutMs,
        options.watch,
        options.watchTimings,
        options.registrationTimings,
      ),
    );
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
