/**
 * A worker counts as ready only when the Spark master lists it as ALIVE, on the Kubernetes driver: the real server
 * and the typed client over HTTP, the fake Kubernetes API server answering the service proxy as a master would.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ClusterModel } from '../src/client/oshinko-client.js';
import { ManualClock } from '../src/core/manual-clock.js';
import { createKubernetesDriver } from '../src/drivers/kubernetes/index.js';
import { NAMESPACE, isRunning, kubeStackPerTest, type KubeStack } from './support/kube-stack.js';
import { pollUntil } from './support/poll.js';

const startStack = kubeStackPerTest();

const FAST_MS = 100;
const SLOW_MS = 400;

/**
 * A stack whose driver runs on a manual clock: the masters are asked when the test moves time on (every `FAST_MS`
 * while a worker is not registered, every `SLOW_MS` once all are), never while it reads.
 */
async function start(watch = true): Promise<KubeStack & { clock: ManualClock }> {
  const clock = new ManualClock();
  const stack = await startStack({
    driver: (kubeconfig) =>
      createKubernetesDriver({
        kubeconfig,
        namespace: NAMESPACE,
        watch,
        registrationTimings: { fastMs: FAST_MS, slowMs: SLOW_MS },
        clock,
      }),
  });
  return { ...stack, clock };
}

/**
 * Reads the cluster until `done` holds, moving the clock on by `stepMs` before each read: the asks then due start,
 * and the next read shows their answer (the fake's pods settle in real time, in tens of milliseconds).
 */
function waitForCluster(
  s: KubeStack & { clock: ManualClock },
  name: string,
  done: (cluster: ClusterModel) => boolean,
  stepMs = FAST_MS,
): Promise<ClusterModel> {
  return pollUntil(
    async () => {
      await s.clock.advance(stepMs);
      return s.client.getCluster(name);
    },
    done,
    (cluster) => `cluster ${name} did not settle: ${cluster.status} ${cluster.reason ?? ''}`,
    { timeoutMs: 5000, intervalMs: 25 },
  );
}

/** The master asks the fake has answered for `cluster` (the service proxy to its web UI). */
const asksOf = (s: KubeStack, cluster: string) =>
  s.fake.requests.filter((r) => r.verb === 'proxy' && r.name === `${cluster}-ui:spark-webui`).length;

const workerPods = (cluster: ClusterModel) => cluster.pods.filter((pod) => pod.type === 'worker');

/** Every worker pod is running, and its readiness already reflects what the master says. */
const podsUp = (cluster: ClusterModel) =>
  workerPods(cluster).length === cluster.workers.desired &&
  workerPods(cluster).every((pod) => pod.status === 'Running');

for (const watch of [true, false]) {
  describe(`worker registration (${watch ? 'watch cache' : 'reads from the API'})`, () => {
    it('shows ready worker pods that the master does not list as Creating, and Running once they register', async () => {
      const s = await start(watch);
      s.fake.setWorkersRegistered('lonely', false);
      await s.client.createCluster({ name: 'lonely', config: { workerCount: 2 } });
      const waiting = await waitForCluster(
        s,
        'lonely',
        (c) => podsUp(c) && c.reason === '0/2 workers ready: 2 running, 0 registered with the master',
      );
      expect(waiting).toMatchObject({ status: 'Creating', workers: { desired: 2, ready: 0 } });
      expect(waiting.masters).toEqual({ desired: 1, ready: 1 });
      for (const pod of workerPods(waiting)) {
        expect(pod).toMatchObject({
          status: 'Running',
          ready: false,
          reason: 'not registered with the master',
        });
      }
      // Still so after several asks of the master, one every FAST_MS.
      for (let ask = 1; ask <= 3; ask++) {
        const before = asksOf(s, 'lonely');
        await s.clock.advance(FAST_MS);
        await vi.waitFor(() => {
          expect(asksOf(s, 'lonely')).toBe(before + 1);
        });
        expect((await s.client.getCluster('lonely')).status).toBe('Creating');
      }
      expect((await s.client.listClusters())[0]).toMatchObject({ status: 'Creating', workersReady: 0 });

      s.fake.setWorkersRegistered('lonely', true);
      const running = await waitForCluster(s, 'lonely', isRunning);
      expect(running.workers).toEqual({ desired: 2, ready: 2 });
      expect(workerPods(running).every((pod) => pod.ready && pod.reason === undefined)).toBe(true);
      expect(s.fake.requests.some((r) => r.verb === 'proxy' && r.name === 'lonely-ui:spark-webui')).toBe(
        true,
      );
    });
  });
}

describe('worker registration, when the master cannot be asked', () => {
  it('counts no worker and says why, then counts them once the master answers again', async () => {
    const s = await start();
    const refused = 'error trying to reach service: dial tcp 10.128.0.2:8080: connect: connection refused';
    // The next proxied requests fail: the first asks happen as the pods become ready, and again after each failure.
    for (let nth = 1; nth <= 4; nth++)
      s.fake.failRequest({ verb: 'proxy', nth, status: 502, message: refused });
    await s.client.createCluster({ name: 'mute', config: { workerCount: 1 } });
    const failing = await waitForCluster(s, 'mute', (c) => podsUp(c) && (c.reason ?? '').includes(refused));
    expect(failing).toMatchObject({ status: 'Creating', workers: { desired: 1, ready: 0 } });
    expect(failing.reason).toBe(
      `0/1 workers ready: 1 running, 0 registered with the master (cannot read the master's /json/: Kubernetes answered 502: ${refused})`,
    );
    await waitForCluster(s, 'mute', isRunning);
  });

  it('stops asking the master of a deleted cluster', async () => {
    const s = await start();
    await s.client.createCluster({ name: 'brief', config: { workerCount: 1 } });
    await s.client.createCluster({ name: 'stays', config: { workerCount: 1 } });
    await waitForCluster(s, 'brief', isRunning);
    await waitForCluster(s, 'stays', isRunning);
    await s.client.deleteCluster('brief');
    await vi.waitFor(async () => {
      expect((await s.client.listClusters()).map((c) => c.name)).toEqual(['stays']);
    });
    // Both masters would be due together at each SLOW_MS; only the remaining cluster's is asked.
    s.fake.resetRequests();
    for (let round = 1; round <= 3; round++) {
      await s.clock.advance(SLOW_MS);
      await vi.waitFor(() => {
        expect(asksOf(s, 'stays')).toBe(round);
      });
    }
    expect(asksOf(s, 'brief')).toBe(0);
  });
});
