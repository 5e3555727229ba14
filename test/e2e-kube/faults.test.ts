/**
 * Faults on a real Kubernetes, each as a user meets it: a master pod replaced (a drain, an eviction, an OOM kill), a
 * worker pod deleted, a Spark worker process killed in its container, the API server, etcd and the kubelet killed
 * and brought back. What the user must see: every worker back with its master within a bound and without anyone
 * acting, reads that fail rather than remember, and a status that never says `Running` while the master's own list
 * of workers says otherwise. Recorded in docs/hardening.md.
 */
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import {
  daemonPid,
  WORKER_CLASS,
  allRegistered,
  killComponent,
  kubectl,
  masterJson,
  podsOf,
  repairCluster,
  sleep,
  waitForCluster,
} from './real-cluster.js';
import { servedSuite } from './suite.js';

/** The stated bound: a replaced master has every worker back within this long of its deletion (docs/kubernetes.md). */
const HEAL_BOUND_MS = 120_000;

describe('faults on a real Kubernetes', () => {
  const suite = servedSuite('e2e-faults');

  /** The hosts the master lists as ALIVE, or undefined while it cannot be asked (no ready master behind the Service). */
  async function aliveHosts(name: string): Promise<string[] | undefined> {
    try {
      const json = await masterJson(suite.cluster, suite.namespace, `${name}-ui`);
      return json.workers.filter((w) => w.state === 'ALIVE').map((w) => w.host);
    } catch (error) {
      // kubectl's refusal (no ready endpoint behind the Service) means "not now"; anything else is a failure.
      if (typeof (error as { stderr?: unknown }).stderr !== 'string') throw error;
      return undefined;
    }
  }

  /**
   * Polls the cluster until `done`, checking on every answer that a `Running` status is backed by the master: right
   * after oshinko says `Running` with N workers ready, the master itself lists N workers ALIVE. Returns what was seen.
   */
  async function watchTruthfully(
    name: string,
    done: (seen: ClusterModel) => boolean,
    timeoutMs: number,
  ): Promise<{ last: ClusterModel; reasons: Set<string>; statuses: Set<string> }> {
    const reasons = new Set<string>();
    const statuses = new Set<string>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await suite.client.getCluster(name);
      statuses.add(seen.status);
      if (seen.reason !== undefined) reasons.add(seen.reason);
      if (seen.status === 'Running') {
        const alive = await aliveHosts(name);
        expect(
          alive?.length,
          `oshinko said Running with ${seen.workers.ready} workers`,
        ).toBeGreaterThanOrEqual(seen.workers.ready);
      }
      if (done(seen)) return { last: seen, reasons, statuses };
      if (Date.now() > deadline) {
        throw new Error(`${name} did not settle in ${timeoutMs} ms; last: ${JSON.stringify(seen)}`);
      }
      await sleep(500);
    }
  }

  async function masterReplacedWith(workers: number): Promise<void> {
    const name = `heal-${workers}`;
    await suite.client.createCluster({ name, config: { workerCount: workers } });
    await waitForCluster(suite.client, name, allRegistered);
    const before = await podsOf(suite.cluster, suite.namespace, name);
    const oldMaster = before.find((pod) => pod.type === 'master');
    const workerPods = before.filter((pod) => pod.type === 'worker');
    expect(oldMaster).toBeDefined();

    const deletedAt = Date.now();
    await kubectl(suite.cluster, [
      'delete',
      'pod',
      '-n',
      suite.namespace,
      oldMaster?.name ?? '',
      '--wait=false',
    ]);
    // The master going away is seen at once: the cluster stops being Running (no remembered state).
    await waitForCluster(suite.client, name, (seen) => seen.status !== 'Running', 10_000);
    const { last, reasons } = await watchTruthfully(
      name,
      (seen) =>
        allRegistered(seen) && seen.pods.some((pod) => pod.type === 'master' && pod.name !== oldMaster?.name),
      HEAL_BOUND_MS,
    );
    const healedAfter = Date.now() - deletedAt;

    // Every worker is back with the new master, by re-registering: the same pods, not replaced ones.
    const after = await podsOf(suite.cluster, suite.namespace, name);
    const alive = await aliveHosts(name);
    expect(alive?.sort()).toEqual(workerPods.map((pod) => pod.ip).sort());
    expect(
      after
        .filter((pod) => pod.type === 'worker')
        .map((pod) => pod.name)
        .sort(),
    ).toEqual(workerPods.map((pod) => pod.name).sort());
    expect(last.workers).toEqual({ desired: workers, ready: workers });
    // While they were away, the status said why: the master was replaced.
    expect([...reasons].join('\n')).toMatch(/master .*(replaced|restarted)/);
    console.log(`${name}: master replaced, ${workers} workers back in ${(healedAfter / 1000).toFixed(1)} s`);
    await suite.client.deleteCluster(name);
  }

  it('a replaced master pod gets its only worker back, without anyone acting', async () => {
    await masterReplacedWith(1);
  });

  it('a replaced master pod gets all three workers back, without anyone acting', async () => {
    await masterReplacedWith(3);
  });

  it('a deleted worker pod is replaced and registers; a killed worker JVM restarts in place and registers', async () => {
    const name = 'workers';
    await suite.client.createCluster({ name, config: { workerCount: 2 } });
    await waitForCluster(suite.client, name, allRegistered);
    const [first, second] = (await podsOf(suite.cluster, suite.namespace, name)).filter(
      (pod) => pod.type === 'worker',
    );
    if (first === undefined || second === undefined) throw new Error('two workers expected');

    await kubectl(suite.cluster, ['delete', 'pod', '-n', suite.namespace, first.name, '--wait=false']);
    await waitForCluster(suite.client, name, (seen) => seen.status !== 'Running', 10_000);
    const replaced = await watchTruthfully(name, allRegistered, HEAL_BOUND_MS);
    const newcomer = replaced.last.pods.find((pod) => pod.type === 'worker' && pod.name !== second.name);
    expect(newcomer?.name).not.toBe(first.name);
    expect((await aliveHosts(name))?.sort()).toEqual([newcomer?.ip, second.ip].sort());

    process.kill(daemonPid(WORKER_CLASS, second.ip), 'SIGKILL');
    await waitForCluster(suite.client, name, (seen) => seen.status !== 'Running', 30_000);
    const { last } = await watchTruthfully(name, allRegistered, HEAL_BOUND_MS);
    const restarted = last.pods.find((pod) => pod.name === second.name);
    // The same pod, its container restarted (shown), registered again with the master under the same IP.
    expect(restarted?.restarts).toBeGreaterThanOrEqual(1);
    expect(restarted?.ready).toBe(true);
    expect(
      (await masterJson(suite.cluster, suite.namespace, `${name}-ui`)).workers.filter(
        (w) => w.state === 'ALIVE',
      ),
    ).toHaveLength(2);
  });

  /** GET / says where reads come from: `watch cache, live` once the cache answers again. */
  async function reads(): Promise<string> {
    const info = (await fetch(new URL('/', suite.server.url)).then((r) => r.json())) as {
      application?: { details?: { reads?: string } };
    };
    return info.application?.details?.reads ?? '';
  }

  async function expectUnavailable(name: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await fetch(new URL(`/clusters/${name}`, suite.server.url));
      if (answer.status === 503) return JSON.stringify(await answer.json());
      // Never a 5xx other than 503 (or 504 while a request to a dead API times out), never a remembered answer
      // once the API is known to be gone.
      expect([200, 503, 504]).toContain(answer.status);
      if (Date.now() > deadline)
        throw new Error(`reads still answered ${answer.status} after ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  for (const component of ['kube-apiserver', 'etcd'] as const) {
    it(`${component} killed: reads answer 503; back, the cache is live again and sees a change made with kubectl`, async () => {
      const name = 'workers';
      await waitForCluster(suite.client, name, allRegistered);
      expect(await reads()).toBe('watch cache, live');
      await killComponent(suite.cluster, component);
      try {
        const body = await expectUnavailable(name, 30_000);
        expect(body).toMatch(/Kubernetes/);
      } finally {
        await repairCluster();
      }
      // A change made with kubectl as soon as the API is back, while the server's watches are being resumed.
      await kubectl(suite.cluster, [
        'scale',
        'deployment',
        '-n',
        suite.namespace,
        `${name}-w`,
        '--replicas=1',
      ]);
      // The server learns the API is back within its readiness interval (1 s while it is not ready).
      const back = Date.now();
      await pollUntil(
        () =>
          suite.client.getCluster(name).then(
            () => true,
            () => false,
          ),
        (ok) => ok,
        () => 'reads still fail 10 s after the API server was back',
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      console.log(`${component}: reads answer again ${String(Date.now() - back)} ms after the repair`);
      const seen = await waitForCluster(suite.client, name, (c) => c.workers.desired === 1, 60_000);
      expect(seen.workers.desired).toBe(1);
      await waitForCluster(suite.client, name, allRegistered, 60_000);
      expect(await reads()).toBe('watch cache, live');
      await suite.client.scaleCluster(name, { workerCount: 2 });
      await waitForCluster(suite.client, name, allRegistered);
    });
  }

  it('kubelet killed: the cluster is Degraded naming the node once Kubernetes says so; kubelet back: Running', async () => {
    const name = 'workers';
    await waitForCluster(suite.client, name, allRegistered);
    await killComponent(suite.cluster, 'kubelet');
    let degraded: ClusterModel;
    try {
      // The node controller marks the node's pods not ready after its grace period (about 40 s).
      degraded = await waitForCluster(suite.client, name, (seen) => seen.status === 'Degraded', 120_000);
    } finally {
      await repairCluster();
    }
    expect(degraded.reason).toContain(`node ${suite.cluster.nodeName} is not ready`);
    await waitForCluster(suite.client, name, allRegistered, 120_000);
    await suite.client.deleteCluster(name);
  });
});
