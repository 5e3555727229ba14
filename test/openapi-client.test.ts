/**
 * The typed client checked against the server's own OpenAPI document: every request the client makes is a
 * documented path and method, its request body matches the documented schema, and every answer it gets matches
 * the documented response schema of its status.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OshinkoClient } from '../src/client/oshinko-client.js';
import { isRunning, startKubeStack, waitForCluster, type KubeStack } from './helpers/kube-stack.js';

interface Operation {
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
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
