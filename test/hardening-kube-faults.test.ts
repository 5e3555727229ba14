/**
 * Kubernetes faults: the API failing or answering too late in the middle of create, scale and delete, and the
 * server process killed in the middle of a create. Nothing may be left half-made: a failed operation is rolled
 * back, or what is left shows as Incomplete and one DELETE removes it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from './fake-kube/fake-kube-server.js';
import { expectEnvelope, http, kubeInventory } from './support/http.js';
import { NAMESPACE, startKubeStack, waitForCluster, type KubeStack } from './support/kube-stack.js';
import { pollUntil } from './support/poll.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Generous enough for a loaded machine (the whole suite runs Spark beside this), short enough to stay quick.
const KUBE_TIMEOUT_MS = 600;
const LATE = 1000;

let stack: KubeStack;
beforeAll(async () => {
  stack = await startKubeStack({
    openshift: true,
    env: { OSHINKO_KUBE_REQUEST_TIMEOUT_MS: String(KUBE_TIMEOUT_MS) },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  for (const cluster of await stack.client.listClusters()) await stack.client.deleteCluster(cluster.name);
  expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
});

const url = () => stack.server.url;

/** Lets a fault's late answer arrive, so it cannot spill into the next test. */
const settle = () => new Promise((resolve) => setTimeout(resolve, LATE));

describe('a create that fails halfway', () => {
  const steps: [string, Omit<Fault, 'status' | 'delayMs'>][] = [
    ['the master Deployment', { verb: 'create', resource: 'deployments', nth: 1 }],
    ['the worker Deployment', { verb: 'create', resource: 'deployments', nth: 2 }],
    ['the master Service', { verb: 'create', resource: 'services', nth: 1 }],
    ['the UI Service', { verb: 'create', resource: 'services', nth: 2 }],
    ['the Route', { verb: 'create', resource: 'routes', nth: 1 }],
  ];

  it.each(steps)('leaves nothing when Kubernetes fails creating %s', async (_what, step) => {
    stack.fake.failRequest({ ...step, status: 500, message: 'etcdserver: leader changed' });
    const response = await http(url(), 'POST', '/clusters', {
      body: { name: 'half', config: { workerCount: 2 } },
    });
    const error = expectEnvelope(response, 503);
    expect(error.details).toContain('etcdserver: leader changed');
    expect(error.details).toContain('the cluster was not created (nothing was left behind)');
    expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
    expect(await stack.client.listClusters()).toEqual([]);
  });

  it.each(steps)('leaves nothing when Kubernetes answers too late creating %s', async (_what, step) => {
    // The fake makes the object, then answers after the driver gave up: the outcome is unknown to the driver.
    stack.fake.failRequest({ ...step, delayMs: LATE });
    const response = await http(url(), 'POST', '/clusters', { body: { name: 'late' } });
    expect([503, 504]).toContain(response.status);
    expect(expectEnvelope(response).details).toContain('did not answer in time');
    expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
    expect(await stack.client.listClusters()).toEqual([]);
    await settle();
  });

  it('shows what a failed rollback left as Incomplete, and DELETE removes all of it', async () => {
    stack.fake.failRequest({ verb: 'create', resource: 'services', nth: 2, status: 500 });
    // The rollback removes the worker Deployment, then cannot remove the master.
    stack.fake.failRequest({ verb: 'delete', resource: 'deployments', nth: 2, status: 503, message: 'down' });
    const response = await http(url(), 'POST', '/clusters', { body: { name: 'stuck' } });
    expect(expectEnvelope(response, 503).details).toContain(
      'the rollback failed for Deployment stuck-m; delete the cluster to clean up',
    );
    const left = await stack.client.getCluster('stuck');
    expect(left.status).toBe('Incomplete');
    expect(left.reason).toBe(
      'missing Deployment stuck-w, Service stuck, Service stuck-ui, Route stuck-ui-route',
    );
    expect((await stack.client.listClusters()).map((c) => [c.name, c.status])).toEqual([
      ['stuck', 'Incomplete'],
    ]);
    // The name stays taken until it is cleaned up.
    expectEnvelope(await http(url(), 'POST', '/clusters', { body: { name: 'stuck' } }), 409);
    expect((await http(url(), 'DELETE', '/clusters/stuck')).status).toBe(204);
    expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
    expect((await http(url(), 'POST', '/clusters', { body: { name: 'stuck' } })).status).toBe(201);
  });
});

describe('a scale that fails halfway', () => {
  async function counts(name: string) {
    const cluster = await stack.client.getCluster(name);
    const replicas = stack.fake
      .objects('deployments', NAMESPACE)
      .filter((d) => d.metadata.labels?.['oshinko-cluster'] === name)
      .map((d) => [d.metadata.name, (d.spec as { replicas: number }).replicas]);
    return {
      masters: cluster.config.masterCount,
      workers: cluster.config.workerCount,
      replicas,
      status: cluster.status,
    };
  }

  it('changes nothing when the second patch fails', async () => {
    await stack.client.createCluster({ name: 'scale', config: { workerCount: 1 } });
    await waitForCluster(stack.client, 'scale', (c) => c.status === 'Running');
    const before = await counts('scale');
    stack.fake.failRequest({ verb: 'patch', resource: 'deployments', nth: 2, status: 500, message: 'boom' });
    const response = await http(url(), 'PUT', '/clusters/scale', {
      body: { name: 'scale', config: { masterCount: 0, workerCount: 3 } },
    });
    const error = expectEnvelope(response, 503);
    expect(error.details).toContain('cannot scale Deployment scale-w');
    expect(error.details).toContain('the counts were left as they were');
    await waitForCluster(stack.client, 'scale', (c) => c.status === 'Running');
    expect(await counts('scale')).toEqual(before);
  });

  it('changes nothing when a patch times out after Kubernetes applied it', async () => {
    await stack.client.createCluster({ name: 'slow', config: { workerCount: 1 } });
    await waitForCluster(stack.client, 'slow', (c) => c.status === 'Running');
    const before = await counts('slow');
    stack.fake.failRequest({ verb: 'patch', resource: 'deployments', nth: 1, delayMs: LATE });
    const response = await http(url(), 'PUT', '/clusters/slow', {
      body: { name: 'slow', config: { workerCount: 4 } },
    });
    expect(expectEnvelope(response, 504).details).toContain('did not answer in time');
    await settle();
    const after = await waitForCluster(stack.client, 'slow', (c) => c.status === 'Running');
    expect(after.workers).toEqual({ desired: 1, ready: 1 });
    expect(await counts('slow')).toEqual(before);
  });
});

