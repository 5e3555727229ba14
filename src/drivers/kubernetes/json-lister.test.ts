import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeError } from './index.js';
import { JsonLister } from './json-lister.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server | undefined;

async function apiServer(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

function kubeConfig(url: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'ns' }],
    currentContext: 'x',
  });
  return config;
}

afterEach(async () => {
  const open = server;
  server = undefined;
  if (open !== undefined) {
    open.closeAllConnections();
    await new Promise((resolve) => open.close(resolve));
  }
});

describe('JsonLister', () => {
  it('sends the kubeconfig token and the label selector, and returns the items as plain JSON', async () => {
    let seen: { url: string | undefined; auth: string | undefined } | undefined;
    const url = await apiServer((request, response) => {
      seen = { url: request.url, auth: request.headers.authorization };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ items: [{ metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } }] }),
      );
    });
    const lister = new JsonLister(kubeConfig(url), url, 5000);
    const list = await lister.list<{ metadata: { name: string; creationTimestamp: string } }>(
      'api/v1/namespaces/ns/pods',
      'oshinko-cluster=one',
    );
    expect(seen).toEqual({
      url: '/api/v1/namespaces/ns/pods?labelSelector=oshinko-cluster%3Done',
      auth: 'Bearer secret-token',
    });
    // No model classes: a timestamp stays the string the API sent.
    expect(list.items).toEqual([{ metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } }]);
  });

  it('keeps a path prefix of the API server URL', async () => {
    let path: string | undefined;
    const url = await apiServer((request, response) => {
      path = request.url;
      response.end('{"items":[]}');
    });
    await new JsonLister(kubeConfig(`${url}/k8s/clusters/c1`), `${url}/k8s/clusters/c1`, 5000).list(
      'api/v1/namespaces/ns/services',
    );
    expect(path).toBe('/k8s/clusters/c1/api/v1/namespaces/ns/services');
  });

  it('turns an error answer into an ApiException that the driver maps with the API message', async () => {
    const url = await apiServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', message: 'pods is forbidden: no list', code: 403 }));
    });
    const error = await new JsonLister(kubeConfig(url), url, 5000)
      .list('api/v1/namespaces/ns/pods')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(403);
    const mapped = kubeError('cannot list pods', error);
    expect(mapped.code).toBe('forbidden');
    expect(mapped.message).toContain('pods is forbidden: no list');
  });

  it('abandons a request after the deadline, which the driver reports as a timeout', async () => {
    const url = await apiServer(() => {
      // Never answers.
    });
    const began = Date.now();
    const error = await new JsonLister(kubeConfig(url), url, 200)
      .list('api/v1/namespaces/ns/pods')
      .catch((caught: unknown) => caught);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(kubeError('cannot list pods', error).code).toBe('timeout');
  });
});
