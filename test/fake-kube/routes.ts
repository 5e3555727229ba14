/**
 * The fake's URL space: discovery, /readyz and /version, namespaces, the served resources' collections and
 * objects (with their verbs recorded), pod logs and the service proxy. Routing only: each answer comes from the
 * part of the fake that owns it.
 */
import {
  HttpError,
  isRecord,
  namespaceNotFound,
  type Json,
  type RawAnswer,
  type ResourceDef,
} from './kube-object.js';
import type { ObjectApi } from './object-api.js';
import type { LogFollow, PodLogs } from './pod-logs.js';
import type { RequestRecord } from './request-log.js';
import type { SparkDaemons } from './spark-daemons.js';
import type { WatchHub, WatchRequest } from './watch-hub.js';

export type RouteResult =
  { status: number; body: unknown } | string | { watch: WatchRequest } | { follow: LogFollow } | RawAnswer;

/** What the routes reach: the request log and the fake's parts. */
export interface RouteTargets {
  record(record: RequestRecord): void;
  /** The resources served (Routes on OpenShift only). */
  readonly resources: readonly ResourceDef[];
  /** More API groups discovery lists. */
  readonly apiGroups: readonly string[];
  /** What /readyz answers with a 500; undefined: ready. */
  readyz(): string | undefined;
  readonly namespaces: ReadonlySet<string>;
  readonly api: ObjectApi;
  readonly watches: WatchHub;
  readonly logs: PodLogs;
  readonly spark: SparkDaemons;
}

const NOT_FOUND = 'the server could not find the requested resource';

export function route(
  targets: RouteTargets,
  method: string,
  url: URL,
  rawBody: string,
  contentType: string,
): RouteResult {
  const path = url.pathname.replace(/\/+$/, '');
  const general = (verb: 'discovery', resource: string) => {
    targets.record({ verb, resource, namespace: undefined, name: undefined, labelSelector: undefined });
  };
  // The service proxy: `/api/v1/namespaces/<ns>/services/[scheme:]<name>[:port]/proxy/<path>`.
  const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/.exec(url.pathname);
  if (proxy !== null) {
    const [, namespace = '', id = '', rest = '/'] = proxy;
    const name = decodeURIComponent(id);
    targets.record({ verb: 'proxy', resource: 'services', namespace, name, labelSelector: undefined });
    if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `${method} is not proxied here`);
    return targets.spark.serviceProxy(namespace, name, rest);
  }
  if (path === '/api') {
    general('discovery', 'api');
    return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
  }
  if (path === '/apis') {
    general('discovery', 'apis');
    return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups(targets) } };
  }
  if (path === '/readyz') {
    // Not recorded: the driver asks it on a timer, whatever the reads.
    const failing = targets.readyz();
    return failing === undefined
      ? { status: 200, raw: 'ok', contentType: 'text/plain' }
      : { status: 500, raw: failing, contentType: 'text/plain' };
  }
  if (path === '/version')
    return { status: 200, body: { major: '1', minor: '33', gitVersion: 'v1.33.0-fake' } };

  const match =
    /^\/api\/v1\/namespaces\/([^/]+)(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?$/.exec(path) ??
    /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(path);
  if (match === null) throw new HttpError(404, 'NotFound', NOT_FOUND);
  const core = path.startsWith('/api/');
  const [group, version, namespace, resourceName, name, sub] = core
    ? ['', 'v1', match[1], match[2], match[3], match[4]]
    : [match[1], match[2], match[3], match[4], match[5], match[6]];
  if (namespace === undefined) throw new HttpError(404, 'NotFound', NOT_FOUND);
  if (resourceName === undefined) {
    if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
    targets.record({
      verb: 'get',
      resource: 'namespaces',
      namespace: undefined,
      name: namespace,
      labelSelector: undefined,
    });
    if (!targets.namespaces.has(namespace)) throw namespaceNotFound(namespace);
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
  const def = targets.resources.find(
    (r) => r.resource === resourceName && r.group === group && r.version === version,
  );
  if (def === undefined) throw new HttpError(404, 'NotFound', NOT_FOUND);
  const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
  const record = (verb: RequestRecord['verb']) => {
    targets.record({ verb, resource: def.resource, namespace, name, labelSelector });
  };
  const parse = () => parseBody(rawBody, contentType);

  if (name === undefined) {
    const watch = url.searchParams.get('watch');
    if (method === 'GET' && (watch === 'true' || watch === '1')) {
      record('watch');
      return { watch: targets.watches.request(def, namespace, url.searchParams) };
    }
    if (method === 'GET') {
      record('list');
      return { status: 200, body: targets.api.list(def, namespace, labelSelector) };
    }
    if (method === 'POST') {
      record('create');
      return { status: 201, body: targets.api.create(def, namespace, parse()) };
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on a collection here`);
  }
  if (sub === 'log' && def.resource === 'pods' && method === 'GET') {
    record('log');
    return targets.logs.read(namespace, name, url.searchParams);
  }
  if (sub !== undefined)
    throw new HttpError(404, 'NotFound', `the fake API server has no subresource ${sub}`);
  switch (method) {
    case 'GET':
      record('get');
      return { status: 200, body: targets.api.get(def, namespace, name) };
    case 'PUT':
      record('update');
      return { status: 200, body: targets.api.replace(def, namespace, name, parse()) };
    case 'PATCH':
      record('patch');
      return { status: 200, body: targets.api.patch(def, namespace, name, parse(), contentType) };
    case 'DELETE': {
      record('delete');
      const options = rawBody.trim() === '' ? {} : parse();
      const policy =
        url.searchParams.get('propagationPolicy') ??
        (typeof options.propagationPolicy === 'string' ? options.propagationPolicy : 'Background');
      return { status: 200, body: targets.api.delete(def, namespace, name, policy) };
    }
    default:
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed`);
  }
}

/** What `GET /apis` lists: the served groups and the extra ones, each at v1. */
function apiGroups(targets: RouteTargets): Json[] {
  return [
    ...new Set([
      ...targets.resources.filter((r) => r.group !== '').map((r) => r.group),
      ...targets.apiGroups,
    ]),
  ].map((name) => ({
    name,
    versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
    preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
  }));
}

function parseBody(rawBody: string, contentType: string): Json {
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
}
