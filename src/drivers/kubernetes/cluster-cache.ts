/**
 * The watch-fed view of every oshinko cluster in the namespace: one reflector per kind of object, the objects
 * grouped by cluster as they change, and each cluster's observation computed once per change rather than once
 * per request. `GET /clusters` then costs no Kubernetes API request and no parsing at all.
 *
 * Truthfulness comes first: the cache answers only while every watch is live and every write this server made has
 * come back through its watch (read-your-writes); otherwise `fresh` is false and the driver reads the API directly.
 */
import type { ClusterObservation } from '../../core/cluster.js';
import {
  observeCluster,
  type ClusterObjects,
  type CoreV1Event,
  type RegistrationLookup,
  type V1Pod,
} from './cluster-observer.js';
import type { V1Deployment, V1Ingress, V1ObjectMeta, V1Route, V1Service } from './kube-types.js';
import { CLUSTER_LABEL, names } from './labels.js';
import { Reflector, type KubeObjectLike, type ReflectorOptions, type ReflectorSource } from './reflector.js';

export type CachedKind = 'deployments' | 'pods' | 'services' | 'routes' | 'ingresses';

export interface ClusterCacheSources {
  readonly deployments: ReflectorSource<V1Deployment>;
  readonly pods: ReflectorSource<V1Pod>;
  readonly services: ReflectorSource<V1Service>;
  /** Only on OpenShift (the Route API exists). */
  readonly routes: ReflectorSource<V1Route> | undefined;
  /** Only when an ingress domain is configured and there is no Route API. */
  readonly ingresses: ReflectorSource<V1Ingress> | undefined;
  readonly events: ReflectorSource<CoreV1Event>;
}

export interface ClusterCacheOptions extends ReflectorOptions {
  /** How long a write may take to come back through the watch before the cache lists everything again. */
  readonly writeTimeoutMs: number;
}

export interface ClusterCacheHooks {
  /** What each cluster's master last said about its workers; part of each observation. */
  readonly registration?: RegistrationLookup | undefined;
  /** One of the cluster's objects changed (or the cluster is gone): told once per change, as it happens. */
  readonly changed?: ((cluster: string) => void) | undefined;
}

/** What a write must look like in the cache before the cache may answer again. */
export type Expectation =
  | { readonly kind: CachedKind; readonly resourceVersion: string }
  | { readonly kind: CachedKind; readonly gone: string };

interface Group {
  readonly deployments: Map<string, V1Deployment>;
  readonly pods: Map<string, V1Pod>;
  readonly services: Map<string, V1Service>;
  readonly routes: Map<string, V1Route>;
  readonly ingresses: Map<string, V1Ingress>;
}

function clusterOf(object: KubeObjectLike | undefined): string | undefined {
  return (object?.metadata as V1ObjectMeta | undefined)?.labels?.[CLUSTER_LABEL];
}

function emptyGroup(): Group {
  return {
    deployments: new Map(),
    pods: new Map(),
    services: new Map(),
    routes: new Map(),
    ingresses: new Map(),
  };
}

export class ClusterCache {
  private readonly groups = new Map<string, Group>();
  private readonly observations = new Map<string, ClusterObservation>();
  private readonly reflectors: Map<CachedKind, Reflector<KubeObjectLike>>;
  private readonly eventReflector: Reflector<CoreV1Event>;
  private readonly eventsByName = new Map<string, Set<CoreV1Event>>();
  private readonly eventsByPrefix = new Map<string, Set<CoreV1Event>>();
  private readonly hasRoutes: boolean;
  private readonly hasIngresses: boolean;
  /** Writes not yet seen through their watch: the cache does not answer while there are any. */
  private pending = 0;
  private stopped = true;

