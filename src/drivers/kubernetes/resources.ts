/**
 * The one table of the kinds of Kubernetes object the driver touches: where each lives in the API and what the
 * driver does with it. Reads list by it, the watch cache watches by it, writes create, patch and delete by it, and
 * the RBAC inventory is derived from it (api-calls.ts): a row's verbs are the operations it has. To let the driver
 * do something new with a kind, give its row the operation; test/deploy/role.test.ts then says what the Role lacks.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type AppsV1Api,
  type CoreV1Api,
  type CustomObjectsApi,
  type NetworkingV1Api,
} from '@kubernetes/client-node';
import type { V1Deployment, V1Ingress, V1Route, V1Service } from './kube-types.js';

/** The generated clients (kube-api.ts makes them). */
export interface KubeClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
}

/** Where a row's operations go: the clients, and the namespace they act in (a KubeApi). */
export interface NamespacedApi {
  readonly clients: KubeClients;
  readonly namespace: string;
}

/**
 * `Background` removes the object at once and leaves what it owns to the garbage collector; `Foreground` keeps it
 * (deleting) until what it owns, pods included, is gone.
 */
export type PropagationPolicy = 'Background' | 'Foreground';

/** A row of the table. The operations are named by the RBAC verb they need. */
export interface ResourceKind {
  /** The objects' `kind`. */
  readonly kind: string;
  /** The API group; '' is the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource's name in URLs and in RBAC rules. */
  readonly plural: string;
  /** Listed by label selector (reads without the cache) and watched (the cache): `list` and `watch`. */
  readonly listed: boolean;
  /** Subresources the driver reads with GET (a pod's `log`, a service's `proxy`). */
  readonly subresources: readonly string[];
  create?(api: NamespacedApi, body: never): Promise<unknown>;
  delete?(api: NamespacedApi, name: string, propagationPolicy: PropagationPolicy): Promise<unknown>;
  get?(api: NamespacedApi, name: string): Promise<unknown>;
  patch?(api: NamespacedApi, name: string, body: object): Promise<unknown>;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** The object's metadata instead of the object: what a check of existence needs, and no more. */
const METADATA_ONLY = setHeaderOptions(
  'Accept',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
);

const ROUTE = { group: 'route.openshift.io', version: 'v1', plural: 'routes' } as const;

export const RESOURCES = {
  deployments: {
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    listed: true,
    subresources: [],
    create: ({ clients, namespace }: NamespacedApi, body: V1Deployment) =>
      clients.apps.createNamespacedDeployment({ namespace, body }),
    delete: ({ clients, namespace }: NamespacedApi, name: string, propagationPolicy: PropagationPolicy) =>
      clients.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy }),
    get: ({ clients, namespace }: NamespacedApi, name: string) =>
      clients.apps.readNamespacedDeployment({ name, namespace }),
    /** A JSON merge patch (RFC 7386): what scaling sends. */
    patch: ({ clients, namespace }: NamespacedApi, name: string, body: object) =>
      clients.apps.patchNamespacedDeployment({ name, namespace, body }, MERGE_PATCH),
  },
  services: {
    kind: 'Service',
    group: '',
    version: 'v1',
    plural: 'services',
    listed: true,
    /** The service proxy: each Spark master's /json/ through its `<cluster>-ui` Service (registration-poller.ts). */
    subresources: ['proxy'],
    create: ({ clients, namespace }: NamespacedApi, body: V1Service) =>
      clients.core.createNamespacedService({ namespace, body }),
    delete: ({ clients, namespace }: NamespacedApi, name: string, propagationPolicy: PropagationPolicy) =>
      clients.core.deleteNamespacedService({ name, namespace, propagationPolicy }),
  },
  pods: {
    kind: 'Pod',
    group: '',
    version: 'v1',
    plural: 'pods',
    listed: true,
    subresources: ['log'],
  },
  configmaps: {
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    plural: 'configmaps',
    listed: false,
    subresources: [],
    /** Stored cluster configurations, and the Spark config files a cluster names. */
    get: ({ clients, namespace }: NamespacedApi, name: string) =>
      clients.core.readNamespacedConfigMap({ name, namespace }),
  },
  /**
   * Secrets a cluster names (pull secrets, env): the driver checks that each exists and asks for its metadata only
   * (`as=PartialObjectMetadata`), so the contents never reach it. `get` is still the RBAC verb this needs.
   */
  secrets: {
    kind: 'Secret',
    group: '',
    version: 'v1',
    plural: 'secrets',
    listed: false,
    subresources: [],
    get: ({ clients, namespace }: NamespacedApi, name: string) =>
      clients.core.readNamespacedSecret({ name, namespace }, METADATA_ONLY),
  },
  /** Events carry no labels: all of the namespace's are listed and watched, and filtered per cluster. */
  events: {
    kind: 'Event',
    group: '',
    version: 'v1',
    plural: 'events',
    listed: true,
    subresources: [],
  },
  /** OpenShift only (the route.openshift.io API exists); the client library has them as custom objects. */
  routes: {
    kind: 'Route',
    ...ROUTE,
    listed: true,
    subresources: [],
    create: ({ clients, namespace }: NamespacedApi, body: V1Route) =>
      clients.custom.createNamespacedCustomObject({ ...ROUTE, namespace, body }),
    delete: ({ clients, namespace }: NamespacedApi, name: string, propagationPolicy: PropagationPolicy) =>
      clients.custom.deleteNamespacedCustomObject({ ...ROUTE, namespace, name, propagationPolicy }),
  },
  /** Plain Kubernetes with an ingress domain configured. */
  ingresses: {
    kind: 'Ingress',
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    listed: true,
    subresources: [],
    create: ({ clients, namespace }: NamespacedApi, body: V1Ingress) =>
      clients.networking.createNamespacedIngress({ namespace, body }),
    delete: ({ clients, namespace }: NamespacedApi, name: string, propagationPolicy: PropagationPolicy) =>
      clients.networking.deleteNamespacedIngress({ name, namespace, propagationPolicy }),
  },
} as const satisfies Record<string, ResourceKind>;

