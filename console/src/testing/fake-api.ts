/**
 * A fake oshinko REST API at the HTTP boundary: a `fetch` the real client is given. It answers from an
 * in-memory list of clusters, records every request, and can be told to answer the next create with an error.
 */
import type {
  ClusterModel,
  ClusterSummary,
  LocalImageModel,
  ServerInfo,
} from '../../../src/client/oshinko-client.js';
import type { ErrorBody, NewCluster } from '../../../src/api/schemas.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export function serverInfo(overrides: Partial<ServerInfo['application']> = {}): ServerInfo['application'] {
  return {
    name: 'oshinko',
    version: '0.0.0-test',
    'web-url': '',
    'web-service-name': 'oshinko',
    'default-cluster-image': 'docker.io/apache/spark:3.5.3',
    driver: 'kubernetes',
    'custom-images': 'allowed',
    'allowed-images': [],
    'max-workers': 10,
    'max-clusters': 100,
    details: {},
    ...overrides,
  };
}

export function clusterModel(name: string, overrides: Partial<ClusterModel> = {}): ClusterModel {
  const image = overrides.image ?? 'docker.io/apache/spark:3.5.3';
  return {
    name,
    href: `/clusters/${name}`,
    status: 'Running',
    config: {
      masterCount: 1,
      workerCount: 2,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: image,
      exposeWebUI: 'true',
      metrics: 'false',
    },
    image,
    customImage: false,
    imageSource: 'default',
    masterUrl: `spark://${name}:7077`,
    masterWebUrl: `http://${name}-ui:8080`,
    masters: { desired: 1, ready: 1 },
    workers: { desired: 2, ready: 2 },
    pods: [],
    createdAt: new Date(Date.now() - 90_000).toISOString(),
    ...overrides,
  };
}

function summary(cluster: ClusterModel): ClusterSummary {
  return {
    name: cluster.name,
    href: cluster.href,
    status: cluster.status,
    ...(cluster.reason === undefined ? {} : { reason: cluster.reason }),
    masterCount: cluster.config.masterCount,
    workerCount: cluster.config.workerCount,
    workersReady: cluster.workers.ready,
    masterUrl: cluster.masterUrl,
    masterWebUrl: cluster.masterWebUrl,
    ...(cluster.masterWebRoute === undefined ? {} : { masterWebRoute: cluster.masterWebRoute }),
    image: cluster.image,
    customImage: cluster.customImage,
    imageSource: cluster.imageSource,
    createdAt: cluster.createdAt,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function errorBody(status: number, details: string, field?: string): ErrorBody {
  return {
    errors: [{ status, title: 'cannot create cluster', details, ...(field === undefined ? {} : { field }) }],
  };
}

export class FakeApi {
  readonly clusters = new Map<string, ClusterModel>();
  readonly requests: RecordedRequest[] = [];
  images: LocalImageModel[] = [];
  /** Answers the next POST /clusters with this status and body instead of creating. */
  nextCreateError: { status: number; body: ErrorBody } | undefined;
  /** When set, every call needs `Authorization: Bearer <token>`, as on a server started with a token. */
  token: string | undefined;

  constructor(readonly info: ServerInfo['application'] = serverInfo()) {}

  add(cluster: ClusterModel): this {
    this.clusters.set(cluster.name, cluster);
    return this;
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, path: url.pathname, body });
    const headers = new Headers(init?.headers);
    if (this.token !== undefined && headers.get('authorization') !== `Bearer ${this.token}`) {
      return Promise.resolve(json(401, errorBody(401, 'the bearer token is not valid for this server')));
    }
    return Promise.resolve(this.answer(method, url.pathname, body, url.searchParams.get('pod') ?? undefined));
  };

  private answer(method: string, path: string, body: unknown, pod: string | undefined): Response {
    const logs = /^\/clusters\/([^/]+)\/logs$/.exec(path);
    if (method === 'GET' && logs?.[1] !== undefined) {
      return new Response(`log of ${pod ?? 'the master'} of ${decodeURIComponent(logs[1])}\n`, {
        status: 200,
        headers: { 'content-type': 'text/plain' },
      });
    }
    const match = /^\/clusters\/([^/]+)$/.exec(path);
    const name = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    if (method === 'GET' && path === '/') return json(200, { application: this.info });
    if (method === 'GET' && path === '/images') return json(200, { images: this.images });
    if (method === 'GET' && path === '/clusters') {
      return json(200, { clusters: [...this.clusters.values()].map(summary) });
    }
    if (method === 'POST' && path === '/clusters') {
      if (this.nextCreateError !== undefined) {
        const { status, body: errorAnswer } = this.nextCreateError;
        this.nextCreateError = undefined;
        return json(status, errorAnswer);
      }
      const request = body as NewCluster;
      const image = request.config?.sparkImage ?? this.info['default-cluster-image'];
      const cluster = clusterModel(request.name, {
        status: 'Creating',
        image,
        customImage: image !== this.info['default-cluster-image'],
        imageSource: request.config?.sparkImage === undefined ? 'default' : 'request',
      });
      this.clusters.set(cluster.name, cluster);
      return json(201, { cluster });
    }
    if (name !== undefined) {
      const cluster = this.clusters.get(name);
      if (cluster === undefined) return json(404, errorBody(404, `cluster '${name}' does not exist`));
      if (method === 'GET') return json(200, { cluster });
      if (method === 'DELETE') {
        this.clusters.delete(name);
        return json(204, undefined);
      }
      if (method === 'PUT') {
        const workerCount = (body as NewCluster).config?.workerCount ?? cluster.config.workerCount;
        const scaled: ClusterModel = {
          ...cluster,
          config: { ...cluster.config, workerCount },
          workers: { desired: workerCount, ready: cluster.workers.ready },
        };
        this.clusters.set(name, scaled);
        return json(202, { cluster: scaled });
      }
    }
    return json(404, errorBody(404, `no route for ${method} ${path}`));
  }
}
