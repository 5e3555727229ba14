/**
 * A fake Kubernetes API server over real HTTP, strict enough that what it accepts a real one would accept:
 * objects are checked against the official OpenAPI schemas and apimachinery's rules, names, labels and
 * resourceVersions are enforced, deletes cascade along ownerReferences, and Deployments get ReplicaSets and
 * simulated Pods that become ready after a short delay or fail to pull images they are told are missing.
 * Collections can be watched (`?watch=true`) with the real protocol: every change of the store is one event,
 * in resourceVersion order, kept in a bounded history so that a watch can resume; see `emit`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateObject, type Cause, type ResourceName } from './validation.js';

type Json = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Json;
  status?: Json;
  data?: Record<string, string>;
  [key: string]: unknown;
}

interface ResourceDef {
  readonly resource: ResourceName;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const RESOURCES: readonly ResourceDef[] = [
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod' },
  { resource: 'services', group: '', version: 'v1', kind: 'Service' },
  { resource: 'configmaps', group: '', version: 'v1', kind: 'ConfigMap' },
  { resource: 'secrets', group: '', version: 'v1', kind: 'Secret' },
  { resource: 'events', group: '', version: 'v1', kind: 'Event' },
  { resource: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment' },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  { resource: 'ingresses', group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
  { resource: 'routes', group: 'route.openshift.io', version: 'v1', kind: 'Route' },
];

function resourceDef(resource: ResourceName): ResourceDef {
  const def = RESOURCES.find((r) => r.resource === resource);
  if (def === undefined) throw new Error(`unknown resource ${resource}`);
  return def;
}

export type Verb =
  'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'log' | 'proxy' | 'discovery';

export interface RequestRecord {
  readonly verb: Verb;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly labelSelector: string | undefined;
}

export interface Fault {
  readonly verb: Verb;
  readonly resource?: string | undefined;
  /** Fail the nth matching request from now on (1 = the next one). */
  readonly nth?: number | undefined;
  readonly status?: number | undefined;
  readonly message?: string | undefined;
  /** Instead of failing, answer the request (normally) this many milliseconds late. */
  readonly delayMs?: number | undefined;
}

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

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of the store, serialised once when it happens. */
interface StoreEvent {
  readonly rv: number;
  /** `resource/namespace`: the watches it concerns. */
  readonly scope: string;
  readonly type: WatchEventType;
  readonly json: string;
  readonly labels: Record<string, string>;
  /** For a MODIFIED that changed labels: the object before, with the new resourceVersion. */
  readonly before?: { readonly labels: Record<string, string>; readonly json: string } | undefined;
}

/** An answer sent as it is: a proxied backend's, or a 204 without a body or a content type. */
interface RawAnswer {
  readonly status: number;
  readonly raw: string;
  readonly contentType: string | undefined;
}

type RouteResult =
  { status: number; body: unknown } | string | { watch: WatchRequest } | { follow: LogFollow } | RawAnswer;

/** A followed pod log (`follow=true`): the log so far, then each appended line, until the pod goes. */
interface LogFollow {
  /** namespace/pod/container */
  readonly key: string;
  readonly initial: string;
}

/** A parsed watch request, opened once its (possibly delayed) answer starts. */
interface WatchRequest {
  readonly def: ResourceDef;
  readonly namespace: string;
  readonly requirements: Requirement[];
  /** Start after this resourceVersion; undefined: send every current object as ADDED first. */
  readonly resourceVersion: number | undefined;
  readonly bookmarks: boolean;
  readonly timeoutMs: number;
}

interface OpenWatch {
  readonly scope: string;
  readonly def: ResourceDef;
  readonly requirements: Requirement[];
  readonly response: ServerResponse;
  bookmarkTimer?: NodeJS.Timeout | undefined;
  timeoutTimer?: NodeJS.Timeout | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

const MAX_BODY = 3 * 1024 * 1024;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function plural(def: ResourceDef): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

/** One requirement of a label selector: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`. */
type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    let match = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (match) {
      const [, key = '', op, list = ''] = match;
      const values = new Set(list.split(',').map((v) => v.trim()));
      return op === 'in'
        ? (labels) => labels[key] !== undefined && values.has(labels[key])
        : (labels) => labels[key] === undefined || !values.has(labels[key]);
    }
    match = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(part);
    if (match) {
      const [, key = '', op, value = ''] = match;
      return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    match = /^(!?)([^\s!=]+)$/.exec(part);
    if (match) {
      const [, not, key = ''] = match;
      return not === '!' ? (labels) => labels[key] === undefined : (labels) => labels[key] !== undefined;
    }
    throw new HttpError(400, 'BadRequest', `unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: Json = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Strategic merge patch, for the lists that matter here: lists of objects with a `name` merge by name. */
function strategicPatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const keyed = patch.every((item) => isRecord(item) && typeof item.name === 'string');
    if (!keyed) return clone(patch);
    const result = clone(target) as unknown[];
    for (const item of patch as Json[]) {
      const index = result.findIndex((existing) => isRecord(existing) && existing.name === item.name);
      if (index >= 0) result[index] = strategicPatch(result[index], item);
      else result.push(clone(item));
    }
    return result;
  }
  if (!isRecord(patch)) return clone(patch);
  const result: Json = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = strategicPatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch: add, remove, replace, test. */
function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new HttpError(400, 'BadRequest', 'a JSON patch must be an array');
  const document = clone(target);
  for (const op of operations) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new HttpError(400, 'BadRequest', 'invalid JSON patch operation');
    }
    const tokens = pointer(op.path);
    const last = tokens.pop();
    let parent: unknown = document;
    for (const token of tokens) {
      parent = isRecord(parent) ? parent[token] : Array.isArray(parent) ? parent[Number(token)] : undefined;
    }
    if (last === undefined || (!isRecord(parent) && !Array.isArray(parent))) {
      throw new HttpError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: path ${op.path} does not exist`,
      );
    }
    const container = parent as Json;
    switch (op.op) {
      case 'add':
      case 'replace':
        if (op.op === 'replace' && !(last in container)) {
          throw new HttpError(
            422,
            'Invalid',
            `replace operation does not apply: doc is missing key: ${op.path}`,
          );
        }
        if (Array.isArray(parent) && op.op === 'add')
          parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else container[last] = op.value;
        break;
      case 'remove':
        if (!(last in container))
          throw new HttpError(
            422,
            'Invalid',
            `remove operation does not apply: doc is missing path: ${op.path}`,
          );
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else Reflect.deleteProperty(container, last);
        break;
      case 'test':
        if (JSON.stringify(container[last]) !== JSON.stringify(op.value)) {
          throw new HttpError(422, 'Invalid', `testing value ${op.path} failed`);
        }
        break;
      default:
        throw new HttpError(400, 'BadRequest', `unsupported JSON patch operation ${op.op}`);
    }
  }
  return document;
}

function hash(value: unknown, length: number): string {
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length] ?? 'b';
  return out;
}

function randomSuffix(): string {
  return hash(randomUUID(), 5);
}

/** The Service a Spark master URL names: `spark://<service>[.<namespace>...]:<port>` -> `<service>`. */
function masterService(url: string): string | undefined {
  return /^spark:\/\/([^.:/]+)/.exec(url)?.[1];
}

