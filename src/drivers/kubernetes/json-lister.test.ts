import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { ManualClock } from '../../core/manual-clock.js';
import { kubeError } from './kube-errors.js';
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
    const lister = new JsonLister(kubeConfig(url), url, 5000, systemClock);
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
    await new JsonLister(
      kubeConfig(`${url}/k8s/clusters/c1`),
      `${url}/k8s/clusters/c1`,
      5000,
      systemClock,
    ).list('api/v1/namespaces/ns/services');
    expect(path).toBe('/k8s/clusters/c1/api/v1/namespaces/ns/services');
  });

  it('turns an error answer into an ApiException that the driver maps with the API message', async () => {
    const url = await apiServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', message: 'pods is forbidden: no list', code: 403 }));
    });
    const error = await new JsonLister(kubeConfig(url), url, 5000, systemClock)
      .list('api/v1/namespaces/ns/pods')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(403);
    const mapped = kubeError('cannot list pods', error);
    expect(mapped.code).toBe('forbidden');
    expect(mapped.message).toContain('pods is forbidden: no list');
  });

  it('abandons a request when its deadline passes on the clock, which the driver reports as a timeout', async () => {
    const url = await apiServer(() => {
      // Never answers.
    });
    const clock = new ManualClock();
    let settled = false;
    const listing = new JsonLister(kubeConfig(url), url, 200, clock)
      .list('api/v1/namespaces/ns/pods')
      .catch((caught: unknown) => caught)
      .finally(() => {
        settled = true;
      });
    await clock.whenPending();
    await clock.advance(199);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(kubeError('cannot list pods', await listing).code).toBe('timeout');
  });
});

describe('JsonLister.list, abandoned', () => {
  it('stops waiting for an answer when its signal aborts, with its deadline still far', async () => {
    const url = await apiServer(() => {
      // Never answers.
    });
    const controller = new AbortController();
    // Time never moves on this clock: only the abort can end the request.
    const listing = new JsonLister(kubeConfig(url), url, 30_000, new ManualClock())
      .list('api/v1/namespaces/ns/pods', undefined, controller.signal)
      .catch((caught: unknown) => caught);
    controller.abort();
    const error = await listing;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('JsonLister.watch', () => {
  const options = { resourceVersion: '7', timeoutSeconds: 60, idleMs: 5000 };

  it('asks for a watch from the version with bookmarks, and hands each line to the callback in order', async () => {
    let seen: string | undefined;
    const url = await apiServer((request, response) => {
      seen = request.url;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(
        '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"8"}}}\n{"type":"MOD',
      );
      setTimeout(() => {
        response.end('IFIED","object":{"metadata":{"name":"a","resourceVersion":"9"}}}\n');
      }, 20);
    });
    const events: string[] = [];
    const stream = await new JsonLister(kubeConfig(url), url, 5000, systemClock).watch<{
      metadata: { resourceVersion: string };
    }>('api/v1/namespaces/ns/pods', { ...options, labelSelector: 'oshinko-cluster' }, (event) =>
      events.push(`${event.type} ${event.object.metadata.resourceVersion}`),
    );
    await stream.established;
    expect(await stream.ended).toEqual({ clean: true });
    expect(events).toEqual(['ADDED 8', 'MODIFIED 9']);
    expect(seen).toBe(
      '/api/v1/namespaces/ns/pods?watch=true&allowWatchBookmarks=true&resourceVersion=7&timeoutSeconds=60&labelSelector=oshinko-cluster',
    );
  });

  it('rejects `established` with an ApiException on an error answer', async () => {
    const url = await apiServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', message: 'pods is forbidden: no watch', code: 403 }));
    });
    const stream = await new JsonLister(kubeConfig(url), url, 5000, systemClock).watch(
      'api/v1/namespaces/ns/pods',
      options,
      () => undefined,
    );
    const error = await stream.established.catch((caught: unknown) => caught);
    expect(kubeError('cannot watch pods', error).message).toContain('pods is forbidden: no watch');
    expect((await stream.ended).clean).toBe(false);
  });

  it('reports a stream cut in the middle as broken', async () => {
    const url = await apiServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('\n');
      if (request.url?.includes('resourceVersion=cut') === true)
        setTimeout(() => request.socket.destroy(), 20);
    });
    const lister = new JsonLister(kubeConfig(url), url, 5000, systemClock);
    const cut = await lister.watch(
      'api/v1/namespaces/ns/pods',
      { ...options, resourceVersion: 'cut' },
      () => undefined,
    );
    await cut.established;
    const cutEnd = await cut.ended;
    expect(cutEnd.clean).toBe(false);
    // Node calls a cut response 'aborted', which reads as if this side had ended it (GET / details.reads).
    expect(String((cutEnd as { error: unknown }).error)).toContain('the watch stream was cut');
  });

  it('ends a watch silent for idleMs on its clock, counted from the last thing it said', async () => {
    let say: (text: string) => void = () => undefined;
    const url = await apiServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('\n');
      say = (text) => response.write(text);
    });
    const clock = new ManualClock();
    const events: string[] = [];
    const silent = await new JsonLister(kubeConfig(url), url, 5000, clock).watch(
      'api/v1/namespaces/ns/pods',
      { ...options, idleMs: 100 },
      (event) => events.push(event.type),
    );
    await silent.established;
    let ended = false;
    void silent.ended.then(() => {
      ended = true;
    });
    await clock.advance(60);
    say('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"8"}}}\n');
    await vi.waitFor(() => {
      expect(events).toEqual(['BOOKMARK']);
    });
    // 120 ms since the watch began, 60 since it last spoke: not silent yet.
    await clock.advance(60);
    expect(ended).toBe(false);
    await clock.advance(40);
    const end = await silent.ended;
    expect(end.clean).toBe(false);
    expect(String((end as { error: unknown }).error)).toContain('silent for 100 ms');
  });

  it('ends a watch whose error answer is cut in the middle of its body', async () => {
    // A proxy or a failing API server can reset the connection in the middle of an error answer: without an end,
    // `established` would never settle, and the reflector waiting on it would never try again.
    const url = await apiServer((request, response) => {
      response.writeHead(503, { 'content-type': 'application/json', 'content-length': '200' });
      response.write('{"kind":"Status",');
      setTimeout(() => {
        request.socket.destroy();
      }, 20);
    });
    const stream = await new JsonLister(kubeConfig(url), url, 5000, systemClock).watch(
      'api/v1/namespaces/ns/pods',
      { ...options, idleMs: 2000 },
      () => undefined,
    );
    // Never settling would leave the test to its own timeout: it must reject.
    const settled = await stream.established.then(
      () => 'established',
      () => 'rejected',
    );
    expect(settled).toBe('rejected');
    expect((await stream.ended).clean).toBe(false);
  });

  it('gives up establishing a watch after the request deadline, as a timeout', async () => {
    const url = await apiServer(() => {
      // Never answers.
    });
    const clock = new ManualClock();
    const stream = await new JsonLister(kubeConfig(url), url, 150, clock).watch(
      'api/v1/namespaces/ns/pods',
      options,
      () => undefined,
    );
    let settled = false;
    const establishing = stream.established
      .catch((caught: unknown) => caught)
      .finally(() => {
        settled = true;
      });
    await clock.advance(149);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await establishing;
    expect(kubeError('cannot watch pods', error).code).toBe('timeout');
  });
});
