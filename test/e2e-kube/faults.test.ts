/**
 * Faults on a real Kubernetes, each as a user meets it: a master pod replaced (a drain, an eviction, an OOM kill), a
 * worker pod deleted, a Spark worker process killed in its container. What the user must see: every worker back
 * with the new master within a bound and without anyone acting, and a status that never says `Running` while the
 * master's own list of workers says otherwise. Recorded in docs/hardening.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel, OshinkoClient } from '../../src/client/oshinko-client.js';
import type { RunningServer } from '../../src/server/serve.js';
import {
  allRegistered,
  baseImageArchive,
  createNamespace,
  kubectl,
  masterJson,
  podsOf,
  requireRealCluster,
  sleep,
  startServer,
  waitForCluster,
  type RealCluster,
} from './real-cluster.js';

/** The stated bound: a replaced master has every worker back within this long of its deletion (docs/kubernetes.md). */
const HEAL_BOUND_MS = 120_000;

describe('faults on a real Kubernetes', () => {
  let cluster: RealCluster;
  let namespace: { name: string; remove: () => Promise<void> } | undefined;
  let ns = '';
  let server: RunningServer | undefined;
  let client: OshinkoClient;

  beforeAll(async () => {
    cluster = requireRealCluster();
    const { image } = await baseImageArchive();
    namespace = await createNamespace(cluster, 'e2e-faults');
    ns = namespace.name;
    ({ server, client } = await startServer(cluster, ns, image));
  });

  afterAll(async () => {
    await server?.close();
    await namespace?.remove();
  });

  /** The hosts the master lists as ALIVE, or undefined while it cannot be asked (no ready master behind the Service). */
  async function aliveHosts(name: string): Promise<string[] | undefined> {
    try {
      const json = await masterJson(cluster, ns, `${name}-ui`);
      return json.workers.filter((w) => w.state === 'ALIVE').map((w) => w.host);
    } catch {
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
      const seen = await client.getCluster(name);
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
    await client.createCluster({ name, config: { workerCount: workers } });
    await waitForCluster(client, name, allRegistered);
    const before = await podsOf(cluster, ns, name);
    const oldMaster = before.find((pod) => pod.type === 'master');
    const workerPods = before.filter((pod) => pod.type === 'worker');
    expect(oldMaster).toBeDefined();

    const deletedAt = Date.now();
    await kubectl(cluster, ['delete', 'pod', '-n', ns, oldMaster?.name ?? '', '--wait=false']);
    // The master going away is seen at once: the cluster stops being Running (no remembered state).
    await waitForCluster(client, name, (seen) => seen.status !== 'Running', 10_000);
    const { last, reasons } = await watchTruthfully(
      name,
      (seen) =>
        allRegistered(seen) && seen.pods.some((pod) => pod.type === 'master' && pod.name !== oldMaster?.name),
      HEAL_BOUND_MS,
    );
    const healedAfter = Date.now() - deletedAt;

    // Every worker is back with the new master, by re-registering: the same pods, not replaced ones.
    const after = await podsOf(cluster, ns, name);
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
    await client.deleteCluster(name);
  }

  it('a replaced master pod gets its only worker back, without anyone acting', async () => {
    await masterReplacedWith(1);
  });

  it('a replaced master pod gets all three workers back, without anyone acting', async () => {
    await masterReplacedWith(3);
  });
});