  constructor(
    sources: ClusterCacheSources,
    private readonly defaultImage: string,
    private readonly options: ClusterCacheOptions,
    private readonly hooks: ClusterCacheHooks = {},
  ) {
    this.hasRoutes = sources.routes !== undefined;
    this.hasIngresses = sources.ingresses !== undefined;
    this.reflectors = new Map();
    const add = <T extends KubeObjectLike>(kind: CachedKind, source: ReflectorSource<T> | undefined) => {
      if (source === undefined) return;
      const reflector = new Reflector<T>(
        kind,
        source,
        (previous, next) => {
          this.changed(kind, previous, next);
        },
        options,
      );
      this.reflectors.set(kind, reflector as unknown as Reflector<KubeObjectLike>);
    };
    add('deployments', sources.deployments);
    add('pods', sources.pods);
    add('services', sources.services);
    add('routes', sources.routes);
    add('ingresses', sources.ingresses);
    this.eventReflector = new Reflector(
      'events',
      sources.events,
      (previous, next) => {
        if (previous !== undefined) this.indexEvent(previous, false);
        if (next !== undefined) this.indexEvent(next, true);
      },
      options,
    );
  }

  start(): void {
    this.stopped = false;
    for (const reflector of this.reflectors.values()) reflector.start();
    this.eventReflector.start();
  }

  stop(): void {
    this.stopped = true;
    for (const reflector of this.reflectors.values()) reflector.stop();
    this.eventReflector.stop();
  }

  /** Trusts nothing it holds: every reflector lists again (after a write that never came back). */
  private restart(): void {
    if (this.stopped) return;
    for (const reflector of this.reflectors.values()) reflector.restart();
  }

  /** Every watch is live and every write of this server has come back: the cache may answer. */
  get fresh(): boolean {
    if (this.pending > 0) return false;
    for (const reflector of this.reflectors.values()) if (!reflector.fresh) return false;
    return true;
  }

  /** Events are optional (the driver answers without them); they come from the cache while their watch is live. */
  get eventsFresh(): boolean {
    return this.eventReflector.fresh;
  }

  /** Why the cache is not answering, or undefined when it is. */
  get problem(): string | undefined {
    // A broken watch first: writes not seen are often its consequence, and would hide it (a refused watch).
    for (const reflector of this.reflectors.values()) {
      const problem = reflector.problem;
      if (problem !== undefined) return problem;
    }
    if (this.pending > 0) return `${String(this.pending)} writes not yet seen through the watch`;
    return undefined;
  }

  /** Resolves once every reflector tried its first list and watch, or after `timeoutMs`. */
  async started(timeoutMs: number): Promise<void> {
    const waited = new AbortController();
    await Promise.race([
      Promise.all([...this.reflectors.values(), this.eventReflector].map((r) => r.started)),
      this.options.clock.sleep(timeoutMs, waited.signal),
    ]);
    waited.abort();
  }

  /**
   * Waits until the cache shows what this server just wrote. When the cache is not answering anyway, it does not
   * wait, but stays silent until the writes are seen, so it never answers with a state older than a write.
   * A write that does not come back in time makes every reflector list again.
   */
  async expect(expectations: readonly Expectation[], block: boolean): Promise<void> {
    const waits = expectations.flatMap((expectation) => {
      const reflector = this.reflectors.get(expectation.kind);
      if (reflector === undefined) return [];
      return [
        'gone' in expectation
          ? reflector.waitForGone(expectation.gone, this.options.writeTimeoutMs)
          : reflector.waitForVersion(expectation.resourceVersion, this.options.writeTimeoutMs),
      ];
    });
    if (waits.length === 0) return;
    this.pending += 1;
    const settled = Promise.all(waits).then((seen) => {
      this.pending -= 1;
      if (seen.includes(false)) this.restart();
    });
    if (block) await settled;
  }

  /** Something may have changed that no watch will show (a write whose outcome is unknown): list again. */
  invalidate(): void {
    this.restart();
  }

  /** Every cluster: an object other than a pod carries its label. */
  list(): ClusterObservation[] {
    const clusters: ClusterObservation[] = [];
    for (const name of this.groups.keys()) {
      const observation = this.observe(name);
      if (observation !== undefined) clusters.push(observation);
    }
    return clusters;
  }

  names(): string[] {
    return this.list().map((cluster) => cluster.name);
  }

  /** One cluster with its recent events, or undefined when it does not exist. */
  get(name: string, events: readonly CoreV1Event[] | undefined): ClusterObservation | undefined {
    const objects = this.objects(name);
    if (objects === undefined) return undefined;
    return observeCluster(name, { ...objects, events }, this.defaultImage, this.hooks.registration?.(name));
  }

