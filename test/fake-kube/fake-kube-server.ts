/**
 * A fake Kubernetes API server over real HTTP, strict enough that what it accepts a real one would accept:
 * objects are checked against the official OpenAPI schemas and apimachinery's rules, names, labels and
 * resourceVersions are enforced, deletes cascade along ownerReferences, and Deployments get ReplicaSets and
 * simulated Pods that become ready after a short delay or fail to pull images they are told are missing.
 * Collections can be watched (`?watch=true`) with the real protocol.
 *
 * This module is the server and the handle tests hold; each job is a module of its own: the store
 * (`store.ts`) and its watches (`watch-hub.ts`), REST semantics (`object-api.ts`, `patch.ts`), deletion
 * (`garbage-collector.ts`), the controllers and the kubelet (`controllers.ts`, `kubelet.ts`), pod logs
 * (`pod-logs.ts`), the Spark daemons' logs and web UI (`spark-daemons.ts`), and the URL space (`routes.ts`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controllers } from './controllers.js';
import { GarbageCollector } from './garbage-collector.js';
import { clone, HttpError, RESOURCES, resourceDef, type Json, type KubeObject } from './kube-object.js';
import { Kubelet } from './kubelet.js';
import { ObjectApi } from './object-api.js';
import { PodLogs } from './pod-logs.js';
import { RequestLog, type Fault, type RequestRecord } from './request-log.js';
import { route, type RouteResult, type RouteTargets } from './routes.js';
import { SparkDaemons } from './spark-daemons.js';
import { ObjectStore } from './store.js';
import { Timers } from './timers.js';
import type { ResourceName } from './validation.js';

export type { KubeObject, ObjectMeta, OwnerReference } from './kube-object.js';
export { parseLabelSelector } from './label-selector.js';
export type { Fault, RequestRecord, Verb } from './request-log.js';

export interface FakeKubeOptions {
  /** Serve the route.openshift.io API (OpenShift); default false. */
  readonly openshift?: boolean | undefined;
  /** More API groups discovery lists (`GET /apis`), served no further, e.g. security.openshift.io. */
  readonly apiGroups?: readonly string[] | undefined;
  /** Namespaces that exist; default ['default']. */
  readonly namespaces?: readonly string[] | undefined;
  /** Bearer token every request must carry; default 'fake-token'. */
  readonly token?: string | undefined;
  /** Delay before a pod starts (or fails to pull); default 30 ms. */
  readonly podStartMs?: number | undefined;
  /**
   * How long a deleted pod stays, Terminating (with a deletionTimestamp), before it is gone, as kubelet stops its
   * containers within their grace period. Meanwhile an owner deleted with `propagationPolicy=Foreground` stays too
   * (a deletionTimestamp and the foregroundDeletion finalizer), until what it owns is gone. Default 0: a deleted
   * pod is gone at once, and Foreground behaves as Background.
   */
  readonly podStopMs?: number | undefined;
  /** How many store events are kept for watches to resume from (at least this many); default 10 000. */
  readonly watchHistory?: number | undefined;
  /** Interval of BOOKMARK events on watches that allow them; default 1000 ms (the first comes sooner). */
  readonly watchBookmarkMs?: number | undefined;
  /** How long a watch without `timeoutSeconds` lasts; default a random 5 to 10 minutes, as a real server. */
  readonly watchTimeoutSeconds?: number | undefined;
}

const MAX_BODY = 3 * 1024 * 1024;

export class FakeKubeServer {
  private readonly log = new RequestLog();
  readonly requests: RequestRecord[] = this.log.records;
  private readonly token: string;
  private readonly store: ObjectStore;
  private readonly timers = new Timers();
  private readonly kubelet: Kubelet;
  private readonly spark: SparkDaemons;
  private readonly logs: PodLogs;
  private readonly api: ObjectApi;
  private readonly collector: GarbageCollector;
  private readonly controllers: Controllers;
  private readonly targets: RouteTargets;
  private readyzBody: string | undefined;