describe('a delete that fails halfway', () => {
  it.each([
    ['the master Deployment fails', { verb: 'delete', resource: 'deployments', nth: 1, status: 500 }],
    ['a Service fails', { verb: 'delete', resource: 'services', nth: 1, status: 500 }],
    [
      'the master Deployment answers late',
      { verb: 'delete', resource: 'deployments', nth: 1, delayMs: LATE },
    ],
    ['the Route answers late', { verb: 'delete', resource: 'routes', nth: 1, delayMs: LATE }],
  ] as [string, Fault][])('is reported and a second DELETE finishes it when %s', async (_what, fault) => {
    await stack.client.createCluster({ name: 'doomed', config: { workerCount: 2 } });
    stack.fake.failRequest(fault);
    const first = await http(url(), 'DELETE', '/clusters/doomed');
    expect([503, 504]).toContain(first.status);
    expect(expectEnvelope(first).details).toMatch(/cannot delete (Deployment|Service|Route) doomed/);
    await settle();
    // Whatever is left is reported truthfully: the whole cluster, or an Incomplete one, or nothing.
    const got = await http(url(), 'GET', '/clusters/doomed');
    if (got.status === 200) {
      const status = (got.json as { cluster: { status: string } }).cluster.status;
      expect(['Running', 'Creating', 'Incomplete']).toContain(status);
      if (kubeInventory(stack.fake, NAMESPACE).some((o) => o.startsWith('deployments/doomed-m'))) {
        expect(status).not.toBe('Incomplete');
      }
      expect((await http(url(), 'DELETE', '/clusters/doomed')).status).toBe(204);
    } else {
      expect(got.status).toBe(404);
      expectEnvelope(await http(url(), 'DELETE', '/clusters/doomed'), 404);
    }
    expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
  });
});

/** Builds the server (dist/) when a source file is newer than it: the test runs the real command. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
      ),
    );
  // Not built at all (ENOENT) reads as built long ago.
  const built = statSync(join(ROOT, 'dist', 'cli', 'main.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newest(join(ROOT, 'src')) <= built) return;
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`build failed: ${result.stdout}${result.stderr}`);
}

function startServerProcess(kubeconfig: string): Promise<ServerProcess> {
  return spawnServer({
    args: ['--driver', 'kubernetes', '--kubeconfig', kubeconfig, '--log-level', 'warn'],
    env: { ...process.env, OSHINKO_KUBE_REQUEST_TIMEOUT_MS: '10000' },
    timeoutMs: 20_000,
  });
}

describe('the server killed in the middle of a create', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 120_000);

  it.each([
    ['after the master Deployment', { verb: 'create', resource: 'deployments', nth: 1 }],
    ['after the first Service', { verb: 'create', resource: 'services', nth: 1 }],
  ] as [string, Fault][])(
    '%s: the rest shows as Incomplete and DELETE removes everything',
    async (_when, step) => {
      const first = await startServerProcess(stack.kubeconfig.path);
      let second: ServerProcess | undefined;
      try {
        stack.fake.resetRequests();
        stack.fake.failRequest({ ...step, delayMs: 5000 });
        const create = http(first.url, 'POST', '/clusters', {
          body: { name: 'killed', config: { workerCount: 2 } },
        }).catch((error: unknown) => error);
        await pollUntil(
          () =>
            Promise.resolve(
              stack.fake.requests.some((r) => r.verb === step.verb && r.resource === step.resource),
            ),
          (reached) => reached,
          () => 'the create never reached the fault',
          { timeoutMs: 10_000, intervalMs: 10 },
        );
        await first.kill();
        expect(await create).toBeInstanceOf(Error);

        second = await startServerProcess(stack.kubeconfig.path);
        const list = await http(second.url, 'GET', '/clusters');
        expect(list.json).toMatchObject({ clusters: [{ name: 'killed', status: 'Incomplete' }] });
        const got = await http(second.url, 'GET', '/clusters/killed');
        const cluster = (got.json as { cluster: { status: string; reason: string } }).cluster;
        expect(cluster.status).toBe('Incomplete');
        expect(cluster.reason).toMatch(/^missing .*Service killed-ui.*Route killed-ui-route$/);
        expectEnvelope(await http(second.url, 'POST', '/clusters', { body: { name: 'killed' } }), 409);
        expect((await http(second.url, 'DELETE', '/clusters/killed')).status).toBe(204);
        expect(kubeInventory(stack.fake, NAMESPACE)).toEqual([]);
        expect((await http(second.url, 'POST', '/clusters', { body: { name: 'killed' } })).status).toBe(201);
        expect((await http(second.url, 'DELETE', '/clusters/killed')).status).toBe(204);
      } finally {
        await first.kill();
        await second?.stop();
      }
    },
    60_000,
  );
});
