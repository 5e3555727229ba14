/**
 * Hardening through real HTTP: the server (`serve`, configured from the environment as in production) with the
 * Kubernetes driver against the fake Kubernetes API. Image policy, limits, CORS, metrics, request ids and logs.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterService } from '../src/core/cluster-service.js';
import { LimitExceededError } from '../src/core/errors.js';
import { ManualClock } from '../src/core/manual-clock.js';
import { OPEN_IMAGE_POLICY } from '../src/core/image-policy.js';
import { DEFAULT_KUBERNETES_IMAGE } from '../src/drivers/kubernetes/index.js';
import { buildApp } from '../src/server/app.js';
import { FakeKubeServer } from './fake-kube/fake-kube-server.js';
import { createdInventory, expectEnvelope, http } from './support/http.js';
import {
  fakeKubeDriver,
  isRunning,
  kubeStackPerTest,
  NAMESPACE,
  startKubeStack,
  waitForCluster,
  type KubeStack,
} from './support/kube-stack.js';

const CUSTOM = 'quay.io/my-team/spark:3.5.3-custom';

describe('image policy', () => {
  const startStack = kubeStackPerTest();

  it('refuses every custom image with 403 naming the policy and the field when custom images are off', async () => {
    const stack = await startStack({ env: { OSHINKO_ALLOW_CUSTOM_IMAGES: 'false' } });
    const url = stack.server.url;
    for (const [config, field] of [
      [{ sparkImage: CUSTOM }, 'config.sparkImage'],
      [{ imageUrl: CUSTOM }, 'config.imageUrl'],
    ] as const) {
      const refused = await http(url, 'POST', '/clusters', { body: { name: 'custom', config } });
      const error = expectEnvelope(refused, 403);
      expect(error.field).toBe(field);
      expect(error.details).toContain('OSHINKO_ALLOW_CUSTOM_IMAGES=false');
      expect(error.details).toContain(CUSTOM);
    }
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);
    // A stored config cannot smuggle a custom image in either.
    stack.fake.seed('configmaps', NAMESPACE, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sneaky' },
      data: { sparkimage: CUSTOM },
    });
    const stored = await http(url, 'POST', '/clusters', {
      body: { name: 'custom', config: { name: 'sneaky' } },
    });
    const storedError = expectEnvelope(stored, 403);
    expect(storedError.field).toBe('config.name');
    expect(storedError.details).toContain(
      `the image of stored configuration 'sneaky' "${CUSTOM}" is not the default image`,
    );
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);
    // The default image, named or not, is always allowed.
    const plain = await http(url, 'POST', '/clusters', { body: { name: 'plain' } });
    expect(plain.status).toBe(201);
    const named = await http(url, 'POST', '/clusters', {
      body: { name: 'named', config: { sparkImage: DEFAULT_KUBERNETES_IMAGE } },
    });
    expect(named.status).toBe(201);
    expect(named.json).toMatchObject({ cluster: { customImage: false, image: DEFAULT_KUBERNETES_IMAGE } });
    const info = await stack.client.info();
    expect(info.application['custom-images']).toBe('disabled');
  });

  it('allows only images matching OSHINKO_ALLOWED_IMAGES', async () => {
    const stack = await startStack({
      env: { OSHINKO_ALLOWED_IMAGES: 'quay.io/my-team/**, registry.example.com/spark:*' },
    });
    const url = stack.server.url;
    for (const image of [CUSTOM, 'registry.example.com/spark:3.5']) {
      const name = `ok-${String(Math.random()).slice(2, 8)}`;
      const ok = await http(url, 'POST', '/clusters', { body: { name, config: { sparkImage: image } } });
      expect(ok.status, ok.text).toBe(201);
    }
    for (const image of [
      'quay.io/other-team/spark:1',
      'registry.example.com/spark/nested:3.5',
      'evil.example.com/quay.io/my-team/spark:1',
    ]) {
      const before = createdInventory(stack.fake, NAMESPACE);
      const refused = await http(url, 'POST', '/clusters', {
        body: { name: 'refused', config: { sparkImage: image } },
      });
      const error = expectEnvelope(refused, 403);
      expect(error.field).toBe('config.sparkImage');
      expect(error.details).toContain(
        'OSHINKO_ALLOWED_IMAGES=quay.io/my-team/**,registry.example.com/spark:*',
      );
      expect(createdInventory(stack.fake, NAMESPACE)).toEqual(before);
    }
    expect((await stack.client.info()).application['custom-images']).toBe('restricted');
  });
});

describe('limits', () => {
  let stack: KubeStack;
  beforeAll(async () => {
    stack = await startKubeStack({
      env: { OSHINKO_MAX_WORKERS: '3', OSHINKO_MAX_CLUSTERS: '2', OSHINKO_BODY_LIMIT: '1024' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses more workers than OSHINKO_MAX_WORKERS with 400 naming config.workerCount, at create and scale', async () => {
    const url = stack.server.url;
    const tooMany = await http(url, 'POST', '/clusters', {
      body: { name: 'big', config: { workerCount: 4 } },
    });
    const error = expectEnvelope(tooMany, 400);
    expect(error.field).toBe('config.workerCount');
    expect(error.details).toContain('from 0 to 3');
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);

    expect(
      (await http(url, 'POST', '/clusters', { body: { name: 'small', config: { workerCount: 3 } } })).status,
    ).toBe(201);
    const scale = await http(url, 'PUT', '/clusters/small', {
      body: { name: 'small', config: { workerCount: 4 } },
    });
    expect(expectEnvelope(scale, 400).field).toBe('config.workerCount');
    expect((await stack.client.getCluster('small')).config.workerCount).toBe(3);
    await stack.client.deleteCluster('small');
  });

  it('refuses a cluster beyond OSHINKO_MAX_CLUSTERS with 422', async () => {
    const url = stack.server.url;
    for (const name of ['one', 'two']) {
      expect((await http(url, 'POST', '/clusters', { body: { name } })).status).toBe(201);
    }
    const before = createdInventory(stack.fake, NAMESPACE);
    const third = await http(url, 'POST', '/clusters', { body: { name: 'three' } });
    expect(expectEnvelope(third, 422).details).toContain('OSHINKO_MAX_CLUSTERS');
    // The code tells a limit from the other 422s (a stored config that does not exist ...), for the typed client.
    expect(third.json).toMatchObject({ errors: [{ code: 'limit' }] });
    await expect(stack.client.createCluster({ name: 'three' })).rejects.toBeInstanceOf(LimitExceededError);
    const missingConfig = await http(url, 'POST', '/clusters', {
      body: { name: 'four', config: { name: 'nope' } },
    });
    expect(missingConfig.json).toMatchObject({ errors: [{ status: 422, code: 'unprocessable' }] });
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual(before);
    await stack.client.deleteCluster('two');
    expect((await http(url, 'POST', '/clusters', { body: { name: 'three' } })).status).toBe(201);
    await stack.client.deleteCluster('one');
    await stack.client.deleteCluster('three');
  });

  it('refuses a body larger than OSHINKO_BODY_LIMIT with 413 and the envelope', async () => {
    const url = stack.server.url;
    const big = await http(url, 'POST', '/clusters', {
      body: { name: 'huge', config: { sparkMasterConfig: 'x'.repeat(2000) } },
    });
    expect(expectEnvelope(big, 413).details).toContain('larger than this server accepts');
    const put = await http(url, 'PUT', '/clusters/huge', { rawBody: `{"name":"${'y'.repeat(5000)}"}` });
    expectEnvelope(put, 413);
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);
  });
});

/**
 * Closes a stack whose server runs on a manual clock: the server closes the connections that went idle at each
 * sweep, every 50 ms of that clock.
 */