/** The arguments a pod's first container runs (its command, then its args). */
function commandOf(pod: KubeObject): string[] {
  const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as Json[]) : [];
  const container = containers[0] ?? {};
  return [
    ...(Array.isArray(container.command) ? container.command.map(String) : []),
    ...(Array.isArray(container.args) ? container.args.map(String) : []),
  ];
}

function isReady(pod: KubeObject): boolean {
  const conditions = Array.isArray(pod.status?.conditions) ? (pod.status.conditions as Json[]) : [];
  return (
    pod.metadata.deletionTimestamp === undefined &&
    conditions.some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function podIp(pod: KubeObject): string {
  return typeof pod.status?.podIP === 'string' ? pod.status.podIP : '';
}

export class FakeKubeServer {
  readonly requests: RequestRecord[] = [];
  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  readonly missingImages = new Set<string>();
  /** Label selectors: pods created while one matches their labels are never scheduled (no node has room). */
  readonly unschedulable = new Set<string>();
  /** Services through which Spark workers fail to reach their master (`setWorkersRegistered`). */
  private readonly unreachableMasters = new Set<string>();
  private readonly store = new Map<string, KubeObject>();
  private readonly namespaces: Set<string>;
  private readyzBody: string | undefined;
  private readonly faults: { fault: Fault; remaining: number }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resourceVersion = 1000;
  private pendingDelay = 0;
  private podCounter = 0;
  private readonly token: string;
  private readonly openshift: boolean;
  private readonly apiGroups: readonly string[];
  private readonly podStartMs: number;
  private readonly podStopMs: number;
  private readonly watchHistory: number;
  private readonly watchBookmarkMs: number;
  private readonly watchTimeoutSeconds: number | undefined;
  /** Store events in resourceVersion order; every event after `historyFloor` is in it. */
  private history: StoreEvent[] = [];
  private historyFloor = this.resourceVersion;
  private readonly watches = new Map<string, Set<OpenWatch>>();
  /** Lines written to a container's log after its start (`appendPodLog`), by namespace/pod/container. */
  private readonly podLogLines = new Map<string, string[]>();
  /** The log of a container's previous instance (`restartContainer`), by namespace/pod/container. */
  private readonly previousLogs = new Map<string, string>();
  /** Open followed logs, by namespace/pod/container. */
  private readonly logFollows = new Map<string, Set<ServerResponse>>();

  private constructor(
    private readonly server: Server,
    options: FakeKubeOptions,
  ) {
    this.namespaces = new Set(options.namespaces ?? ['default']);
    this.token = options.token ?? 'fake-token';
    this.openshift = options.openshift ?? false;
    this.apiGroups = options.apiGroups ?? [];
    this.podStartMs = options.podStartMs ?? 30;
    this.podStopMs = options.podStopMs ?? 0;
    this.watchHistory = options.watchHistory ?? 10_000;
    this.watchBookmarkMs = options.watchBookmarkMs ?? 1000;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds;
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

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.dropWatches();
    this.endLogFollows(() => true);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Makes the nth next request matching `verb` (and `resource`) fail with `status`, or answer late (`delayMs`). */
  failRequest(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.nth ?? 1 });
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
    if (registered) this.unreachableMasters.delete(service);
    else this.unreachableMasters.add(service);
  }

  /** How many watches are open, of one resource or of all; tests wait on it until a client watches. */
  openWatches(resource?: ResourceName): number {
    let count = 0;
    for (const set of this.watches.values()) {
      for (const watch of set) if (resource === undefined || watch.def.resource === resource) count++;
    }
    return count;
  }

  /** Writes a line to a container's log, as the container would; followers of the log get it at once. */
  appendPodLog(namespace: string, pod: string, line: string, container = 'spark'): void {
    const key = `${namespace}/${pod}/${container}`;
    const lines = this.podLogLines.get(key) ?? [];
    lines.push(line);
    this.podLogLines.set(key, lines);
    for (const response of this.logFollows.get(key) ?? []) response.write(`${line}\n`);
  }

  /**
   * Restarts a container as the kubelet does after it ended: its log so far becomes the previous instance's
   * (`previous=true`), its status gets `lastState.terminated` and one more restart, and its followers' streams end.
   */
  restartContainer(namespace: string, pod: string, container = 'spark'): void {
    const object = this.store.get(this.key('pods', namespace, pod));
    if (object === undefined) throw new Error(`no pod ${namespace}/${pod}`);
    const key = `${namespace}/${pod}/${container}`;
    this.previousLogs.set(key, this.logText(object, container));
    this.podLogLines.delete(key);
    this.endLogFollows((candidate) => candidate === key);
    this.setContainers(object, (c) =>
      c.name !== container
        ? c
        : {
            ...c,
            restartCount: (typeof c.restartCount === 'number' ? c.restartCount : 0) + 1,
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
    );
  }

  /** How many pod logs are followed now; tests wait on it until a client follows, and until it stops. */
  openLogFollows(): number {
    let count = 0;
    for (const set of this.logFollows.values()) count += set.size;
    return count;
  }

  /** Ends every open watch abruptly (its connection destroyed, as a network blip would); returns how many. */
  /**
   * What `GET /readyz` answers: a check list such as `[-]etcd failed: reason withheld` makes it answer 500 with it
   * (as a real server whose etcd is gone); undefined makes it ready again. Watches stay open meanwhile, silent.
   */
  setReadyz(body: string | undefined): void {
    this.readyzBody = body;
  }

  dropWatches(): number {
    let count = 0;
    for (const set of [...this.watches.values()]) {
      for (const watch of [...set]) {
        this.endWatch(watch, true);
        count++;
      }
    }
    return count;
  }

  /**
   * Forgets the watch history, as an etcd compaction does: resuming from any resourceVersion seen so far answers
   * 410 Expired. The resourceVersion moves on by one so that a list made afterwards can be watched from.
   */
  expireWatchHistory(): void {
    this.resourceVersion += 1;
    this.history = [];
    this.historyFloor = this.resourceVersion;
  }

  /** Every stored object of a resource (copies), optionally of one namespace. */
  objects(resource: ResourceName, namespace?: string): KubeObject[] {
    return [...this.store.values()]
      .filter(
        (o) =>
          this.resourceOf(o) === resource && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .map((o) => clone(o));
  }

  /** Creates an object as a client would, with the same validation; for seeding ConfigMaps in tests. */
  seed(resource: ResourceName, namespace: string, object: Json): KubeObject {
    const def = RESOURCES.find((r) => r.resource === resource);
    if (def === undefined) throw new Error(`unknown resource ${resource}`);
    return this.create(def, namespace, clone(object));
  }

  /** Deletes an object (with cascade) as a client would; for cleaning up seeded objects. */
  remove(resource: ResourceName, namespace: string, name: string): void {
    const object = this.store.get(this.key(resource, namespace, name));
    if (object !== undefined) this.removeObject(object, true);
  }

  private resourceOf(object: KubeObject): ResourceName | undefined {
    return RESOURCES.find(
      (r) =>
        r.kind === object.kind && (r.group === '' ? 'v1' : `${r.group}/${r.version}`) === object.apiVersion,
    )?.resource;
  }

  private key(resource: string, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  private nextVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private resources(): readonly ResourceDef[] {
    return RESOURCES.filter((r) => this.openshift || r.group !== 'route.openshift.io');
  }

  // ---- HTTP ----

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: RouteResult;
    let delay = 0;
    try {
      if (request.headers.authorization !== `Bearer ${this.token}`) {
        throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      }
      const url = new URL(request.url ?? '/', 'http://fake');
      const body = await this.readBody(request);
      this.pendingDelay = 0;
      try {
        result = this.route(request.method ?? 'GET', url, body, request.headers['content-type'] ?? '');
      } finally {
        // Read synchronously after route(): no other request can have run in between.
        delay = this.pendingDelay;
      }
    } catch (error) {
      const failure =
        error instanceof HttpError
          ? error
          : new HttpError(
              500,
              'InternalError',
              `fake API server bug: ${(error as Error).stack ?? String(error)}`,
            );
      result = {
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
    if (typeof result !== 'string' && 'watch' in result) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (!response.destroyed) this.openWatch(result.watch, response);
      return;
    }
    if (typeof result !== 'string' && 'follow' in result) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (!response.destroyed) this.openLogFollow(result.follow, response);
      return;
    }
    // Serialized at once: list bodies share the stored objects (no copy), which may change during a delay.
    const status = typeof result === 'string' ? 200 : result.status;
    const type =
      typeof result === 'string' ? 'text/plain' : 'raw' in result ? result.contentType : 'application/json';
    const payload =
      typeof result === 'string' ? result : 'raw' in result ? result.raw : JSON.stringify(result.body);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (response.destroyed) return;
    response.writeHead(status, type === undefined ? {} : { 'content-type': type }).end(payload);
  }

  private async readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) throw new HttpError(413, 'RequestEntityTooLarge', 'Request entity too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private record(record: RequestRecord): void {
    this.requests.push(record);
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.remaining <= 0 || fault.verb !== record.verb) continue;
      if (fault.resource !== undefined && fault.resource !== record.resource) continue;
      entry.remaining -= 1;
      if (entry.remaining === 0 && fault.delayMs !== undefined) {
        this.pendingDelay = fault.delayMs;
      } else if (entry.remaining === 0) {
        const status = fault.status ?? 500;
        throw new HttpError(
          status,
          status === 500 ? 'InternalError' : 'Injected',
          fault.message ?? `injected failure of ${record.verb} ${record.resource}`,
        );
      }
    }
  }

  private route(method: string, url: URL, rawBody: string, contentType: string): RouteResult {
    const path = url.pathname.replace(/\/+$/, '');
    // The service proxy: `/api/v1/namespaces/<ns>/services/[scheme:]<name>[:port]/proxy/<path>`.
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/.exec(url.pathname);
    if (proxy !== null) {
      const [, namespace = '', id = '', rest = '/'] = proxy;
      const name = decodeURIComponent(id);
      this.record({ verb: 'proxy', resource: 'services', namespace, name, labelSelector: undefined });
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `${method} is not proxied here`);
      return this.serviceProxy(namespace, name, rest);
    }
    if (path === '/api') {
      this.record({
        verb: 'discovery',
        resource: 'api',
        namespace: undefined,
        name: undefined,
        labelSelector: undefined,
      });
      return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
    }
    if (path === '/apis') {
      this.record({
        verb: 'discovery',
        resource: 'apis',
        namespace: undefined,
        name: undefined,
        labelSelector: undefined,
      });
      const groups = [
        ...new Set([
          ...this.resources()
            .filter((r) => r.group !== '')
            .map((r) => r.group),
          ...this.apiGroups,
        ]),
      ].map((name) => ({
        name,
        versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
      }));
      return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups } };
    }
    if (path === '/readyz') {
      // Not recorded: the driver asks it on a timer, whatever the reads.
      return this.readyzBody === undefined
        ? { status: 200, raw: 'ok', contentType: 'text/plain' }
        : { status: 500, raw: this.readyzBody, contentType: 'text/plain' };
    }
    if (path === '/version')
      return { status: 200, body: { major: '1', minor: '33', gitVersion: 'v1.33.0-fake' } };

    const match =
      /^\/api\/v1\/namespaces\/([^/]+)(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?$/.exec(path) ??
      /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(path);
    if (match === null)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const core = path.startsWith('/api/');
    const [group, version, namespace, resourceName, name, sub] = core
      ? ['', 'v1', match[1], match[2], match[3], match[4]]
      : [match[1], match[2], match[3], match[4], match[5], match[6]];
    if (namespace === undefined)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (resourceName === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
      this.record({
        verb: 'get',
        resource: 'namespaces',
        namespace: undefined,
        name: namespace,
        labelSelector: undefined,
      });
      if (!this.namespaces.has(namespace))
        throw new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, {
          name: namespace,
          kind: 'namespaces',
        });
      return {
        status: 200,
        body: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: namespace },
          status: { phase: 'Active' },
        },
      };
    }
    const def = this.resources().find(
      (r) => r.resource === resourceName && r.group === group && r.version === version,
    );
    if (def === undefined)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    const parse = (): Json => {
      if (!contentType.includes('json')) {
        throw new HttpError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json (got ${contentType})`,
        );
      }
      let value: unknown;
      try {
        value = JSON.parse(rawBody);
      } catch (error) {
        throw new HttpError(400, 'BadRequest', `the request body is not JSON: ${(error as Error).message}`);
      }
      if (!isRecord(value) && !Array.isArray(value))
        throw new HttpError(400, 'BadRequest', 'the request body must be an object');
      return value as Json;
    };

    if (name === undefined) {
      const watch = url.searchParams.get('watch');
      if (method === 'GET' && (watch === 'true' || watch === '1')) {
        this.record({ verb: 'watch', resource: def.resource, namespace, name, labelSelector });
        return { watch: this.watchRequest(def, namespace, url.searchParams) };
      }
      if (method === 'GET') {
        this.record({ verb: 'list', resource: def.resource, namespace, name, labelSelector });
        return { status: 200, body: this.list(def, namespace, labelSelector) };
      }
      if (method === 'POST') {
        this.record({ verb: 'create', resource: def.resource, namespace, name, labelSelector });
        return { status: 201, body: this.create(def, namespace, parse()) };
      }
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on a collection here`);
    }
    if (sub === 'log' && def.resource === 'pods' && method === 'GET') {
      this.record({ verb: 'log', resource: 'pods', namespace, name, labelSelector });
      return this.podLog(namespace, name, url.searchParams);
    }
    if (sub !== undefined)
      throw new HttpError(404, 'NotFound', `the fake API server has no subresource ${sub}`);
    switch (method) {
      case 'GET':
        this.record({ verb: 'get', resource: def.resource, namespace, name, labelSelector });
        return { status: 200, body: this.get(def, namespace, name) };
      case 'PUT':
        this.record({ verb: 'update', resource: def.resource, namespace, name, labelSelector });
        return { status: 200, body: this.replace(def, namespace, name, parse()) };
      case 'PATCH':
        this.record({ verb: 'patch', resource: def.resource, namespace, name, labelSelector });
        return { status: 200, body: this.patch(def, namespace, name, parse(), contentType) };
      case 'DELETE': {
        this.record({ verb: 'delete', resource: def.resource, namespace, name, labelSelector });
        const options = rawBody.trim() === '' ? {} : parse();
        const policy =
          url.searchParams.get('propagationPolicy') ??
          (typeof options.propagationPolicy === 'string' ? options.propagationPolicy : 'Background');
        return { status: 200, body: this.deleteOne(def, namespace, name, policy) };
      }
      default:
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed`);
    }
  }

  // ---- REST semantics ----

  private notFound(def: ResourceDef, name: string): HttpError {
    return new HttpError(404, 'NotFound', `${plural(def)} "${name}" not found`, {
      name,
      group: def.group,
      kind: def.resource,
    });
  }

  private list(def: ResourceDef, namespace: string, labelSelector: string | undefined): Json {
    const requirements = labelSelector === undefined ? [] : parseLabelSelector(labelSelector);
    const items = [...this.store.values()]
      .filter((o) => this.resourceOf(o) === def.resource && o.metadata.namespace === namespace)
      .filter((o) => requirements.every((matches) => matches(o.metadata.labels ?? {})))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return {
      kind: `${def.kind}List`,
      apiVersion: def.group === '' ? 'v1' : `${def.group}/${def.version}`,
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  }

  private get(def: ResourceDef, namespace: string, name: string): KubeObject {
    const object = this.store.get(this.key(def.resource, namespace, name));
    if (object === undefined) throw this.notFound(def, name);
    return clone(object);
  }

  private invalid(def: ResourceDef, name: string, causes: readonly Cause[]): HttpError {
    const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new HttpError(
      422,
      'Invalid',
      `${def.kind}${def.group === '' ? '' : `.${def.group}`} "${name}" is invalid: ${summary}`,
      {
        name,
        group: def.group,
        kind: def.kind,
        causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
      },
    );
  }

  private checkTypeMeta(def: ResourceDef, body: Json): void {
    const apiVersion = def.group === '' ? 'v1' : `${def.group}/${def.version}`;
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw new HttpError(
        400,
        'BadRequest',
        `the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw new HttpError(
        400,
        'BadRequest',
        `the kind in the data (${JSON.stringify(body.kind)}) does not match the expected kind (${def.kind})`,
      );
    }
  }

  private create(def: ResourceDef, namespace: string, body: Json): KubeObject {
    this.checkTypeMeta(def, body);
    if (!this.namespaces.has(namespace)) {
      throw new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: 'namespaces',
      });
    }
    const meta = isRecord(body.metadata) ? body.metadata : {};
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw new HttpError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw new HttpError(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
    }
    let name = typeof meta.name === 'string' ? meta.name : '';
    if (name === '' && typeof meta.generateName === 'string') name = `${meta.generateName}${randomSuffix()}`;
    const causes = validateObject(def.resource, { ...body, metadata: { ...meta, name } });
    if (causes.length > 0) throw this.invalid(def, name, causes);
    const key = this.key(def.resource, namespace, name);
    if (this.store.has(key)) {
      throw new HttpError(409, 'AlreadyExists', `${plural(def)} "${name}" already exists`, {
        name,
        group: def.group,
        kind: def.resource,
      });
    }
    const object: KubeObject = {
      ...clone(body),
      apiVersion: def.group === '' ? 'v1' : `${def.group}/${def.version}`,
      kind: def.kind,
      metadata: {
        ...(clone(meta) as Partial<ObjectMeta>),
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        ...(def.resource === 'deployments' || def.resource === 'replicasets' ? { generation: 1 } : {}),
      },
    };
    delete object.status;
    this.defaults(def, object);
    this.store.set(key, object);
    this.emit('ADDED', def.resource, object);
    this.afterChange(def, object);
    return clone(this.store.get(key) ?? object);
  }

  /** Fields the real API server fills in. */
  private defaults(def: ResourceDef, object: KubeObject): void {
    if (def.resource === 'services') {
      const spec = object.spec ?? {};
      if (spec.clusterIP === undefined) {
        const n = this.store.size;
        spec.clusterIP = `172.30.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.type ??= 'ClusterIP';
      object.spec = spec;
    }
    if (def.resource === 'routes') {
      const spec = object.spec ?? {};
      if (typeof spec.host !== 'string' || spec.host === '')
        spec.host = `${object.metadata.name}-${object.metadata.namespace}.apps.fake.test`;
      object.spec = spec;
      object.status = {
        ingress: [
          { host: spec.host, routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] },
        ],
      };
    }
    if (def.resource === 'deployments') {
      const spec = object.spec ?? {};
      spec.replicas ??= 1;
      object.spec = spec;
    }
  }

  private replace(def: ResourceDef, namespace: string, name: string, body: Json): KubeObject {
    this.checkTypeMeta(def, body);
    const current = this.store.get(this.key(def.resource, namespace, name));
    if (current === undefined) throw this.notFound(def, name);
    const meta = isRecord(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    if (
      typeof meta.resourceVersion === 'string' &&
      meta.resourceVersion !== '' &&
      meta.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${plural(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: def.group, kind: def.resource },
      );
    }
    return this.store_update(def, current, body);
  }

  private patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    contentType: string,
  ): KubeObject {
    const current = this.store.get(this.key(def.resource, namespace, name));
    if (current === undefined) throw this.notFound(def, name);
    let patched: unknown;
    if (contentType.startsWith('application/json-patch+json')) patched = jsonPatch(current, body);
    else if (contentType.startsWith('application/merge-patch+json')) patched = mergePatch(current, body);
    else if (contentType.startsWith('application/strategic-merge-patch+json')) {
      if (def.resource === 'routes')
        throw new HttpError(
          415,
          'UnsupportedMediaType',
          'strategic merge patch is not supported for custom resources',
        );
      patched = strategicPatch(current, body);
    } else
      throw new HttpError(
        415,
        'UnsupportedMediaType',
        `the fake API server does not support patch type ${contentType}`,
      );
    if (!isRecord(patched)) throw new HttpError(422, 'Invalid', 'the patched object is not an object');
    const meta = isRecord(patched.metadata) ? patched.metadata : {};
    if (meta.resourceVersion !== current.metadata.resourceVersion) {
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${plural(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return this.store_update(def, current, patched);
  }

  private store_update(def: ResourceDef, current: KubeObject, body: Json): KubeObject {
    const meta = isRecord(body.metadata) ? body.metadata : {};
    const causes = validateObject(def.resource, {
      ...body,
      metadata: { ...meta, name: current.metadata.name },
    });
    if (def.resource === 'deployments' || def.resource === 'replicasets') {
      const before = JSON.stringify(current.spec?.selector);
      const after = JSON.stringify((isRecord(body.spec) ? body.spec : {}).selector);
      if (before !== after)
        causes.push({
          field: 'spec.selector',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: field is immutable',
        });
    }
    if (causes.length > 0) throw this.invalid(def, current.metadata.name, causes);
    const specChanged = JSON.stringify(current.spec) !== JSON.stringify(body.spec);
    const next: KubeObject = {
      ...clone(body),
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: {
        ...(clone(meta) as Partial<ObjectMeta>),
        name: current.metadata.name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: this.nextVersion(),
        ...(current.metadata.generation === undefined
          ? {}
          : { generation: current.metadata.generation + (specChanged ? 1 : 0) }),
      },
      // Status is the server's: a client write of the main resource does not change it.
      ...(current.status === undefined ? {} : { status: clone(current.status) }),
    };
    this.store.set(this.key(def.resource, current.metadata.namespace, current.metadata.name), next);
    this.emit('MODIFIED', def.resource, next, current);
    this.afterChange(def, next);
    return clone(
      this.store.get(this.key(def.resource, current.metadata.namespace, current.metadata.name)) ?? next,
    );
  }

  private deleteOne(def: ResourceDef, namespace: string, name: string, policy: string): Json {
    const object = this.store.get(this.key(def.resource, namespace, name));
    if (object === undefined) throw this.notFound(def, name);
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw new HttpError(422, 'Invalid', `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
    }
    this.removeObject(object, policy !== 'Orphan', policy === 'Foreground');
    const stays = this.store.get(this.key(def.resource, namespace, name));
    // As the API server: an object that waits for its dependents (or its grace period) comes back, deleting.
    if (stays !== undefined) return clone(stays);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: def.group, kind: def.resource, uid: object.metadata.uid },
    };
  }

  /**
   * Removes an object and, as the garbage collector does, everything that it owns. With `podStopMs`, a pod first
   * stops for that long, and a `foreground` delete keeps the owner until its dependents are gone.
   */
  private removeObject(object: KubeObject, cascade: boolean, foreground = false): void {
    const resource = this.resourceOf(object);
    if (resource === undefined) return;
    const key = this.key(resource, object.metadata.namespace, object.metadata.name);
    if (this.podStopMs > 0 && this.store.get(key) === object) {
      if (resource === 'pods') {
        this.stopPod(object);
        return;
      }
      if (foreground && cascade && this.dependentsOf(object).length > 0) {
        if (object.metadata.deletionTimestamp === undefined) {
          this.markDeleting(object, ['foregroundDeletion']);
          for (const dependent of this.dependentsOf(object)) this.removeObject(dependent, true, true);
        }
        if (this.dependentsOf(object).length > 0) return;
      }
    }
    this.erase(object, resource, cascade);
  }

  /** Objects whose ownerReferences name `owner`. */
  private dependentsOf(owner: KubeObject): KubeObject[] {
    const uid = owner.metadata.uid;
    return [...this.store.values()].filter((other) =>
      (other.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid),
    );
  }

  private markDeleting(object: KubeObject, finalizers: string[]): void {
    object.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (finalizers.length > 0) object.metadata.finalizers = finalizers;
    this.touch(object);
  }

  /** A deleted pod: Terminating for `podStopMs`, then gone; its ReplicaSet replaces it meanwhile, as kubelet and the controller do. */
  private stopPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp !== undefined) return;
    pod.metadata.deletionGracePeriodSeconds = Math.ceil(this.podStopMs / 1000);
    this.markDeleting(pod, []);
    this.replaceInReplicaSet(pod);
    this.later(() => {
      if (this.store.get(this.key('pods', pod.metadata.namespace, pod.metadata.name)) === pod) {
        this.erase(pod, 'pods', true);
      }
    }, this.podStopMs);
  }

  private erase(object: KubeObject, resource: ResourceName, cascade: boolean): void {
    if (!this.store.delete(this.key(resource, object.metadata.namespace, object.metadata.name))) return;
    // A pod's logs end with it (the kubelet closes followed logs when the container stops).
    if (resource === 'pods') {
      const prefix = `${object.metadata.namespace}/${object.metadata.name}/`;
      this.endLogFollows((key) => key.startsWith(prefix));
    }
    // The last state, with the resourceVersion of its deletion.
    this.emit('DELETED', resource, {
      ...object,
      metadata: { ...object.metadata, resourceVersion: this.nextVersion() },
    });
    const uid = object.metadata.uid;
    for (const other of [...this.store.values()]) {
      const refs = other.metadata.ownerReferences ?? [];
      if (!refs.some((ref) => ref.uid === uid)) continue;
      if (cascade) this.removeObject(other, true);
      else {
        other.metadata.ownerReferences = refs.filter((ref) => ref.uid !== uid);
        this.touch(other);
      }
    }
    // A pod deleted on its own is replaced by its ReplicaSet, as the controller would.
    if (resource === 'pods') this.replaceInReplicaSet(object);
    // Owners deleted in the foreground go once the last of their dependents has.
    for (const ref of object.metadata.ownerReferences ?? []) {
      const owner = [...this.store.values()].find((o) => o.metadata.uid === ref.uid);
      const ownerResource = owner === undefined ? undefined : this.resourceOf(owner);
      if (
        owner !== undefined &&
        ownerResource !== undefined &&
        owner.metadata.finalizers?.includes('foregroundDeletion') === true &&
        this.dependentsOf(owner).length === 0
      ) {
        this.erase(owner, ownerResource, true);
      }
    }
  }

  private replaceInReplicaSet(pod: KubeObject): void {
    const owner = (pod.metadata.ownerReferences ?? []).find((ref) => ref.kind === 'ReplicaSet');
    const rs =
      owner === undefined
        ? undefined
        : this.store.get(this.key('replicasets', pod.metadata.namespace, owner.name));
    if (rs !== undefined) this.reconcileReplicaSet(rs);
  }

  // ---- watches ----

  /** Bumps an object changed in place (by a controller) to a new resourceVersion and tells the watches. */
  private touch(object: KubeObject): void {
    object.metadata.resourceVersion = this.nextVersion();
    const resource = this.resourceOf(object);
    if (resource !== undefined) this.emit('MODIFIED', resource, object);
  }

  /**
   * The one place a change of the store becomes a watch event: called right after each new resourceVersion,
   * so that events are in resourceVersion order. `before` (for MODIFIED) is the previous object, needed when the
   * labels changed: a watch whose selector it leaves gets DELETED, one it enters gets ADDED.
   */
  private emit(type: WatchEventType, resource: ResourceName, object: KubeObject, before?: KubeObject): void {
    const rv = Number(object.metadata.resourceVersion);
    const labels = { ...(object.metadata.labels ?? {}) };
    const beforeLabels = before?.metadata.labels ?? {};
    const relabelled =
      before !== undefined && JSON.stringify(beforeLabels) !== JSON.stringify(object.metadata.labels ?? {});
    const event: StoreEvent = {
      rv,
      scope: `${resource}/${object.metadata.namespace}`,
      type,
      json: JSON.stringify(object),
      labels,
      before: relabelled
        ? {
            labels: { ...beforeLabels },
            json: JSON.stringify({
              ...before,
              metadata: { ...before.metadata, resourceVersion: String(rv) },
            }),
          }
        : undefined,
    };
    this.history.push(event);
    // Trimmed in batches (keeping at least watchHistory events) so that each event costs O(1).
    if (this.history.length > this.watchHistory + Math.ceil(this.watchHistory / 4)) {
      const drop = this.history.length - this.watchHistory;
      this.historyFloor = this.history[drop - 1]?.rv ?? this.historyFloor;
      this.history = this.history.slice(drop);
    }
    for (const watch of this.watches.get(event.scope) ?? []) {
      const line = this.watchLine(watch, event);
      if (line !== undefined) watch.response.write(line);
    }
  }

  /** What a watch is sent for an event, given its label selector; undefined when nothing. */
  private watchLine(watch: OpenWatch, event: StoreEvent): string | undefined {
    const selected = (labels: Record<string, string>) =>
      watch.requirements.every((matches) => matches(labels));
    const now = selected(event.labels);
    if (event.before === undefined) {
      return now ? `{"type":"${event.type}","object":${event.json}}\n` : undefined;
    }
    const was = selected(event.before.labels);
    if (now) return `{"type":"${was ? event.type : 'ADDED'}","object":${event.json}}\n`;
    return was ? `{"type":"DELETED","object":${event.before.json}}\n` : undefined;
  }

  private watchRequest(def: ResourceDef, namespace: string, query: URLSearchParams): WatchRequest {
    const labelSelector = query.get('labelSelector');
    const requirements = labelSelector === null ? [] : parseLabelSelector(labelSelector);
    const rvText = query.get('resourceVersion') ?? '';
    if (rvText !== '' && !/^\d+$/.test(rvText)) {
      throw new HttpError(400, 'BadRequest', `invalid resource version: ${JSON.stringify(rvText)}`);
    }
    const timeoutText = query.get('timeoutSeconds') ?? '';
    if (timeoutText !== '' && !/^\d+$/.test(timeoutText)) {
      throw new HttpError(400, 'BadRequest', `timeoutSeconds: invalid value ${JSON.stringify(timeoutText)}`);
    }
    const timeoutSeconds =
      timeoutText !== '' && timeoutText !== '0'
        ? Number(timeoutText)
        : (this.watchTimeoutSeconds ?? 300 * (1 + Math.random()));
    return {
      def,
      namespace,
      requirements,
      resourceVersion: rvText === '' || rvText === '0' ? undefined : Number(rvText),
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      timeoutMs: timeoutSeconds * 1000,
    };
  }

  private openWatch(request: WatchRequest, response: ServerResponse): void {
    const { def, namespace, requirements } = request;
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // A client knows its watch is established only once it has the headers.
    response.flushHeaders();
    const since = request.resourceVersion;
    if (since !== undefined && since < this.historyFloor) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${String(since)} (${String(this.historyFloor)})`,
        reason: 'Expired',
        code: 410,
      };
      response.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    const scope = `${def.resource}/${namespace}`;
    const watch: OpenWatch = { scope, def, requirements, response };
    let initial = '';
    if (since === undefined) {
      const objects = [...this.store.values()]
        .filter((o) => this.resourceOf(o) === def.resource && o.metadata.namespace === namespace)
        .filter((o) => requirements.every((matches) => matches(o.metadata.labels ?? {})))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      for (const object of objects) initial += `{"type":"ADDED","object":${JSON.stringify(object)}}\n`;
    } else {
      // The first kept event after `since`: history is in resourceVersion order.
      let low = 0;
      let high = this.history.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if ((this.history[middle]?.rv ?? 0) <= since) low = middle + 1;
        else high = middle;
      }
      for (const event of this.history.slice(low)) {
        if (event.scope === scope) initial += this.watchLine(watch, event) ?? '';
      }
    }
    if (initial !== '') response.write(initial);
    let set = this.watches.get(scope);
    if (set === undefined) {
      set = new Set();
      this.watches.set(scope, set);
    }
    set.add(watch);
    response.on('close', () => {
      this.endWatch(watch, true);
    });
    watch.timeoutTimer = setTimeout(() => {
      this.endWatch(watch, false);
    }, request.timeoutMs);
    if (request.bookmarks) {
      const apiVersion = def.group === '' ? 'v1' : `${def.group}/${def.version}`;
      const bookmark = (delay: number) => {
        watch.bookmarkTimer = setTimeout(() => {
          // Every event up to the current resourceVersion has been written to this watch already.
          const object = {
            kind: def.kind,
            apiVersion,
            metadata: { resourceVersion: String(this.resourceVersion) },
          };
          response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
          bookmark(this.watchBookmarkMs);
        }, delay);
      };
      bookmark(Math.min(this.watchBookmarkMs, 50));
    }
  }

  /** Closes a watch: cleanly (the stream ends, as on timeout) or abruptly (its connection destroyed). */
  private endWatch(watch: OpenWatch, abrupt: boolean): void {
    clearTimeout(watch.timeoutTimer);
    clearTimeout(watch.bookmarkTimer);
    const set = this.watches.get(watch.scope);
    if (set?.delete(watch) !== true) return;
    if (set.size === 0) this.watches.delete(watch.scope);
    if (abrupt) watch.response.destroy();
    else watch.response.end();
  }

  // ---- controllers ----

  private afterChange(def: ResourceDef, object: KubeObject): void {
    if (def.resource === 'deployments') this.reconcileDeployment(object);
    else if (def.resource === 'replicasets') this.reconcileReplicaSet(object);
  }

  private reconcileDeployment(deployment: KubeObject): void {
    // As the deployment controller: a Deployment being deleted only has its status kept up to date.
    if (deployment.metadata.deletionTimestamp !== undefined) {
      this.updateDeploymentStatus(deployment.metadata.namespace, deployment.metadata.name);
      return;
    }
    const spec = deployment.spec ?? {};
    const template = isRecord(spec.template) ? spec.template : {};
    const templateHash = hash(template, 10);
    const { namespace, name } = deployment.metadata;
    const owned = [...this.store.values()].filter(
      (o) =>
        o.kind === 'ReplicaSet' &&
        (o.metadata.ownerReferences ?? []).some((ref) => ref.uid === deployment.metadata.uid),
    );
    for (const old of owned) {
      if (old.metadata.labels?.['pod-template-hash'] !== templateHash) this.removeObject(old, true);
    }
    const rsName = `${name}-${templateHash}`;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const existing = this.store.get(this.key('replicasets', namespace, rsName));
    if (existing === undefined) {
      const templateMeta = isRecord(template.metadata) ? template.metadata : {};
      const labels = {
        ...(isRecord(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {}),
        'pod-template-hash': templateHash,
      };
      const selector = isRecord(spec.selector) ? spec.selector : {};
      this.create(resourceDef('replicasets'), namespace, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          labels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: deployment.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas,
          selector: {
            matchLabels: {
              ...(isRecord(selector.matchLabels) ? selector.matchLabels : {}),
              'pod-template-hash': templateHash,
            },
          },
          template: { ...template, metadata: { ...templateMeta, labels } },
        },
      });
    } else if (existing.spec?.replicas !== replicas) {
      existing.spec = { ...existing.spec, replicas };
      this.touch(existing);
      this.reconcileReplicaSet(existing);
    }
    this.updateDeploymentStatus(deployment.metadata.namespace, deployment.metadata.name);
  }

  /** The pods of a ReplicaSet that count toward its replicas: not those already stopping. */
  private podsOf(owner: KubeObject): KubeObject[] {
    return [...this.store.values()].filter(
      (o) =>
        o.kind === 'Pod' &&
        o.metadata.deletionTimestamp === undefined &&
        (o.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid),
    );
  }

  private reconcileReplicaSet(rs: KubeObject): void {
    const spec = rs.spec ?? {};
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const pods = this.podsOf(rs).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    for (const extra of pods.slice(replicas).reverse()) this.removeObject(extra, true);
    // A ReplicaSet being deleted starts no pods.
    if (rs.metadata.deletionTimestamp !== undefined) return;
    const template = isRecord(spec.template) ? spec.template : {};
    const templateMeta = isRecord(template.metadata) ? template.metadata : {};
    const podLabels = isRecord(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {};
    const schedulable = ![...this.unschedulable].some((selector) =>
      parseLabelSelector(selector).every((matches) => matches(podLabels)),
    );
    for (let i = pods.length; i < replicas; i++) {
      const podSpec = clone(isRecord(template.spec) ? template.spec : {});
      const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as Json[]) : [];
      const pod = this.create(resourceDef('pods'), rs.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`,
          labels: isRecord(templateMeta.labels) ? templateMeta.labels : {},
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: rs.metadata.name,
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { ...podSpec, ...(schedulable ? { nodeName: 'fake-node' } : {}), restartPolicy: 'Always' },
      });
      const stored = this.store.get(this.key('pods', pod.metadata.namespace, pod.metadata.name));
      if (stored === undefined) continue;
      if (!schedulable) {
        const message = '0/1 nodes are available: 1 Insufficient cpu.';
        stored.status = {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
        };
        this.touch(stored);
        this.event(stored, 'Warning', 'FailedScheduling', message);
        continue;
      }
      stored.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
      };
      this.touch(stored);
      this.later(() => {
        this.startPod(stored.metadata.namespace, stored.metadata.name);
      });
    }
    const deploymentRef = (rs.metadata.ownerReferences ?? []).find((ref) => ref.kind === 'Deployment');
    if (deploymentRef !== undefined) this.updateDeploymentStatus(rs.metadata.namespace, deploymentRef.name);
  }

  private later(work: () => void, delay = this.podStartMs): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, delay);
    this.timers.add(timer);
  }

  private event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const name = `${pod.metadata.name}.${hash(randomUUID(), 8)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name,
        namespace: pod.metadata.namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        creationTimestamp: now,
      },
      involvedObject: {
        kind: 'Pod',
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        uid: pod.metadata.uid,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kubelet', host: 'fake-node' },
    };
    this.store.set(this.key('events', pod.metadata.namespace, name), event);
    this.emit('ADDED', 'events', event);
  }

  private startPod(namespace: string, name: string): void {
    const pod = this.store.get(this.key('pods', namespace, name));
    if (pod === undefined) return;
    const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as Json[]) : [];
    const missing = containers.find((c) => typeof c.image === 'string' && this.missingImages.has(c.image));
    if (missing !== undefined) {
      const image = String(missing.image);
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": manifest unknown`);
      this.setContainers(pod, (c) => ({
        ...c,
        state: {
          waiting: { reason: 'ErrImagePull', message: `failed to pull image "${image}": manifest unknown` },
        },
      }));
      this.later(() => {
        const current = this.store.get(this.key('pods', namespace, name));
        if (current === undefined) return;
        this.event(current, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
        this.setContainers(current, (c) => ({
          ...c,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
        }));
      });
      return;
    }
    this.podCounter += 1;
    const ip = `10.128.${Math.floor(this.podCounter / 250) % 250}.${(this.podCounter % 250) + 2}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const c of containers) this.event(pod, 'Normal', 'Started', `Started container ${String(c.name)}`);
    pod.status = {
      ...(pod.status ?? {}),
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: '192.0.2.10',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    };
    this.setContainers(pod, (c) => ({
      ...c,
      ready: true,
      started: true,
      imageID: `${String(c.image)}@sha256:${hash(c.image, 16)}`,
      state: { running: { startedAt: now } },
    }));
  }

  private setContainers(pod: KubeObject, update: (status: Json) => Json): void {
    const status = pod.status ?? {};
    const statuses = Array.isArray(status.containerStatuses) ? (status.containerStatuses as Json[]) : [];
    status.containerStatuses = statuses.map(update);
    pod.status = status;
    this.touch(pod);
    const rsRef = (pod.metadata.ownerReferences ?? []).find((ref) => ref.kind === 'ReplicaSet');
    const rs =
      rsRef === undefined
        ? undefined
        : this.store.get(this.key('replicasets', pod.metadata.namespace, rsRef.name));
    const deploymentRef = (rs?.metadata.ownerReferences ?? []).find((ref) => ref.kind === 'Deployment');
    if (deploymentRef !== undefined) this.updateDeploymentStatus(pod.metadata.namespace, deploymentRef.name);
  }

  private updateDeploymentStatus(namespace: string, name: string): void {
    const deployment = this.store.get(this.key('deployments', namespace, name));
    if (deployment === undefined) return;
    const pods = [...this.store.values()].filter((o) => {
      if (o.kind !== 'Pod' || o.metadata.namespace !== namespace) return false;
      const rsRef = (o.metadata.ownerReferences ?? []).find((ref) => ref.kind === 'ReplicaSet');
      const rs =
        rsRef === undefined ? undefined : this.store.get(this.key('replicasets', namespace, rsRef.name));
      return (rs?.metadata.ownerReferences ?? []).some((ref) => ref.uid === deployment.metadata.uid);
    });
    const ready = pods.filter((p) =>
      (Array.isArray(p.status?.conditions) ? (p.status.conditions as Json[]) : []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(pods.length - ready > 0 ? { unavailableReplicas: pods.length - ready } : {}),
    };
    // As the deployment controller: a status write (a new resourceVersion, an event) only when it changes.
    if (JSON.stringify(status) === JSON.stringify(deployment.status)) return;
    deployment.status = status;
    this.touch(deployment);
  }

  private podLog(namespace: string, name: string, query: URLSearchParams): RouteResult {
    const pod = this.store.get(this.key('pods', namespace, name));
    if (pod === undefined) throw this.notFound(resourceDef('pods'), name);
    const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as Json[]) : [];
    const initContainers = Array.isArray(pod.spec?.initContainers) ? (pod.spec.initContainers as Json[]) : [];
    const containerName =
      query.get('container') ?? (containers.length === 1 ? String(containers[0]?.name) : undefined);
    if (containerName === undefined)
      throw new HttpError(400, 'BadRequest', `a container name must be specified for pod ${name}`);
    // As the API server: any container of the pod, its init containers included.
    const container = [...containers, ...initContainers].find((c) => c.name === containerName);
    if (container === undefined)
      throw new HttpError(400, 'BadRequest', `container ${containerName} is not valid for pod ${name}`);
    for (const flag of ['previous', 'follow']) {
      const value = query.get(flag);
      if (value !== null && !['true', 'false', '1', '0'].includes(value))
        throw new HttpError(400, 'BadRequest', `invalid ${flag} value "${value}": expected true or false`);
    }
    const previous = query.get('previous') === 'true' || query.get('previous') === '1';
    const follow = query.get('follow') === 'true' || query.get('follow') === '1';
    const key = `${namespace}/${name}/${containerName}`;
    const tail = Number(query.get('tailLines') ?? '0');
    const tailOf = (text: string) => {
      const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      const kept = tail > 0 ? lines.slice(-tail) : lines;
      return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
    };
    // As the kubelet: the previous instance's log, whose absence is a 400 (nothing restarted yet).
    if (previous) {
      const text = this.previousLogs.get(key);
      if (text === undefined)
        throw new HttpError(
          400,
          'BadRequest',
          `previous terminated container "${containerName}" in pod "${name}" not found`,
        );
      return tailOf(text);
    }
    // As the API server: a pod on no node has no kubelet to ask, and the answer is an empty 204 (no content type).
    if (typeof pod.spec?.nodeName !== 'string' || pod.spec.nodeName === '')
      return { status: 204, raw: '', contentType: undefined };
    const statuses = Array.isArray(pod.status?.containerStatuses)
      ? (pod.status.containerStatuses as Json[])
      : [];
    const state = statuses.find((s) => s.name === containerName)?.state;
    const waiting = isRecord(state) && isRecord(state.waiting) ? state.waiting : undefined;
    if (waiting !== undefined) {
      throw new HttpError(
        400,
        'BadRequest',
        `container "${containerName}" in pod "${name}" is waiting to start: ${String(waiting.reason)}`,
      );
    }
    const text = tailOf(this.logText(pod, containerName));
    return follow ? { follow: { key, initial: text } } : text;
  }

  /** What a container of a pod has written: what its command prints (a Spark daemon's), then the lines appended. */
  private logText(pod: KubeObject, containerName: string): string {
    const name = pod.metadata.name;
    const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as Json[]) : [];
    const container = containers.find((c) => c.name === containerName);
    const lines: string[] = [];
    if (container !== undefined) {
      // What the container runs: its args (after the image's entrypoint) or its command.
      const command = [
        ...(Array.isArray(container.command) ? container.command.map(String) : []),
        ...(Array.isArray(container.args) ? container.args.map(String) : []),
      ];
      const ip = typeof pod.status?.podIP === 'string' ? pod.status.podIP : '';
      const daemon = command.find((part) => part.startsWith('org.apache.spark.deploy.')) ?? 'unknown';
      lines.push(
        `Spark Command: /opt/java/openjdk/bin/java -cp /opt/spark/conf/:/opt/spark/jars/* ${command.slice(1).join(' ').replace('$(POD_IP)', ip)}`,
        '========================================',
        `INFO ${daemon.split('.').pop() ?? ''}: Started daemon with process name: 1@${name}`,
      );
      if (daemon.endsWith('.Master')) {
        lines.push(
          `INFO Master: Starting Spark master at spark://${ip}:7077`,
          `INFO MasterWebUI: Bound MasterWebUI to 0.0.0.0, and started at http://${ip}:8080`,
          'INFO Master: I have been elected leader! New state: ALIVE',
        );
      } else if (daemon.endsWith('.Worker')) {
        const master = command[command.length - 1] ?? '';
        const address = master.replace('spark://', '');
        lines.push(
          `INFO Worker: Connecting to master ${address}...`,
          this.unreachableMasters.has(masterService(master) ?? '')
            ? `WARN Worker: Failed to connect to master ${address}`
            : `INFO Worker: Successfully registered with master ${master}`,
        );
      }
    }
    lines.push(...(this.podLogLines.get(`${pod.metadata.namespace}/${name}/${containerName}`) ?? []));
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  private openLogFollow(follow: LogFollow, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (follow.initial !== '') response.write(follow.initial);
    let set = this.logFollows.get(follow.key);
    if (set === undefined) {
      set = new Set();
      this.logFollows.set(follow.key, set);
    }
    set.add(response);
    response.on('close', () => {
      const open = this.logFollows.get(follow.key);
      open?.delete(response);
      if (open?.size === 0) this.logFollows.delete(follow.key);
    });
  }

  /** Ends (cleanly) the followed logs whose key matches. */
  private endLogFollows(matches: (key: string) => boolean): void {
    for (const [key, set] of [...this.logFollows]) {
      if (!matches(key)) continue;
      this.logFollows.delete(key);
      for (const response of set) response.end();
    }
  }

  private podsIn(namespace: string): KubeObject[] {
    return [...this.store.values()].filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace);
  }

  /** As the API server: the Service's port by name or number, a ready endpoint, and that pod's answer. */
  private serviceProxy(namespace: string, id: string, path: string): RawAnswer {
    const parts = id.split(':');
    const name = (parts.length === 3 ? parts[1] : parts[0]) ?? '';
    const port = (parts.length === 3 ? parts[2] : parts[1]) ?? '';
    const service = this.store.get(this.key('services', namespace, name));
    if (service === undefined) throw this.notFound(resourceDef('services'), name);
    const ports = Array.isArray(service.spec?.ports) ? (service.spec.ports as Json[]) : [];
    const servicePort =
      port === ''
        ? ports.length === 1
          ? ports[0]
          : undefined
        : ports.find((p) => p.name === port || String(p.port) === port);
    if (servicePort === undefined) {
      throw new HttpError(
        503,
        'ServiceUnavailable',
        `no service port ${JSON.stringify(port)} found for service ${JSON.stringify(name)}`,
      );
    }
    const selector = isRecord(service.spec?.selector)
      ? (service.spec.selector as Record<string, string>)
      : {};
    const endpoint = this.podsIn(namespace)
      .filter((pod) => Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v))
      .find((pod) => isReady(pod) && podIp(pod) !== '');
    if (endpoint === undefined) {
      throw new HttpError(
        503,
        'ServiceUnavailable',
        `no endpoints available for service ${JSON.stringify(id)}`,
      );
    }
    return this.sparkWebUi(namespace, endpoint, path);
  }

  /** What a Spark daemon's web UI answers: the master's /json/; anything else is not simulated. */
  private sparkWebUi(namespace: string, pod: KubeObject, path: string): RawAnswer {
    const master = commandOf(pod).includes('org.apache.spark.deploy.master.Master');
    if (!master || (path !== '/json' && path !== '/json/')) {
      return { status: 404, raw: 'Not Found\n', contentType: 'text/plain;charset=utf-8' };
    }
    const ip = podIp(pod);
    const workers = this.registeredWorkers(namespace, pod).map((worker) => {
      const host = podIp(worker);
      const port =
        30_000 +
        (Number.parseInt(createHash('sha256').update(worker.metadata.name).digest('hex').slice(0, 4), 16) %
          10_000);
      return {
        id: `worker-20260101000000-${host}-${String(port)}`,
        host,
        port,
        webuiaddress: `http://${host}:8081`,
        cores: 2,
        coresused: 0,
        coresfree: 2,
        memory: 1024,
        memoryused: 0,
        memoryfree: 1024,
        resources: {},
        resourcesused: {},
        resourcesfree: {},
        state: 'ALIVE',
        lastheartbeat: Date.now(),
      };
    });
    const json = {
      url: `spark://${ip}:7077`,
      workers,
      aliveworkers: workers.length,
      cores: workers.length * 2,
      coresused: 0,
      memory: workers.length * 1024,
      memoryused: 0,
      resources: [],
      resourcesused: [],
      activeapps: [],
      completedapps: [],
      activedrivers: [],
      completeddrivers: [],
      status: 'ALIVE',
    };
    // What Spark's MasterWebUI sends for /json/.
    return { status: 200, raw: JSON.stringify(json), contentType: 'text/json;charset=utf-8' };
  }

  /**
   * The ready Spark workers whose master URL names a Service that selects `master`: they found it and
   * registered, unless `setWorkersRegistered` says they cannot reach it.
   */
  private registeredWorkers(namespace: string, master: KubeObject): KubeObject[] {
    return this.podsIn(namespace).filter((pod) => {
      const command = commandOf(pod);
      if (!command.includes('org.apache.spark.deploy.worker.Worker') || !isReady(pod) || podIp(pod) === '')
        return false;
      const service = masterService(command[command.length - 1] ?? '');
      if (service === undefined || this.unreachableMasters.has(service)) return false;
      const selector = this.store.get(this.key('services', namespace, service))?.spec?.selector;
      return (
        isRecord(selector) && Object.entries(selector).every(([k, v]) => master.metadata.labels?.[k] === v)
      );
    });
  }
}