/** The path of a row's API group and version: `api/v1`, `apis/apps/v1`. */
export function apiPath(resource: ResourceKind): string {
  return resource.group === '' ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;
}

/** The path of a row's collection in a namespace: `api/v1/namespaces/<ns>/pods`. */
export function collectionPath(resource: ResourceKind, namespace: string): string {
  return `${apiPath(resource)}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
}

/** The objects a create makes (cluster-renderer.ts's `SecondaryObject`), by kind, and the body each one has. */
interface BodyOf {
  Deployment: V1Deployment;
  Service: V1Service;
  Route: V1Route;
  Ingress: V1Ingress;
}
export type WrittenKind = keyof BodyOf;

/** The rows of the kinds a create makes and a delete removes. */
export const WRITTEN: {
  readonly [K in WrittenKind]: ResourceKind & {
    /** Also the kind's key in the cache (cluster-cache.ts) and in a cluster's objects (cluster-observer.ts). */
    readonly plural: 'deployments' | 'services' | 'routes' | 'ingresses';
    create(api: NamespacedApi, body: BodyOf[K]): Promise<unknown>;
    delete(api: NamespacedApi, name: string, propagationPolicy: PropagationPolicy): Promise<unknown>;
  };
} = {
  Deployment: RESOURCES.deployments,
  Service: RESOURCES.services,
  Route: RESOURCES.routes,
  Ingress: RESOURCES.ingresses,
};

/** The kinds a create makes, in the order a cluster's objects are listed. */
export const WRITTEN_KINDS = Object.keys(WRITTEN) as readonly WrittenKind[];

/** Creates one object of a kind a create makes. */
export function createObject<K extends WrittenKind>(
  api: NamespacedApi,
  object: { readonly kind: K; readonly body: BodyOf[K] },
): Promise<unknown> {
  return WRITTEN[object.kind].create(api, object.body);
}

/** Deletes one object of a kind a create makes. */
export function deleteObject(
  api: NamespacedApi,
  kind: WrittenKind,
  name: string,
  propagationPolicy: PropagationPolicy,
): Promise<unknown> {
  return WRITTEN[kind].delete(api, name, propagationPolicy);
}