  private constructor(
    private readonly server: Server,
    options: FakeKubeOptions,
  ) {
    this.token = options.token ?? 'fake-token';
    this.store = new ObjectStore({
      history: options.watchHistory ?? 10_000,
      bookmarkMs: options.watchBookmarkMs ?? 1000,
      timeoutSeconds: options.watchTimeoutSeconds,
    });
    // The parts react to each other's changes (a write reconciles, a pod's status moves its Deployment's, a
    // deleted pod is replaced): through these reactions, bound once every part exists.
    this.kubelet = new Kubelet(this.store, this.timers, options.podStartMs ?? 30, {
      statusChanged: (pod) => {
        this.controllers.podChanged(pod);
      },
    });
    this.spark = new SparkDaemons(this.store);
    this.logs = new PodLogs(this.store, this.kubelet, this.spark);
    const collector = new GarbageCollector(this.store, this.timers, options.podStopMs ?? 0, {
      podLeft: (pod) => {
        this.controllers.podLeft(pod);
      },
      podGone: (pod) => {
        this.logs.podGone(pod);
      },
    });
    const namespaces = new Set(options.namespaces ?? ['default']);
    this.api = new ObjectApi(this.store, namespaces, collector, {
      changed: (def, object) => {
        this.controllers.changed(def, object);
      },
    });
    this.controllers = new Controllers(this.store, this.api, collector, this.kubelet);
    const openshift = options.openshift ?? false;
    this.targets = {
      record: (record) => {
        this.log.record(record);
      },
      resources: RESOURCES.filter((r) => openshift || r.group !== 'route.openshift.io'),
      apiGroups: options.apiGroups ?? [],
      readyz: () => this.readyzBody,
      namespaces,
      api: this.api,
      watches: this.store.watches,
      logs: this.logs,
      spark: this.spark,
    };
    this.collector = collector;
  }

  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeServer> {
    const server = createServer();
    const fake = new FakeKubeServer(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void fake.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  get bearerToken(): string {
    return this.token;
  }

  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  get missingImages(): Set<string> {
    return this.kubelet.missingImages;
  }

  /** Label selectors: pods created while one matches their labels are never scheduled (no node has room). */
  get unschedulable(): Set<string> {
    return this.controllers.unschedulable;
  }

  async close(): Promise<void> {
    this.timers.clear();
    this.store.watches.dropAll();
    this.logs.endAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Makes the nth next request matching `verb` (and `resource`) fail with `status`, or answer late (`delayMs`). */
  failRequest(fault: Fault): void {
    this.log.inject(fault);
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /**
   * Whether the Spark workers that connect to their master through Service `service` (their last argument is
   * `spark://<service>:<port>`; for oshinko, the cluster's name) register with it: when not, their pods still
   * become ready (their own web UI answers), but the master's /json/ does not list them and their log says they
   * failed to connect. Default: they register.
   */
  setWorkersRegistered(service: string, registered: boolean): void {
    this.spark.setWorkersRegistered(service, registered);
  }

  /** How many watches are open, of one resource or of all; tests wait on it until a client watches. */
  openWatches(resource?: ResourceName): number {
    return this.store.watches.count(resource);
  }

  /** Writes a line to a container's log, as the container would; followers of the log get it at once. */
  appendPodLog(namespace: string, pod: string, line: string, container = 'spark'): void {
    this.logs.append(namespace, pod, line, container);
  }

  /**
   * Restarts a container as the kubelet does after it ended: its log so far becomes the previous instance's
   * (`previous=true`), its status gets `lastState.terminated` and one more restart, and its followers' streams end.
   */
  restartContainer(namespace: string, pod: string, container = 'spark'): void {
    this.logs.restart(namespace, pod, container);
  }

  /** How many pod logs are followed now; tests wait on it until a client follows, and until it stops. */
  openLogFollows(): number {
    return this.logs.openFollows();
  }

  /**
   * What `GET /readyz` answers: a check list such as `[-]etcd failed: reason withheld` makes it answer 500 with it
   * (as a real server whose etcd is gone); undefined makes it ready again. Watches stay open meanwhile, silent.
   */
  setReadyz(body: string | undefined): void {
    this.readyzBody = body;
  }

  /** Ends every open watch abruptly (its connection destroyed, as a network blip would); returns how many. */
  dropWatches(): number {
    return this.store.watches.dropAll();
  }

  /**
   * Forgets the watch history, as an etcd compaction does: resuming from any resourceVersion seen so far answers
   * 410 Expired. The resourceVersion moves on by one so that a list made afterwards can be watched from.
   */
  expireWatchHistory(): void {
    this.store.expireHistory();
  }

  /** Every stored object of a resource (copies), optionally of one namespace. */
  objects(resource: ResourceName, namespace?: string): KubeObject[] {
    return this.store.copies(resource, namespace);
  }

  /** Creates an object as a client would, with the same validation; for seeding ConfigMaps in tests. */
  seed(resource: ResourceName, namespace: string, object: Json): KubeObject {
    return this.api.create(resourceDef(resource), namespace, clone(object));
  }

  /** Deletes an object (with cascade) as a client would; for cleaning up seeded objects. */
  remove(resource: ResourceName, namespace: string, name: string): void {
    const object = this.store.get(resource, namespace, name);
    if (object !== undefined) this.collector.remove(object, true);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: RouteResult;
    let delay = 0;
    try {
      if (request.headers.authorization !== `Bearer ${this.token}`) {
        throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      }
      const url = new URL(request.url ?? '/', 'http://fake');
      const body = await readBody(request);
      try {
        result = route(
          this.targets,
          request.method ?? 'GET',
          url,
          body,
          request.headers['content-type'] ?? '',
        );
      } finally {
        // Read synchronously after route(): no other request can have run in between.
        delay = this.log.takeDelay();
      }
    } catch (error) {
      result = failureAnswer(error);
    }
    if (typeof result !== 'string' && 'watch' in result) {
      if (delay > 0) await pause(delay);
      if (!response.destroyed) this.store.watches.open(result.watch, response);
      return;
    }
    if (typeof result !== 'string' && 'follow' in result) {
      if (delay > 0) await pause(delay);
      if (!response.destroyed) this.logs.openFollow(result.follow, response);
      return;
    }
    // Serialized at once: list bodies share the stored objects (no copy), which may change during a delay.
    const status = typeof result === 'string' ? 200 : result.status;
    const type =
      typeof result === 'string' ? 'text/plain' : 'raw' in result ? result.contentType : 'application/json';
    const payload =
      typeof result === 'string' ? result : 'raw' in result ? result.raw : JSON.stringify(result.body);
    if (delay > 0) await pause(delay);
    if (response.destroyed) return;
    response.writeHead(status, type === undefined ? {} : { 'content-type': type }).end(payload);
  }
}

/** The Status of failure an error answers with (an unexpected one is the fake's own bug, a 500). */
function failureAnswer(error: unknown): { status: number; body: unknown } {
  const failure =
    error instanceof HttpError
      ? error
      : new HttpError(
          500,
          'InternalError',
          `fake API server bug: ${(error as Error).stack ?? String(error)}`,
        );
  return {
    status: failure.status,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: failure.message,
      reason: failure.reason,
      ...(failure.details === undefined ? {} : { details: failure.details }),
      code: failure.status,
    },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'RequestEntityTooLarge', 'Request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
