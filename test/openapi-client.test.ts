/**
 * The typed client checked against the server's own OpenAPI document: every request the client makes is a
 * documented path and method, its request body matches the documented schema, and every answer it gets matches
 * the documented response schema of its status.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PATH_PARAM_LENGTH } from '../src/api/schemas.js';
import { OshinkoClient } from '../src/client/oshinko-client.js';
import { clusterNameProblem } from '../src/core/cluster-name.js';
import { http } from './support/http.js';
import { isRunning, startKubeStack, waitForCluster, type KubeStack } from './support/kube-stack.js';

interface Operation {
  parameters?: { in: string; name: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema: Record<string, unknown> }> }
  >;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}
interface Exchange {
  method: string;
  path: string;
  requestBody: unknown;
  status: number;
  contentType: string;
  body: unknown;
}

let stack: KubeStack;
let doc: OpenApi;
const exchanges: Exchange[] = [];

/** A fetch that records what the client sends and receives. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const text = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? '';
  exchanges.push({
    method: (init?.method ?? 'GET').toLowerCase(),
    path: url.pathname,
    requestBody: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    status: response.status,
    contentType,
    body: contentType.includes('json') && text !== '' ? JSON.parse(text) : text,
  });
  return response;
};

function findOperation(method: string, path: string): { template: string; operation: Operation } | undefined {
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const operation = operations[method];
    if (pattern.test(path) && operation !== undefined) return { template, operation };
  }
  return undefined;
}

const ajv = new Ajv({ strict: false, allErrors: true });
const compiled = new Map<object, ValidateFunction>();
function validator(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

beforeAll(async () => {
  stack = await startKubeStack({ openshift: true });
  doc = (await stack.client.openapi()) as unknown as OpenApi;
  const client = new OshinkoClient(stack.server.url, { fetch: recordingFetch });
  // Every method of the client, with success and error answers.
  await client.info();
  await client.createCluster({ name: 'api', config: { sparkImage: 'quay.io/me/spark:1', workerCount: 1 } });
  await waitForCluster(client, 'api', isRunning);
  await client.listClusters();
  await client.scaleCluster('api', { workerCount: 2 });
  await client.logs('api', { tail: 5 });
  await client.createCluster({ name: 'api' }).catch(() => undefined);
  await client.createCluster({ name: 'Bad' }).catch(() => undefined);
  await client.getCluster('missing').catch(() => undefined);
  await client.listImages().catch(() => undefined);
  await client.deleteCluster('api');
  await client.deleteCluster('api').catch(() => undefined);
});
afterAll(async () => {
  await stack.close();
});

describe('the typed client and /openapi.json', () => {
  it('is an OpenAPI 3 document with the upstream paths', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/', '/clusters', '/clusters/{name}', '/clusters/{name}/logs']),
    );
    expect(Object.keys(doc.paths['/clusters'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/clusters/{name}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'put', 'delete']),
    );
    expect(doc.paths['/clusters']?.post?.requestBody?.content['application/json']?.schema.title).toBe(
      'NewCluster',
    );
    expect(doc.paths['/clusters']?.post?.responses['201']?.content?.['application/json']?.schema.title).toBe(
      'ClusterResponse',
    );
    expect(doc.paths['/clusters']?.get?.responses['200']?.content?.['application/json']?.schema.title).toBe(
      'ClusterList',
    );
  });

  it('only calls documented paths and methods, with documented request bodies', () => {
    expect(exchanges.length).toBeGreaterThanOrEqual(12);
    for (const exchange of exchanges) {
      const found = findOperation(exchange.method, exchange.path);
      expect(found, `${exchange.method} ${exchange.path}`).toBeDefined();
      if (exchange.requestBody !== undefined) {
        const schema = found?.operation.requestBody?.content['application/json']?.schema;
        expect(schema, `request body of ${exchange.method} ${exchange.path}`).toBeDefined();
        if (schema !== undefined && exchange.status !== 400) {
          const validate = validator(schema);
          expect(validate(exchange.requestBody), JSON.stringify(validate.errors)).toBe(true);
        }
      }
    }
  });

  it('gets answers that match the documented response schema of their status', () => {
    const statuses = new Set<number>();
    for (const exchange of exchanges) {
      const found = findOperation(exchange.method, exchange.path);
      const response = found?.operation.responses[String(exchange.status)];
      expect(
        response,
        `${exchange.method} ${exchange.path} -> ${exchange.status} is documented`,
      ).toBeDefined();
      statuses.add(exchange.status);
      const schema =
        response?.content?.[exchange.contentType.includes('json') ? 'application/json' : 'text/plain']
          ?.schema;
      if (schema === undefined || !exchange.contentType.includes('json')) continue;
      const validate = validator(schema);
      expect(
        validate(exchange.body),
        `${exchange.method} ${exchange.path}: ${JSON.stringify(validate.errors)}`,
      ).toBe(true);
    }
    expect([...statuses].sort()).toEqual([200, 201, 202, 204, 400, 404, 409]);
  });
});

describe('the rules /openapi.json states', () => {
  const nameSchemas = () => {
    const body = doc.paths['/clusters']?.post?.requestBody?.content['application/json']?.schema as {
      properties: { name: Record<string, unknown> };
    };
    const param = doc.paths['/clusters/{name}']?.get?.parameters?.find((p) => p.in === 'path')?.schema;
    return { body: body.properties.name, param: param ?? {} };
  };
  const NAMES = [
    'a',
    'spark',
    'team-1',
    'a1',
    'x'.repeat(54),
    'x'.repeat(55),
    'Bad_Name',
    'UPPER',
    '1abc',
    '-lead',
    'trail-',
    'a.b',
    'a_b',
    'a b',
    'éa',
    'spark🚀',
    'a--b',
    'default-oshinko-cluster-config',
  ];

  it('states the cluster name rule the server enforces: each accepts exactly what the other accepts', async () => {
    const { body, param } = nameSchemas();
    expect(body).toMatchObject({ type: 'string', pattern: expect.any(String) as unknown, maxLength: 54 });
    expect({ ...param, description: undefined }).toEqual({ ...body, description: undefined });
    const documented = validator(body);
    const generated = fc.sample(
      fc.oneof(
        fc.stringMatching(/^[a-z]([-a-z0-9]{0,60}[a-z0-9])?$/),
        fc.string({ maxLength: 70 }),
        fc.string({ unit: fc.constantFrom('a', 'z', '0', '-', '.', 'A', '_'), maxLength: 60 }),
      ),
      { numRuns: 500, seed: 4242 },
    );
    for (const name of ['', ...NAMES, ...generated]) {
      expect([name, documented(name)]).toEqual([name, clusterNameProblem(name) === undefined]);
    }
    // And over HTTP: a name the document accepts is looked up (404, no such cluster), one it refuses is a 400.
    for (const name of NAMES) {
      const answer = await http(stack.server.url, 'GET', `/clusters/${encodeURIComponent(name)}`);
      expect([name, answer.status]).toEqual([name, documented(name) ? 404 : 400]);
      const created = await http(stack.server.url, 'POST', '/clusters', {
        body: { name, config: { workerCount: 0 } },
      });
      expect([name, created.status]).toEqual([name, documented(name) ? 201 : 400]);
      if (created.status === 201) await stack.client.deleteCluster(name);
    }
  });

  it('answers a path parameter over its documented limit, however far over, with the 400 documented for it', async () => {
    const { param } = nameSchemas();
    const operation = doc.paths['/clusters/{name}']?.get;
    const maxLength = param.maxLength as number;
    expect(operation?.responses['400']).toBeDefined();
    // Far over Fastify's default segment limit (100) too: the router lets it through to the schema.
    for (const length of [maxLength + 1, 4000]) {
      const over = await http(stack.server.url, 'GET', `/clusters/${'a'.repeat(length)}`);
      expect([length, over.status]).toEqual([length, 400]);
    }
    expect(MAX_PATH_PARAM_LENGTH).toBeGreaterThan(4000);
  });

  it('lists, for each operation, the error statuses it can answer, each with the error envelope', () => {
    const expected: Record<string, string[]> = {
      'get /': ['401', '500', '504'],
      'get /clusters': ['401', '403', '500', '503', '504'],
      'post /clusters': ['400', '401', '403', '409', '413', '415', '422', '500', '503', '504'],
      'get /clusters/{name}': ['400', '401', '403', '404', '500', '503', '504'],
      'put /clusters/{name}': ['400', '401', '403', '404', '409', '413', '415', '422', '500', '503', '504'],
      'delete /clusters/{name}': ['400', '401', '403', '404', '413', '415', '500', '503', '504'],
      'get /clusters/{name}/logs': ['400', '401', '403', '404', '409', '422', '500', '503', '504'],
      'get /images': ['401', '404', '500', '503', '504'],
    };
    for (const [operation, statuses] of Object.entries(expected)) {
      const [method = '', path = ''] = operation.split(' ');
      const responses = doc.paths[path]?.[method]?.responses ?? {};
      const errors = Object.keys(responses).filter((status) => !status.startsWith('2'));
      expect([operation, errors.sort()]).toEqual([operation, statuses]);
      for (const status of errors) {
        const response = responses[status];
        expect(response?.content?.['application/json']?.schema.title, `${operation} ${status}`).toBe(
          'ErrorBody',
        );
        expect(response?.description, `${operation} ${status}`).not.toBe('Default Response');
      }
    }
  });
});
