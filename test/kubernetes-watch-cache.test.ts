/**
 * The Kubernetes driver's watch cache, end to end: the real server and the typed client over HTTP, the fake
 * Kubernetes API server serving real watches. What matters is that the cache is never less truthful than reading
 * the API: a write is visible to the next read, others' changes arrive, and a cut or expired watch never serves
 * an old state.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../src/client/oshinko-client.js';
import {
  kubeStackPerTest,
  NAMESPACE,
  readRequests,
  waitForCluster,
  type KubeStack,
} from './support/kube-stack.js';
import { pollUntil } from './support/poll.js';
import { createKubernetesDriver } from '../src/drivers/kubernetes/index.js';

const startStack = kubeStackPerTest();
const start = (env: Record<string, string> = {}) => startStack({ env });

/** A change made by someone else (kubectl, another tool) straight to the Kubernetes API. */
async function kubectlScale(s: KubeStack, deployment: string, replicas: number): Promise<void> {
  const response = await fetch(
    `${s.fake.url}/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${deployment}`,
    {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${s.fake.bearerToken}`,
        'content-type': 'application/merge-patch+json',
      },
      body: JSON.stringify({ spec: { replicas } }),
    },
  );
  expect(response.status).toBe(200);
}

const until = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> =>
  pollUntil(read, done, (last) => `${what} did not happen: ${JSON.stringify(last)}`, {
    timeoutMs: 5000,
    intervalMs: 20,
  });

const reads = async (s: KubeStack) => (await s.client.info()).application.details.reads;

describe('the watch cache', () => {
  it('serves reads without API requests once live; with OSHINKO_KUBE_WATCH=false every read lists', async () => {
    const cached = await start();
    await cached.client.createCluster({ name: 'one' });
    expect(await reads(cached)).toBe('watch cache, live');
    cached.fake.resetRequests();
    await cached.client.listClusters();
    await cached.client.getCluster('one');
    expect(readRequests(cached.fake)).toEqual([]);
    await cached.close();

    const direct = await start({ OSHINKO_KUBE_WATCH: 'false' });
    await direct.client.createCluster({ name: 'one' });
    expect(await reads(direct)).toBe('from the API on every request (watch disabled)');
    direct.fake.resetRequests();
    await direct.client.listClusters();
    expect(
      readRequests(direct.fake)
        .map((r) => `${r.verb} ${r.resource}`)
        .sort(),
    ).toEqual(['list deployments', 'list pods', 'list services']);
    expect(direct.fake.requests.some((r) => r.verb === 'watch')).toBe(false);
  });

  it('shows each write of this server to the very next read (create, scale, delete, repeatedly)', async () => {
    const s = await start();
    for (let i = 0; i < 10; i++) {
      const name = `rw-${String(i)}`;
      await s.client.createCluster({ name, config: { workerCount: 1 } });
      expect((await s.client.listClusters()).map((c) => c.name)).toContain(name);
      expect((await s.client.getCluster(name)).config.workerCount).toBe(1);
      await s.client.scaleCluster(name, { workerCount: 3 });
      expect((await s.client.getCluster(name)).config.workerCount).toBe(3);
      expect((await s.client.listClusters()).find((c) => c.name === name)?.workerCount).toBe(3);
      await s.client.deleteCluster(name);
      expect((await s.client.listClusters()).map((c) => c.name)).not.toContain(name);
      await expect(s.client.getCluster(name)).rejects.toMatchObject({ name: 'NotFoundError' });
    }
  });

  it('shows changes made by others, and pods becoming ready, as their watch events arrive', async () => {
    const s = await start();
    await s.client.createCluster({ name: 'shared', config: { workerCount: 1 } });
    const running = await waitForCluster(s.client, 'shared', (c) => c.status === 'Running');
    expect(running.workers.ready).toBe(1);
    await kubectlScale(s, 'shared-w', 2);
    const scaled = await until(
      () => s.client.getCluster('shared'),
      (c: ClusterModel) => c.config.workerCount === 2 && c.workers.ready === 2,
      'the scale by kubectl showing',
    );
    expect(scaled.status).toBe('Running');
  });

  it('after its watches are cut, reads the API until they are back, and misses nothing that changed meanwhile', async () => {
    const s = await start();
    await s.client.createCluster({ name: 'cut', config: { workerCount: 1 } });
    await waitForCluster(s.client, 'cut', (c) => c.status === 'Running');
    expect(s.fake.dropWatches()).toBeGreaterThanOrEqual(4);
    // A change while no watch is open: the resumed watches deliver it from the history.
    await kubectlScale(s, 'cut-w', 3);
    s.fake.resetRequests();
    const seen = await until(
      () => s.client.getCluster('cut'),
      (c: ClusterModel) => c.config.workerCount === 3,
      'the scale made during the cut showing',
    );
    expect(seen.config.workerCount).toBe(3);
    await until(
      () => reads(s),
      (r) => r === 'watch cache, live',
      'the cache coming back',
    );
    expect(s.fake.requests.filter((r) => r.verb === 'watch').length).toBeGreaterThanOrEqual(4);
    // Resumed from where they were, not listed again (the reads meanwhile listed one cluster's objects).
    expect(s.fake.requests.filter((r) => r.verb === 'list' && r.labelSelector === 'oshinko-cluster')).toEqual(
      [],
    );
    s.fake.resetRequests();
    expect((await s.client.getCluster('cut')).config.workerCount).toBe(3);
    expect(readRequests(s.fake)).toEqual([]);
  });

  it('lists again when its version has left the API server history (410), dropping what was deleted meanwhile', async () => {
    const s = await start();
    await s.client.createCluster({ name: 'stays' });
    await s.client.createCluster({ name: 'goes' });
    s.fake.dropWatches();
    for (const name of ['goes-m', 'goes-w']) s.fake.remove('deployments', NAMESPACE, name);
    for (const name of ['goes', 'goes-ui', 'goes-metrics']) s.fake.remove('services', NAMESPACE, name);
    s.fake.expireWatchHistory();
    const names = await until(
      async () => (await s.client.listClusters()).map((c) => c.name),
      (list) => list.length === 1,
      'the deleted cluster disappearing',
    );
    expect(names).toEqual(['stays']);
    await until(
      () => reads(s),
      (r) => r === 'watch cache, live',
      'the cache coming back',
    );
    expect(s.fake.requests.some((r) => r.verb === 'list' && r.resource === 'deployments')).toBe(true);
    expect((await s.client.listClusters()).map((c) => c.name)).toEqual(['stays']);
  });

  it('answers 503 at once while the API server says its storage is gone, and is live again after', async () => {
    const s = await startStack({
      driver: (kubeconfig) =>
        createKubernetesDriver({
          kubeconfig,
          namespace: NAMESPACE,
          watchTimings: { readinessMs: 1000 },
        }),
    });
    await s.client.createCluster({ name: 'one' });
    await waitForCluster(s.client, 'one', (c) => c.status === 'Running');
    expect(await reads(s)).toBe('watch cache, live');
    // etcd gone: the API server keeps the watches open and silent, and says so only in /readyz.
    s.fake.setReadyz(
      '[+]ping ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n',
    );
    const error = await until(
      () =>
        s.client.getCluster('one').then(
          () => undefined,
          (e: unknown) => e,
        ),
      (e) => e !== undefined,
      'a 503',
    );
    expect(error).toMatchObject({
      api: { status: 503 },
      message: 'the Kubernetes API server cannot reach its storage (GET /readyz: etcd failed)',
    });
    await expect(s.client.listClusters()).rejects.toMatchObject({ api: { status: 503 } });
    expect(await reads(s)).toBe(
      'none: the Kubernetes API server cannot reach its storage (GET /readyz: etcd failed)',
    );
    s.fake.setReadyz(undefined);
    await until(
      () => reads(s),
      (r) => r === 'watch cache, live',
      'live again',
    );
    expect((await s.client.getCluster('one')).status).toBe('Running');
  });

  it('reports the events of one cluster from the watched events', async () => {
    const s = await start();
    s.fake.missingImages.add('quay.io/nowhere/spark:1');
    await s.client.createCluster({ name: 'pull', config: { sparkImage: 'quay.io/nowhere/spark:1' } });
    const degraded = await waitForCluster(s.client, 'pull', (c) => c.status === 'Degraded');
    expect(degraded.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    s.fake.resetRequests();
    const cluster = await until(
      () => s.client.getCluster('pull'),
      (c: ClusterModel) => (c.events ?? []).some((e) => e.type === 'Warning'),
      'a Warning event showing',
    );
    expect(cluster.events?.some((e) => (e.object ?? '').startsWith('Pod/pull-'))).toBe(true);
    expect(s.fake.requests.filter((r) => r.resource === 'events')).toEqual([]);
  });
});