async function closeOnClock(stack: KubeStack, clock: ManualClock): Promise<void> {
  let closed = false;
  const closing = stack.close().then(() => {
    closed = true;
  });
  await vi.waitFor(
    async () => {
      await clock.advance(50);
      expect(closed).toBe(true);
    },
    { timeout: 10_000, interval: 20 },
  );
  await closing;
}

describe('request deadline', () => {
  it('answers 504 with the envelope when a request takes longer than OSHINKO_REQUEST_TIMEOUT_MS', async () => {
    const clock = new ManualClock();
    const stack = await startKubeStack({
      env: {
        OSHINKO_REQUEST_TIMEOUT_MS: '300',
        OSHINKO_KUBE_REQUEST_TIMEOUT_MS: '5000',
        OSHINKO_KUBE_WATCH: 'false',
      },
      clock,
    });
    try {
      // The list answers late (in real time): the server must answer first, when its deadline passes on its clock.
      stack.fake.failRequest({ verb: 'list', resource: 'pods', delayMs: 3000 });
      let answered = false;
      const slow = http(stack.server.url, 'GET', '/clusters').finally(() => {
        answered = true;
      });
      await clock.whenPending(300);
      await clock.advance(299);
      expect(answered).toBe(false);
      await clock.advance(1);
      expect(expectEnvelope(await slow, 504).details).toContain('OSHINKO_REQUEST_TIMEOUT_MS');
      // The work goes on behind the answer until the driver's own deadline cuts the late list.
      await clock.advance(5000);
      expect((await http(stack.server.url, 'GET', '/clusters')).status).toBe(200);
    } finally {
      await closeOnClock(stack, clock);
    }
  });

  it('gives up on a Kubernetes request after OSHINKO_KUBE_REQUEST_TIMEOUT_MS', async () => {
    // Without the watch cache, so that the read itself is the slow Kubernetes request.
    const clock = new ManualClock();
    const stack = await startKubeStack({
      env: { OSHINKO_KUBE_REQUEST_TIMEOUT_MS: '200', OSHINKO_KUBE_WATCH: 'false' },
      clock,
    });
    try {
      stack.fake.failRequest({ verb: 'list', resource: 'services', delayMs: 3000 });
      let answered = false;
      const slow = http(stack.server.url, 'GET', '/clusters').finally(() => {
        answered = true;
      });
      // The reads' deadlines are set as they start; the late list is cut when they pass on the driver's clock.
      await clock.whenPending(200);
      await clock.advance(199);
      expect(answered).toBe(false);
      await clock.advance(1);
      expect(expectEnvelope(await slow, 504).details).toContain('the Kubernetes API did not answer in time');
    } finally {
      await closeOnClock(stack, clock);
    }
  });
});

