/**
 * Concurrency through HTTP: many creates of one name, and scale racing delete, on one server (whose service
 * serialises calls per name) and on two servers sharing one Kubernetes namespace (where only the driver and the
 * Kubernetes API's own conflicts keep things straight).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OshinkoClient } from '../src/client/oshinko-client.js';
import { parseServeConfig } from '../src/server/serve-config.js';
import { serve, type RunningServer } from '../src/server/serve.js';
import { expectEnvelope, http, type RawResponse } from './support/http.js';
import { NAMESPACE, startKubeStack, waitForCluster, type KubeStack } from './support/kube-stack.js';

let stack: KubeStack;
/** A second server on the same namespace: no lock shared with the first. */
let second: RunningServer;

beforeAll(async () => {
  stack = await startKubeStack({ openshift: true });
  second = await serve(
    parseServeConfig(
      { driver: 'kubernetes', kubeconfig: stack.kubeconfig.path, port: '0', logLevel: 'silent' },
      {},
    ),
  );
});
afterAll(async () => {
  await second.close();
  await stack.close();
});
beforeEach(async () => {
  for (const cluster of await stack.client.listClusters()) await stack.client.deleteCluster(cluster.name);
});

/** Every object labelled for the cluster, by kind. */
function objectsOf(cluster: string) {
  const of = (resource: 'deployments' | 'services' | 'routes' | 'replicasets' | 'pods') =>
    stack.fake.objects(resource, NAMESPACE).filter((o) => o.metadata.labels?.['oshinko-cluster'] === cluster);
  return {
    deployments: of('deployments'),
    services: of('services'),
    routes: of('routes'),
    replicasets: of('replicasets'),
    pods: of('pods'),
  };
}

function count(responses: RawResponse[], status: number): number {
  return responses.filter((r) => r.status === status).length;
}

/** Either no trace of the cluster, or the whole cluster with counts that agree everywhere. */
async function expectConsistent(name: string): Promise<'gone' | 'present'> {
  const got = await http(stack.server.url, 'GET', `/clusters/${name}`);
  const objects = objectsOf(name);
  if (got.status === 404) {
    expect(objects).toEqual({ deployments: [], services: [], routes: [], replicasets: [], pods: [] });
    return 'gone';
  }
  expect(got.status).toBe(200);
  const cluster = await waitForCluster(
    stack.client,
    name,
    (c) => c.status === 'Running' || c.status === 'Stopped',
  );
  const worker = objectsOf(name).deployments.find((d) => d.metadata.name === `${name}-w`);
  expect(cluster.config.workerCount).toBe((worker?.spec as { replicas: number }).replicas);
  expect(cluster.workers).toEqual({ desired: cluster.config.workerCount, ready: cluster.config.workerCount });
  expect(
    objectsOf(name)
      .deployments.map((d) => d.metadata.name)
      .sort(),
  ).toEqual([`${name}-m`, `${name}-w`]);
  expect(objectsOf(name).services).toHaveLength(2);
  expect(objectsOf(name).routes).toHaveLength(1);
  return 'present';
}

describe('concurrent creates of one name', () => {
  it('make exactly one cluster on one server; the others get 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http(stack.server.url, 'POST', '/clusters', {
          body: { name: 'same', config: { workerCount: 1 + (i % 3) } },
        }),
      ),
    );
    expect(count(responses, 201)).toBe(1);
    expect(count(responses, 409)).toBe(19);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(expectEnvelope(refused, 409).field).toBe('name');
    }
    const winner = responses.find((r) => r.status === 201)?.json as {
      cluster: { config: { workerCount: number } };
    };
    const objects = objectsOf('same');
    expect(objects.deployments).toHaveLength(2);
    expect(objects.services).toHaveLength(2);
    expect(objects.routes).toHaveLength(1);
    const cluster = await waitForCluster(stack.client, 'same', (c) => c.status === 'Running');
    expect(cluster.config.workerCount).toBe(winner.cluster.config.workerCount);
  });

  it('make exactly one cluster across two servers sharing a namespace (the Kubernetes conflict path)', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `shared-${round}`;
      const urls = [stack.server.url, second.url];
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          http(urls[i % 2] ?? '', 'POST', '/clusters', { body: { name, config: { workerCount: 1 } } }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array<number>(11).fill(409)]);
      for (const refused of responses.filter((r) => r.status === 409)) expectEnvelope(refused, 409);
      // Every object belongs to the one create that won: owned by its master Deployment.
      const objects = objectsOf(name);
      const master = objects.deployments.find((d) => d.metadata.name === `${name}-m`);
      expect(master).toBeDefined();
      for (const owned of [
        ...objects.services,
        ...objects.routes,
        ...objects.deployments.filter((d) => d !== master),
      ]) {
        expect(owned.metadata.ownerReferences?.[0]?.uid).toBe(master?.metadata.uid);
      }
      expect(await expectConsistent(name)).toBe('present');
    }
  });

  it('the driver itself answers 409 when the name was taken behind the service’s back', async () => {
    // Another client made the master Deployment directly (no labels the list sees as a cluster): the service's
    // check passes, Kubernetes refuses, and nothing of ours is left behind.
    stack.fake.seed('deployments', NAMESPACE, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'taken-m' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'other' } },
        template: {
          metadata: { labels: { app: 'other' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const refused = await http(stack.server.url, 'POST', '/clusters', { body: { name: 'taken' } });
    expect(expectEnvelope(refused, 409).details).toContain(
      "cluster 'taken' already exists (Deployment taken-m)",
    );
    expect(stack.fake.objects('services', NAMESPACE)).toEqual([]);
    expect(stack.fake.objects('deployments', NAMESPACE).map((d) => d.metadata.name)).toEqual(['taken-m']);
    stack.fake.remove('deployments', NAMESPACE, 'taken-m');
  });
});

