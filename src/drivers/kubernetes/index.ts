/**
 * The Kubernetes driver: every Spark cluster as objects in one namespace. This file wires the parts together; each
 * part owns one thing:
 *
 * - kube-api.ts: the connection (clients, deadline, plain-JSON lister); web-ui-exposure.ts: Route discovery.
 * - resources.ts: the table of the kinds of object touched, which api-calls.ts turns into the RBAC inventory.
 * - cluster-reads.ts: reads, from the watch cache (watch-cache.ts) while it may answer, else from the API.
 * - cluster-writes.ts: create, scale, delete; created-objects.ts is the ledger a failed create rolls back.
 * - kube-errors.ts: Kubernetes API errors as domain errors.
 * - registration-poller.ts: asks each Spark master which workers it has, in the background.
 */
import type { Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../../core/clock.js';
import type { ClusterObservation, ClusterSpec } from '../../core/cluster.js';
import type { StoredConfigSource } from '../../core/cluster-config.js';
import type { ClusterDriver, LogRequest, ReplicaCounts } from '../../core/driver.js';
import { ConfigurationError } from '../../core/errors.js';
import type { IngressSettings } from './cluster-renderer.js';
import { ClusterReads } from './cluster-reads.js';
import { ClusterWrites } from './cluster-writes.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, KubeApi } from './kube-api.js';
import { loadKubeConfig } from './kube-config.js';
import { RegistrationPoller, type RegistrationTimings } from './registration-poller.js';
import { DEFAULT_WATCH_TIMINGS, WatchCache, type WatchTimings } from './watch-cache.js';
import { WebUiExposure } from './web-ui-exposure.js';
import { registrationTarget } from './worker-registration.js';

/** A current official Apache Spark image: the daemons are started explicitly, so it needs no oshinko scripts. */
export const DEFAULT_KUBERNETES_IMAGE = 'docker.io/apache/spark:4.0.1';

/** What `createKubernetesDriver` is given: where to find the configuration, and the driver's settings. */
export interface KubernetesDriverOptions extends KubernetesDriverSettings {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
  /** KUBERNETES_SERVICE_HOST (serve-config.ts reads it): in a pod, the service account is used; undefined: not. */
  readonly serviceHost?: string | undefined;
  /** Tests: a configuration built in memory instead of loaded from a file. */
  readonly kubeConfig?: KubeConfig | undefined;
}

/** The driver's settings besides its connection. */
export interface KubernetesDriverSettings {
  /** An Ingress for the web UI on plain Kubernetes (no Route API); none when undefined. */
  readonly ingress?: IngressSettings | undefined;
  /** Each Kubernetes API request is abandoned after this long (default 30 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** Serve reads from a watch-fed cache (default); false reads the API on every request. */
  readonly watch?: boolean | undefined;
  /** Tests: the timings of the watch-fed cache. */
  readonly watchTimings?: Partial<WatchTimings> | undefined;
  /** Tests: how often each master is asked which workers it has (registration-poller.ts). */
  readonly registrationTimings?: Partial<RegistrationTimings> | undefined;
  /**
   * Every timer of the driver: request deadlines, the watch cache's backoffs and waits, the readiness asks, the
   * registration poller. Default: the real clock; tests pass a manual one.
   */
  readonly clock?: Clock | undefined;
}

/** What the driver is made from: a loaded configuration, where it came from, and the settings. */
export interface KubernetesDriverInit extends KubernetesDriverSettings {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** How the configuration was found (`GET /`). */
  readonly source: string;
  /** The API server's URL. */
  readonly server: string;
  /** The kubeconfig's current context; undefined with a pod's service account. */
  readonly context?: string | undefined;
  /** Where the namespace came from (`GET /`, and the line `oshinko serve` starts with). */
  readonly namespaceFrom?: string | undefined;
}

/** Without the watch cache, the masters of clusters that no read has shown for this long are no longer asked. */
const FORGET_UNREAD_MS = 60_000;

export class KubernetesDriver implements ClusterDriver {
  readonly kind = 'kubernetes' as const;
  readonly defaultImage = DEFAULT_KUBERNETES_IMAGE;
  readonly namespace: string;
  readonly storedConfigs: StoredConfigSource;
  private readonly facts: Readonly<Record<string, string>>;
  private readonly exposure: WebUiExposure;
  private readonly cache: WatchCache;
  /** Asks each master in the background which workers it has; reads apply its last answer. */
  private readonly registration: RegistrationPoller;
  private readonly reads: ClusterReads;
  private readonly writes: ClusterWrites;

  constructor(init: KubernetesDriverInit) {
    const { namespace, server } = init;
    const watch = init.watch ?? true;
    const clock = init.clock ?? systemClock;
    this.namespace = namespace;
    this.facts = {
      ...(init.context === undefined ? {} : { context: init.context }),
      ...(init.namespaceFrom === undefined ? {} : { 'namespace-from': init.namespaceFrom }),
      server,
      config: init.source,
    };
    const api = new KubeApi({
      kubeConfig: init.kubeConfig,
      server,
      namespace,
      requestTimeoutMs: init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clock,
    });
    this.exposure = new WebUiExposure(api, init.ingress);
    // The poller and the cache tell each other of changes: the cache, which pods changed (the master to ask);
    // the poller, which master's answer changed (the observation to compute again).
    this.registration = new RegistrationPoller(
      {
        fetch: (cluster, signal) => this.reads.masterJson(cluster, signal),
        changed: (cluster) => {
          this.cache.refresh(cluster);
        },
      },
      clock,
      init.registrationTimings,
      watch ? undefined : FORGET_UNREAD_MS,
    );
    this.cache = new WatchCache({
      api,
      exposure: this.exposure,
      enabled: watch,
      defaultImage: this.defaultImage,
      timings: { ...DEFAULT_WATCH_TIMINGS, ...init.watchTimings },
      clock,
      registration: (cluster) => this.registration.facts(cluster),
      changed: (cluster, observation) => {
        this.registration.update(cluster, observation && registrationTarget(observation));
      },
    });
    this.reads = new ClusterReads({
      api,
      exposure: this.exposure,
      cache: this.cache,
      registration: this.registration,
      watch,
      defaultImage: this.defaultImage,
    });
    this.writes = new ClusterWrites({ api, exposure: this.exposure, reads: this.reads, cache: this.cache });
    this.storedConfigs = {
      read: (name) => this.reads.configMap(name),
      describe: (name) => `ConfigMap '${name}' in namespace '${namespace}'`,
    };
  }

  describe(): Readonly<Record<string, string>> {
    return {
      namespace: this.namespace,
      ...this.facts,
      'web-ui-exposure': this.exposure.describe(),
      reads: this.cache.describe(),
    };
  }

  checkImage(_image: string): Promise<void> {
    // The registry is the kubelet's business; a pull failure shows as ImagePullBackOff in the status.
    return Promise.resolve();
  }

  create(spec: ClusterSpec): Promise<ClusterObservation> {
    return this.writes.create(spec);
  }

  list(): Promise<ClusterObservation[]> {
    return this.reads.list();
  }

  clusterNames(): Promise<string[]> {
    return this.reads.clusterNames();
  }

  get(name: string): Promise<ClusterObservation | undefined> {
    return this.reads.get(name);
  }

  scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation> {
    return this.writes.scale(name, counts);
  }

  delete(name: string): Promise<boolean> {
    return this.writes.delete(name);
  }

  logs(name: string, request: LogRequest): Promise<string> {
    return this.reads.logs(name, request);
  }

  followLogs(name: string, request: LogRequest): Promise<Readable> {
    return this.reads.followLogs(name, request);
  }

  close(): Promise<void> {
    this.cache.stop();
    this.registration.stop();
    return Promise.resolve();
  }
}

/** Loads the Kubernetes configuration once and returns the driver; a configuration problem is thrown here. */
export function createKubernetesDriver(options: KubernetesDriverOptions): Promise<ClusterDriver> {
  const settings: KubernetesDriverSettings = {
    ingress: options.ingress,
    requestTimeoutMs: options.requestTimeoutMs,
    watch: options.watch,
    watchTimings: options.watchTimings,
    registrationTimings: options.registrationTimings,
    clock: options.clock,
  };
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
        new KubernetesDriver({
          ...settings,
          kubeConfig: options.kubeConfig,
          namespace,
          source: 'in memory',
          server: cluster.server,
          context: options.kubeConfig.getCurrentContext(),
          namespaceFrom:
            options.namespace !== undefined ? '--namespace or OSHINKO_NAMESPACE' : 'the kubeconfig context',
        }),
      );
    }
    const loaded = loadKubeConfig({
      kubeconfig: options.kubeconfig,
      namespace: options.namespace,
      serviceHost: options.serviceHost,
    });
    return Promise.resolve(new KubernetesDriver({ ...settings, ...loaded }));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
