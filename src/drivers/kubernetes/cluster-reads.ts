/**
 * Every read of the driver: clusters from the watch cache while it may answer, else from the API directly (a
 * constant number of label-selector lists, however many clusters); a pod's log; a stored configuration; and each
 * Spark master's own list of its workers, for the registration poller.
 */
import type { Readable } from 'node:stream';
import { ApiException } from '@kubernetes/client-node';
import type { ClusterObservation } from '../../core/cluster.js';
import type { LogRequest } from '../../core/driver.js';
import {
  BackendUnavailableError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
} from '../../core/errors.js';
import {
  observeCluster,
  observeClusters,
  type ClusterObjects,
  type CoreV1Event,
  type V1Pod,
} from './cluster-observer.js';
import type { V1Deployment, V1Ingress, V1Route, V1Service } from './kube-types.js';
import type { StreamAnswer, TextAnswer } from './json-lister.js';
import type { KubeApi } from './kube-api.js';
import { call, kubeError, optional, statusMessage } from './kube-errors.js';
import {
  ALL_CLUSTERS_SELECTOR,
  IMAGE_CHECK_CONTAINER,
  SPARK_CONTAINER,
  UI_PORT_NAME,
  clusterSelector,
  names,
} from './labels.js';
import type { RegistrationPoller } from './registration-poller.js';
import { RESOURCES } from './resources.js';
import type { WatchCache } from './watch-cache.js';
import type { WebUiExposure } from './web-ui-exposure.js';
import { registrationTarget } from './worker-registration.js';

export interface ClusterReadsOptions {
  readonly api: KubeApi;
  readonly exposure: WebUiExposure;
  readonly cache: WatchCache;
  /** Reads apply its last answers; without the watch cache, they also tell it which clusters exist. */
  readonly registration: RegistrationPoller;
  /** Whether the watch cache is on (then the cache, not the reads, tells the poller about clusters). */
  readonly watch: boolean;
  readonly defaultImage: string;
}

export class ClusterReads {
  private readonly api: KubeApi;

  constructor(private readonly options: ClusterReadsOptions) {
    this.api = options.api;
  }

  async list(): Promise<ClusterObservation[]> {
    const cache = await this.options.cache.current();
    if (cache !== undefined) return cache.list();
    const observations = observeClusters(
      await this.objects(ALL_CLUSTERS_SELECTOR, false),
      this.options.defaultImage,
      (name) => this.options.registration.facts(name),
    );
    this.shown(observations, true);
    return observations;
  }

  async clusterNames(): Promise<string[]> {
    const cache = await this.options.cache.current();
    if (cache !== undefined) return cache.names();
    return (await this.list()).map((cluster) => cluster.name);
  }

  async get(name: string): Promise<ClusterObservation | undefined> {
    const { registration, defaultImage } = this.options;
    const cache = await this.options.cache.current();
    if (cache !== undefined) {
      if (cache.objects(name) === undefined) return undefined;
      const events = cache.eventsFresh
        ? cache.events(name)
        : await this.api
            .list<CoreV1Event>(RESOURCES.events)
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
      if (!this.options.watch) registration.update(name, undefined);
      return undefined;
    }
    const observation = observeCluster(name, objects, defaultImage, registration.facts(name));
    this.shown([observation], false);
    return observation;
  }

  /** The objects of one cluster (without events), or undefined when there is no such cluster. */
  async clusterObjects(name: string): Promise<ClusterObjects | undefined> {
    const cache = await this.options.cache.current();
    return cache === undefined ? await this.objects(clusterSelector(name), false) : cache.objects(name);
  }

  async logs(name: string, request: LogRequest): Promise<string> {
    const target = await this.logTarget(name, request);
    let answer: TextAnswer;
    try {
      answer = await this.api.read(RESOURCES.pods, {
        subresource: 'log',
        name: target.pod,
        query: target.query,
      });
    } catch (error) {
      throw logError(error, target);
    }
    if (answer.status === 204) throw notOnNode(target);
    return answer.body;
  }

  /** The log as the API server streams it with `follow=true`; it ends when the container does. */
  async followLogs(name: string, request: LogRequest): Promise<Readable> {
    const target = await this.logTarget(name, request);
    let answer: StreamAnswer;
    try {
      answer = await this.api.stream(RESOURCES.pods, {
        subresource: 'log',
        name: target.pod,
        query: { ...target.query, follow: 'true' },
      });
    } catch (error) {
      throw logError(error, target);
    }
    if (answer.status === 204) {
      answer.body.destroy();
      throw notOnNode(target);
    }
    return answer.body;
  }

  /** Which pod and container a log request reads, checked against the cluster's pods and their containers. */
  private async logTarget(name: string, request: LogRequest): Promise<LogTarget> {
    const cluster = await this.get(name);
    if (cluster === undefined) throw new NotFoundError(`cluster '${name}' does not exist`);
    const pod = request.pod ?? cluster.pods.find((p) => p.type === 'master')?.name;
    if (pod === undefined) throw new NotFoundError(`cluster '${name}' has no master pod`, { field: 'pod' });
    const state = cluster.pods.find((p) => p.name === pod);
    if (state === undefined) {
      throw new NotFoundError(`cluster '${name}' has no pod '${pod}'`, { field: 'pod' });
    }
    // The Spark container in every pod; the image check's init container in the master's (image-check.ts).
    const containers = state.type === 'master' ? [SPARK_CONTAINER, IMAGE_CHECK_CONTAINER] : [SPARK_CONTAINER];
    const container = request.container ?? SPARK_CONTAINER;
    if (!containers.includes(container)) {
      throw new InvalidInputError(
        `pod ${pod} has no container '${container}'; its containers: ${containers.join(', ')}`,
        { field: 'container' },
      );
    }
    const previous = request.previous === true;
    return {
      pod,
      container,
      previous,
      state,
      query: {
        container,
        tailLines: String(request.tailLines),
        ...(previous ? { previous: 'true' } : {}),
      },
    };
  }