describe('CORS', () => {
  const ORIGIN = 'https://console.example.com';
  const preflight = (url: string, origin: string) =>
    http(url, 'OPTIONS', '/clusters', {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('is off by default: no CORS headers on a preflight or a simple request', async () => {
    const stack = await startKubeStack();
    try {
      const pre = await preflight(stack.server.url, ORIGIN);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.status).toBeGreaterThanOrEqual(400);
      const get = await http(stack.server.url, 'GET', '/clusters', { headers: { origin: ORIGIN } });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await stack.close();
    }
  });

  it('answers preflights for configured origins only, also when a token is required', async () => {
    const stack = await startKubeStack({
      env: { OSHINKO_CORS_ORIGINS: `${ORIGIN}, http://localhost:5173`, OSHINKO_TOKEN: 's3cret-token' },
    });
    try {
      const url = stack.server.url;
      const pre = await preflight(url, ORIGIN);
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect((pre.headers.get('access-control-allow-methods') ?? '').toUpperCase()).toContain('POST');
      const other = await preflight(url, 'https://evil.example.com');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();

      const get = await http(url, 'GET', '/clusters', {
        headers: { origin: ORIGIN, authorization: 'Bearer s3cret-token' },
      });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(get.headers.get('access-control-expose-headers') ?? '').toContain('x-request-id');
      // CORS does not replace the token.
      const anonymous = await http(url, 'GET', '/clusters', { headers: { origin: ORIGIN } });
      expectEnvelope(anonymous, 401);
      expect(anonymous.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    } finally {
      await stack.close();
    }
  });
});

describe('metrics', () => {
  let stack: KubeStack;
  beforeAll(async () => {
    // Reads go to the API, so that a failing list shows as a backend error.
    stack = await startKubeStack({ env: { OSHINKO_KUBE_WATCH: 'false' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      const inner = line.slice(name.length + 1, line.indexOf('}'));
      const pairs = Object.fromEntries(
        [...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      if (Object.entries(labels).every(([k, v]) => pairs[k] === v)) return Number(line.split(' ').pop());
    }
    return undefined;
  }

  it('counts requests, latencies, clusters by status and backend errors', async () => {
    const url = stack.server.url;
    const missing = 'quay.io/my-team/spark:missing';
    stack.fake.missingImages.add(missing);
    expect((await http(url, 'POST', '/clusters', { body: { name: 'fine' } })).status).toBe(201);
    expect(
      (await http(url, 'POST', '/clusters', { body: { name: 'broken', config: { sparkImage: missing } } }))
        .status,
    ).toBe(201);
    await waitForCluster(stack.client, 'fine', isRunning);
    await waitForCluster(stack.client, 'broken', (c) => c.status === 'Degraded');
    expect((await http(url, 'GET', '/clusters/nope')).status).toBe(404);

    let text = (await http(url, 'GET', '/metrics')).text;
    expect(
      sample(text, 'oshinko_http_requests_total', { method: 'POST', route: '/clusters', status: '201' }),
    ).toBe(2);
    expect(
      sample(text, 'oshinko_http_requests_total', { method: 'GET', route: '/clusters/:name', status: '404' }),
    ).toBe(1);
    expect(
      sample(text, 'oshinko_http_request_duration_seconds_count', { method: 'POST', route: '/clusters' }),
    ).toBe(2);
    expect(
      sample(text, 'oshinko_http_request_duration_seconds_bucket', {
        method: 'POST',
        route: '/clusters',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(sample(text, 'oshinko_clusters', { status: 'Running' })).toBe(1);
    expect(sample(text, 'oshinko_clusters', { status: 'Degraded' })).toBe(1);
    expect(sample(text, 'oshinko_backend_errors_total', { driver: 'kubernetes' }) ?? 0).toBe(0);

    stack.fake.failRequest({ verb: 'list', resource: 'deployments', status: 500, message: 'etcd is down' });
    const failed = await http(url, 'GET', '/clusters');
    expect(expectEnvelope(failed, 503).details).toContain('etcd is down');
    text = (await http(url, 'GET', '/metrics')).text;
    expect(sample(text, 'oshinko_backend_errors_total', { driver: 'kubernetes' })).toBe(1);
    expect(
      sample(text, 'oshinko_http_requests_total', { method: 'GET', route: '/clusters', status: '503' }),
    ).toBe(1);
  });
});

describe('request ids and logs', () => {
  it('echoes the request id and logs every request as JSON with it', async () => {
    const fake = await FakeKubeServer.start({ namespaces: [NAMESPACE] });
    const lines: string[] = [];
    const driver = await fakeKubeDriver(fake, {
      namespace: NAMESPACE,
      // Reads go to the API, so that a failing list makes a failing request to log.
      watch: false,
    });
    const service = new ClusterService(driver, {
      defaultImage: driver.defaultImage,
      maxWorkers: 8,
      maxClusters: 10,
      imagePolicy: OPEN_IMAGE_POLICY,
    });
    const app = await buildApp({
      service,
      version: 'test',
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const given = await http(url, 'GET', '/clusters', { headers: { 'x-request-id': 'trace-42.abc' } });
      expect(given.headers.get('x-request-id')).toBe('trace-42.abc');
      const generated = await http(url, 'GET', '/clusters');
      const id = generated.headers.get('x-request-id') ?? '';
      expect(id).not.toBe('');
      // An id that could forge log lines or flood them is replaced.
      const forged = await http(url, 'GET', '/clusters', {
        headers: { 'x-request-id': `a"b {} ${'z'.repeat(300)}` },
      });
      const replaced = forged.headers.get('x-request-id') ?? '';
      expect(replaced).toMatch(/^[0-9a-f-]{36}$/);

      fake.failRequest({ verb: 'list', resource: 'pods', status: 500, message: 'apiserver exploded' });
      const failed = await http(url, 'GET', '/clusters', { headers: { 'x-request-id': 'failing-1' } });
      expectEnvelope(failed, 503);

      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const of = (reqId: string) => records.filter((r) => r.reqId === reqId);
      expect(of('trace-42.abc').map((r) => r.msg)).toEqual(['incoming request', 'request completed']);
      expect(of('trace-42.abc')[1]).toMatchObject({ level: 30, res: { statusCode: 200 } });
      expect(of(id)).toHaveLength(2);
      expect(of(replaced)).toHaveLength(2);
      expect(records.some((r) => JSON.stringify(r).includes('zzzzzzzzzz'))).toBe(false);
      const failure = of('failing-1');
      expect(failure.find((r) => r.msg === 'backend error')).toMatchObject({
        level: 50,
        err: { message: expect.stringContaining('apiserver exploded') as unknown },
      });
      expect(failure.at(-1)).toMatchObject({ res: { statusCode: 503 } });
    } finally {
      await app.close();
      await driver.close();
      await fake.close();
    }
  });
});

describe('custom image visibility', () => {
  it('says customImage in create, list, get and scale responses', async () => {
    const stack = await startKubeStack();
    try {
      const url = stack.server.url;
      const created = await http(url, 'POST', '/clusters', {
        body: { name: 'mine', config: { sparkImage: CUSTOM } },
      });
      expect(created.json).toMatchObject({
        cluster: { customImage: true, image: CUSTOM, imageSource: 'request' },
      });
      await http(url, 'POST', '/clusters', { body: { name: 'stock' } });
      const list = (await http(url, 'GET', '/clusters')).json as { clusters: Record<string, unknown>[] };
      expect(list.clusters.map((c) => [c.name, c.customImage, c.image])).toEqual([
        ['mine', true, CUSTOM],
        ['stock', false, DEFAULT_KUBERNETES_IMAGE],
      ]);
      expect((await http(url, 'GET', '/clusters/mine')).json).toMatchObject({
        cluster: { customImage: true, image: CUSTOM, pods: expect.arrayContaining([]) as unknown },
      });
      expect((await http(url, 'GET', '/clusters/stock')).json).toMatchObject({
        cluster: { customImage: false },
      });
      const scaled = await http(url, 'PUT', '/clusters/mine', {
        body: { name: 'mine', config: { workerCount: 2 } },
      });
      expect(scaled.json).toMatchObject({ cluster: { customImage: true, image: CUSTOM } });
    } finally {
      await stack.close();
    }
  });
});

describe('stopping the server', () => {
  it('finishes a request in flight and then stops at its next sweep, not after the keep-alive timeout', async () => {
    const clock = new ManualClock();
    const stack = await startKubeStack({ env: { OSHINKO_KUBE_WATCH: 'false' }, clock });
    try {
      stack.fake.failRequest({ verb: 'list', resource: 'pods', delayMs: 400 });
      // fetch keeps its connection alive after the answer, as browsers and most clients do.
      const inFlight = fetch(`${stack.server.url}/clusters`);
      await vi.waitFor(() => {
        expect(stack.fake.requests.some((r) => r.verb === 'list' && r.resource === 'pods')).toBe(true);
      });
      let closed = false;
      const closing = stack.server.close().then(() => {
        closed = true;
      });
      expect((await inFlight).status).toBe(200);
      // The answered connection stays open, idle, until the server's next sweep (every 50 ms on its clock);
      // without the sweep it would hold the server until the keep-alive timeout.
      expect(closed).toBe(false);
      await vi.waitFor(async () => {
        await clock.advance(50);
        expect(closed).toBe(true);
      });
      await closing;
    } finally {
      await stack.fake.close();
      stack.kubeconfig.remove();
    }
  });
});

describe('a JSON content type with no body', () => {
  // Many HTTP clients send `Content-Type: application/json` on every request, bodies or not.
  const JSON_TYPE = { 'content-type': 'application/json' };
  let stack: KubeStack;
  beforeAll(async () => {
    stack = await startKubeStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('is no body: reads and deletes answer as without the header', async () => {
    const url = stack.server.url;
    await stack.client.createCluster({ name: 'bodiless' });
    for (const path of ['/', '/clusters', '/clusters/bodiless', '/clusters/bodiless/logs']) {
      const read = await http(url, 'GET', path, { headers: JSON_TYPE });
      expect(read.status, `GET ${path}: ${read.text}`).toBe(200);
    }
    expect(
      expectEnvelope(await http(url, 'DELETE', '/clusters/absent', { headers: JSON_TYPE }), 404).details,
    ).toContain("cluster 'absent' does not exist");
    const deleted = await http(url, 'DELETE', '/clusters/bodiless', { headers: JSON_TYPE, rawBody: '' });
    expect(deleted.status, deleted.text).toBe(204);
    expect(await stack.client.listClusters()).toEqual([]);
  });

  it('is still a missing body where one is required: 400 naming the body', async () => {
    const url = stack.server.url;
    for (const [method, path] of [
      ['POST', '/clusters'],
      ['PUT', '/clusters/bodiless'],
    ] as const) {
      for (const request of [{ headers: JSON_TYPE }, { headers: JSON_TYPE, rawBody: '' }, {}]) {
        const refused = await http(url, method, path, request);
        const error = expectEnvelope(refused, 400);
        expect(error.field).toBe('body');
        expect(error.details).toContain('request body');
      }
    }
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);
  });
});

describe('router errors', () => {
  let stack: KubeStack;
  beforeAll(async () => {
    stack = await startKubeStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers a path parameter however long with the 400 of its schema, in the envelope', async () => {
    for (const method of ['GET', 'DELETE']) {
      // Far over a cluster name's length, and over Fastify's default segment limit (100): the schema answers.
      const long = await http(stack.server.url, method, `/clusters/${'a'.repeat(4000)}`);
      const error = expectEnvelope(long, 400);
      expect(error).toMatchObject({ field: 'params.name', code: 'invalid' });
      expect(error.details).toContain('at most 54 characters');
      expect(long.headers.get('x-request-id')).not.toBeNull();
    }
    // A malformed percent-encoding is the router's own refusal, in the same envelope.
    const malformed = expectEnvelope(await http(stack.server.url, 'GET', '/clusters/%zz'), 400);
    expect(malformed).toMatchObject({ field: 'path', code: 'invalid' });
  });

  it('answers an undeclared method with 405, an Allow header and the envelope', async () => {
    const url = stack.server.url;
    const cases: [string, string, string][] = [
      ['PATCH', '/clusters', 'GET, HEAD, POST'],
      ['PATCH', '/clusters/x', 'DELETE, GET, HEAD, PUT'],
      ['POST', '/clusters/x/logs', 'GET, HEAD'],
      ['DELETE', '/', 'GET, HEAD'],
      ['OPTIONS', '/clusters', 'GET, HEAD, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const refused = await http(url, method, path, { body: { name: 'x' } });
      const error = expectEnvelope(refused, 405);
      expect(refused.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(error.details).toContain(`${method} is not allowed on ${path}`);
    }
    // A method that may carry a body, sent without one and without a Content-Type, is not routed either.
    for (const path of ['/images', '/clusters/x/logs']) {
      const query = await http(url, 'QUERY', path);
      expect(expectEnvelope(query, 405)).toMatchObject({ code: 'method-not-allowed' });
      expect(query.headers.get('allow')).toBe('GET, HEAD');
    }
    // fetch refuses to send TRACE.
    const trace = await new Promise<{ status: number; allow: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(`${url}/clusters`, { method: 'TRACE' }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body });
          });
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(trace).toMatchObject({ status: 405, allow: 'GET, HEAD, POST' });
    expect(JSON.parse(trace.body)).toMatchObject({ errors: [{ status: 405, title: 'method not allowed' }] });
    // A path no route has is still not found.
    for (const path of ['/nothing', '/clusters/a/b/c']) {
      const missing = await http(url, 'PATCH', path);
      expectEnvelope(missing, 404);
      expect(missing.headers.get('allow')).toBeNull();
    }
    expect(createdInventory(stack.fake, NAMESPACE)).toEqual([]);
  });
});