  /** One cluster, as `list` has it (computed once per change); undefined when it does not exist. */
  observation(name: string): ClusterObservation | undefined {
    return this.observe(name);
  }

  /** Something the observations are derived from besides the objects changed (`hooks.registration`). */
  refresh(name: string): void {
    this.observations.delete(name);
  }

  /**
   * The cached events that may concern cluster `name`: those of its objects by exact name, and those of the
   * replica sets and pods of its Deployments by name prefix (`<name>-m-`, `<name>-w-`, also of pods long gone).
   * The observer filters them exactly; the index only spares it the namespace's other events.
   */
  events(name: string): CoreV1Event[] {
    const found = new Set<CoreV1Event>();
    const add = (events: Set<CoreV1Event> | undefined) => {
      for (const event of events ?? []) found.add(event);
    };
    for (const exact of [name, names.uiService(name), names.metricsService(name), names.route(name)]) {
      add(this.eventsByName.get(exact));
    }
    add(this.eventsByPrefix.get(names.master(name)));
    add(this.eventsByPrefix.get(names.worker(name)));
    return [...found];
  }

  /** Files an event under its object's name and under each dash-separated prefix of that name. */
  private indexEvent(event: CoreV1Event, add: boolean): void {
    const object = event.involvedObject.name ?? '';
    const file = (index: Map<string, Set<CoreV1Event>>, key: string) => {
      let events = index.get(key);
      if (add) {
        if (events === undefined) {
          events = new Set();
          index.set(key, events);
        }
        events.add(event);
      } else if (events !== undefined) {
        events.delete(event);
        if (events.size === 0) index.delete(key);
      }
    };
    file(this.eventsByName, object);
    for (let dash = object.indexOf('-'); dash > 0; dash = object.indexOf('-', dash + 1)) {
      file(this.eventsByPrefix, object.slice(0, dash));
    }
    file(this.eventsByPrefix, object);
  }

  /** A cluster's objects, or undefined when it has none but pods. */
  objects(name: string): ClusterObjects | undefined {
    const group = this.groups.get(name);
    if (
      group === undefined ||
      (group.deployments.size === 0 &&
        group.services.size === 0 &&
        group.routes.size === 0 &&
        group.ingresses.size === 0)
    ) {
      return undefined;
    }
    return {
      deployments: [...group.deployments.values()],
      pods: [...group.pods.values()],
      services: [...group.services.values()],
      routes: this.hasRoutes ? [...group.routes.values()] : undefined,
      ingresses: this.hasIngresses ? [...group.ingresses.values()] : undefined,
    };
  }

  private observe(name: string): ClusterObservation | undefined {
    const memo = this.observations.get(name);
    if (memo !== undefined) return memo;
    const objects = this.objects(name);
    if (objects === undefined) return undefined;
    const observation = observeCluster(name, objects, this.defaultImage, this.hooks.registration?.(name));
    this.observations.set(name, observation);
    return observation;
  }

  private changed(
    kind: CachedKind,
    previous: KubeObjectLike | undefined,
    next: KubeObjectLike | undefined,
  ): void {
    const was = clusterOf(previous);
    const is = clusterOf(next);
    const name = previous?.metadata?.name ?? next?.metadata?.name ?? '';
    if (was !== undefined) {
      const group = this.groups.get(was);
      group?.[kind].delete(name);
      this.observations.delete(was);
      if (group !== undefined && Object.values(group).every((map: Map<string, unknown>) => map.size === 0)) {
        this.groups.delete(was);
      }
    }
    if (is !== undefined && next !== undefined) {
      let group = this.groups.get(is);
      if (group === undefined) {
        group = emptyGroup();
        this.groups.set(is, group);
      }
      (group[kind] as Map<string, KubeObjectLike>).set(name, next);
      this.observations.delete(is);
    }
    if (was !== undefined) this.hooks.changed?.(was);
    if (is !== undefined && is !== was) this.hooks.changed?.(is);
  }
}