  /** A ConfigMap's data, or undefined when it does not exist. */
  async configMap(name: string): Promise<Record<string, string> | undefined> {
    const map = await optional(`cannot read ConfigMap '${name}'`, () =>
      RESOURCES.configmaps.get(this.api, name),
    );
    return map === undefined ? undefined : (map.data ?? {});
  }

  /** Whether the namespace has this Secret; its metadata only is read (resources.ts). */
  async secretExists(name: string): Promise<boolean> {
    return (
      (await optional(`cannot check Secret '${name}'`, () => RESOURCES.secrets.get(this.api, name))) !==
      undefined
    );
  }

  /**
   * The Spark master's own list of its workers: its web UI's /json/, read through the API server's service proxy
   * (which works from outside the cluster and from a pod alike). Through the `<name>-ui` Service rather than the
   * master pod's proxy: the Service's name follows from the cluster's, and the API server forwards only to a
   * ready endpoint, so a master that is not ready answers 503 "no endpoints available" instead of a half-started
   * UI; the pod proxy would need the master pod's current name. Masters per cluster are at most one.
   */
  async masterJson(cluster: string, signal: AbortSignal): Promise<unknown> {
    const answer = await call("cannot read the master's /json/", () =>
      this.api.read(
        RESOURCES.services,
        { subresource: 'proxy/json/', name: `${names.uiService(cluster)}:${UI_PORT_NAME}` },
        signal,
      ),
    );
    try {
      return JSON.parse(answer.body) as unknown;
    } catch (error) {
      throw new BackendUnavailableError("the master's /json/ answer is not JSON", { cause: error });
    }
  }

  /** Without the watch cache, reads tell the poller which clusters exist; `complete`: every one of them. */
  private shown(observations: readonly ClusterObservation[], complete: boolean): void {
    if (this.options.watch) return;
    const { registration } = this.options;
    if (complete) registration.retain(new Set(observations.map((o) => o.name)));
    for (const observation of observations) {
      registration.update(observation.name, registrationTarget(observation));
    }
  }

  /** Reads every object that `selector` matches: a constant number of requests, however many clusters. */
  private async objects(labelSelector: string, withEvents: boolean): Promise<ClusterObjects> {
    const exposing = await this.options.exposure.kinds();
    const api = this.api;
    const [deployments, pods, services, routes, ingresses, events] = await Promise.all([
      call('cannot list deployments', () => api.list<V1Deployment>(RESOURCES.deployments, labelSelector)),
      call('cannot list pods', () => api.list<V1Pod>(RESOURCES.pods, labelSelector)),
      call('cannot list services', () => api.list<V1Service>(RESOURCES.services, labelSelector)),
      exposing.routes
        ? call('cannot list routes', () => api.list<V1Route>(RESOURCES.routes, labelSelector))
        : undefined,
      exposing.ingresses
        ? call('cannot list ingresses', () => api.list<V1Ingress>(RESOURCES.ingresses, labelSelector))
        : undefined,
      // Events carry no labels; they are read only for one cluster, and their absence is not an error.
      withEvents ? api.list<CoreV1Event>(RESOURCES.events).catch(() => undefined) : undefined,
    ]);
    return {
      deployments: deployments.items,
      pods: pods.items,
      services: services.items,
      routes: routes?.items,
      ingresses: ingresses?.items,
      events: events?.items,
    };
  }
}

interface LogTarget {
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
  readonly state: ClusterObservation['pods'][number];
  /** The query of the pod's `log` subresource. */
  readonly query: Readonly<Record<string, string>>;
}

/** The API's refusal of a log request, in the words of the pod's state. */
function logError(error: unknown, target: LogTarget): unknown {
  const { pod, container } = target;
  // The kubelet's answer, passed on by the API server: no previous instance, or the container has not started
  // (ContainerCreating, ImagePullBackOff ...). The pod's state, not the API, is why: say it as Kubernetes does.
  if (error instanceof ApiException && error.code === 400) {
    if (target.previous) {
      return new NotFoundError(
        `container ${container} of pod ${pod} has no previous instance (it has not restarted since it was placed): ${statusMessage(error)}`,
        { field: 'previous', cause: error },
      );
    }
    return new ConflictError(`the log of pod ${pod} is not available yet: ${statusMessage(error)}`, {
      cause: error,
    });
  }
  return kubeError(`cannot read the log of pod ${pod}`, error);
}

/** 204 No Content: the API server has no node to ask, the pod is not scheduled yet. */
function notOnNode(target: LogTarget): ConflictError {
  const { state } = target;
  const why = state.reason === undefined ? '' : ` (${state.status}: ${state.reason})`;
  return new ConflictError(
    `the log of pod ${target.pod} is not available yet: it is not on a node yet${why}`,
  );
}