describe('scale racing delete', () => {
  async function race(name: string, scaleUrl: string, deleteUrl: string, deleteAfterMs: number) {
    await stack.client.createCluster({ name, config: { workerCount: 1 } });
    const scales = [2, 3, 0, 2].map((workerCount, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 2)).then(() =>
        http(scaleUrl, 'PUT', `/clusters/${name}`, { body: { name, config: { workerCount } } }),
      ),
    );
    const deletion = new Promise((resolve) => setTimeout(resolve, deleteAfterMs)).then(() =>
      http(deleteUrl, 'DELETE', `/clusters/${name}`),
    );
    const [deleted, ...scaled] = await Promise.all([deletion, ...scales]);
    expect(deleted.status).toBe(204);
    for (const response of scaled) {
      expect([202, 404]).toContain(response.status);
      if (response.status === 404) expectEnvelope(response, 404);
    }
    return expectConsistent(name);
  }

  it('ends with the cluster gone entirely on one server', async () => {
    for (const delay of [0, 1, 3, 8]) {
      expect(await race(`one-${delay}`, stack.server.url, stack.server.url, delay)).toBe('gone');
    }
  });

  it('ends with the cluster gone entirely when scale and delete reach two servers', async () => {
    for (const delay of [0, 1, 3, 8]) {
      expect(await race(`two-${delay}`, stack.server.url, second.url, delay)).toBe('gone');
    }
  });

  it('create racing delete on two servers ends gone or whole, never half', async () => {
    const outcomes: string[] = [];
    for (const delay of [0, 1, 2, 4, 6, 10]) {
      const name = `cd-${delay}`;
      const create = http(stack.server.url, 'POST', '/clusters', { body: { name } });
      await new Promise((resolve) => setTimeout(resolve, delay));
      const deleted = await http(second.url, 'DELETE', `/clusters/${name}`);
      const created = await create;
      expect([201, 409]).toContain(created.status);
      expect([204, 404]).toContain(deleted.status);
      const got = await http(stack.server.url, 'GET', `/clusters/${name}`);
      const status = (got.json as { cluster?: { status: string } }).cluster?.status;
      outcomes.push(`${created.status}/${deleted.status}`);
      expect(status).not.toBe('Incomplete');
      await expectConsistent(name);
    }
    expect(outcomes.length).toBe(6);
  });

  it('a delete that cuts a create short on another server: the create removes what it made and answers 409', async () => {
    // The create stalls after its first Service (the fake answers late); meanwhile the other server deletes.
    stack.fake.resetRequests();
    stack.fake.failRequest({ verb: 'create', resource: 'services', nth: 1, delayMs: 300 });
    const create = http(stack.server.url, 'POST', '/clusters', { body: { name: 'cut' } });
    while (!stack.fake.requests.some((r) => r.verb === 'create' && r.resource === 'services')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await http(second.url, 'DELETE', '/clusters/cut')).status).toBe(204);
    const created = await create;
    expect(expectEnvelope(created, 409).details).toBe(
      "cluster 'cut' was deleted while it was being created (nothing was left behind)",
    );
    expect(await expectConsistent('cut')).toBe('gone');
  });

  it('leaves a consistent cluster when concurrent scales race each other on two servers', async () => {
    await stack.client.createCluster({ name: 'scaled', config: { workerCount: 1 } });
    const clients = [stack.client, new OshinkoClient(second.url)];
    const results = await Promise.allSettled(
      [3, 0, 2, 1, 3, 2].map((workerCount, i) =>
        (clients[i % 2] ?? stack.client).scaleCluster('scaled', { workerCount }),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await expectConsistent('scaled')).toBe('present');
  });
});
