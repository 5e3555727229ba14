/**
 * The driver's connection to one namespace of one Kubernetes API server: the generated clients (for writes), the
 * plain-JSON lister (for lists, watches and subresources), both with a deadline on every request. Requests name a
 * row of the table (resources.ts), never a path.
 */
import {
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  ServerConfiguration,
  createConfiguration,
  type Configuration,
  type KubeConfig,
  type Middleware,
} from '@kubernetes/client-node';
import type { Clock } from '../../core/clock.js';
import {
  JsonLister,
  type ObjectList,
  type StreamAnswer,
  type SubresourceRequest,
  type TextAnswer,
  type WatchOptions,
} from './json-lister.js';
import { call } from './kube-errors.js';
import type { ReflectorSource } from './reflector.js';
import { collectionPath, type KubeClients, type NamespacedApi, type ResourceKind } from './resources.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface KubeApiOptions {
  readonly kubeConfig: KubeConfig;
  /** The API server's URL, from the KubeConfig's current cluster. */
  readonly server: string;
  readonly namespace: string;
  /** Each request is abandoned after this long. */
  readonly requestTimeoutMs: number;
  /** The requests' deadlines and the watches' random spread go by it. */
  readonly clock: Clock;
}

/** How the cache watches: each watch ends after `watchTimeoutSeconds` (and is resumed), or after `idleMs` of silence. */
export type WatchSettings = Pick<WatchOptions, 'idleMs'> & { readonly watchTimeoutSeconds: number };

/** A client configuration like `KubeConfig.makeApiClient` makes, plus a deadline on every request. */
function apiConfiguration(
  kubeConfig: KubeConfig,
  server: string,
  timeoutMs: number,
  clock: Clock,
): Configuration {
  const deadline: Middleware = {
    pre: (context) => {
      context.setSignal(clock.timeout(timeoutMs));
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

export class KubeApi implements NamespacedApi {
  readonly namespace: string;
  readonly clients: KubeClients;
  private readonly apis: ApisApi;
  /** Lists parsed as plain JSON (timestamps stay strings; the observer reads them either way). */
  private readonly lister: JsonLister;
  private readonly clock: Clock;

  constructor(options: KubeApiOptions) {
    const { kubeConfig, server, requestTimeoutMs, clock } = options;
    this.namespace = options.namespace;
    this.clock = clock;
    const configuration = apiConfiguration(kubeConfig, server, requestTimeoutMs, clock);
    this.clients = {
      core: new CoreV1Api(configuration),
      apps: new AppsV1Api(configuration),
      networking: new NetworkingV1Api(configuration),
      custom: new CustomObjectsApi(configuration),
    };
    this.apis = new ApisApi(configuration);
    this.lister = new JsonLister(kubeConfig, server, requestTimeoutMs, clock);
  }

  /** The objects of a listed kind in the namespace, those `labelSelector` matches when it is given. */
  list<T>(resource: ResourceKind, labelSelector?: string, signal?: AbortSignal): Promise<ObjectList<T>> {
    return this.lister.list<T>(collectionPath(resource, this.namespace), labelSelector, signal);
  }

  /** A list and a watch of one kind of object in the namespace, as a reflector reads them. */
  watched<T>(
    resource: ResourceKind,
    labelSelector: string | undefined,
    settings: WatchSettings,
  ): ReflectorSource<T> {
    const path = collectionPath(resource, this.namespace);
    return {
      list: (signal) => this.lister.list<T>(path, labelSelector, signal),
      watch: (options, onEvent) =>
        this.lister.watch<T>(
          path,
          {
            ...options,
            labelSelector,
            // Spread like client-go, so that many servers do not all watch again at the same moment.
            timeoutSeconds: Math.round(settings.watchTimeoutSeconds * (1 + this.clock.random())),
            idleMs: settings.idleMs,
          },
          onEvent,
        ),
    };
  }

  /** A subresource of one object (a pod's log, a service's proxy), as text. */
  read(resource: ResourceKind, target: SubresourceRequest, signal?: AbortSignal): Promise<TextAnswer> {
    return this.lister.read(collectionPath(resource, this.namespace), target, signal);
  }

  /** A subresource streamed (a followed pod log): the deadline bounds its answer's headers, not its length. */
  stream(resource: ResourceKind, target: SubresourceRequest, signal?: AbortSignal): Promise<StreamAnswer> {
    return this.lister.stream(collectionPath(resource, this.namespace), target, signal);
  }

  /**
   * The API server's own readiness (`GET /readyz`, open to every user through system:public-info-viewer): 200 when
   * ready, else 500 with a line per check, `[-]etcd failed: ...` for each failing one.
   */
  readyz(signal?: AbortSignal): Promise<{ status: number; body: string }> {
    return this.lister.probe('readyz', signal);
  }

  /** The names of the API groups the server has (`GET /apis`, open to every authenticated user). */
  async apiGroups(): Promise<string[]> {
    const list = await call('cannot discover the API groups', () => this.apis.getAPIVersions());
    return list.groups.map((group) => group.name);
  }
}
