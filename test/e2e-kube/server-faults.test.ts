/**
 * The oshinko server itself on a real Kubernetes: SIGKILLed in the middle of a create, a scale and a delete, then
 * started again (what a crash, an OOM kill or a node drain does to its pod); and 50 creates and 50 deletes at once.
 * What must hold: whatever a kill left is reported as what it is (never `Running` when it is not), one `DELETE`
 * leaves nothing, and the server's memory comes back. Recorded in docs/hardening.md.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import { pollUntil } from '../support/poll.js';
import { allRegistered, kubectl, kubectlJson, masterJson, sleep, waitForCluster } from './real-cluster.js';
import { serverProcessSuite } from './suite.js';

interface List {
  items: { kind?: string; metadata: { name: string; labels?: Record<string, string> } }[];
}

const memoryFile = join(tmpdir(), `oshinko-server-memory-${String(process.pid)}.json`);

describe('the oshinko server killed, and under load, on a real Kubernetes', () => {
  const suite = serverProcessSuite('e2e-server', {
    env: { OSHINKO_TEST_MEMORY_FILE: memoryFile },
    nodeArgs: ['--expose-gc', '--require', join(import.meta.dirname, 'memory-probe.cjs')],
    teardown: async () => {
      await kubectl(suite.cluster, ['uncordon', suite.cluster.nodeName]);
    },
  });

  /** Every object Kubernetes has for the cluster, whoever made it (ReplicaSets, pods, EndpointSlices included). */
  async function leftovers(name?: string): Promise<string[]> {
    const list = await kubectlJson<List>(suite.cluster, [
      'get',
      'deployments,replicasets,pods,services,endpointslices',
      '-n',
      suite.namespace,
      '-l',
      name === undefined ? 'oshinko-cluster' : `oshinko-cluster=${name}`,
    ]);
    return list.items.map((item) => `${item.kind ?? ''}/${item.metadata.name}`);
  }

  async function waitUntilGone(name?: string, timeoutMs = 120_000): Promise<void> {
    await pollUntil(
      () => leftovers(name),
      (left) => left.length === 0,
      (left) => `${name ?? 'clusters'}: still there after delete: ${left.join(', ')}`,
      { timeoutMs, intervalMs: 1000 },
    );
  }

  /** The cluster as the new server reports it, or undefined (404); a Running answer must be backed by the master. */
  async function truthfully(name: string): Promise<ClusterModel | undefined> {
    let seen: ClusterModel;
    try {
      seen = await suite.client.getCluster(name);
    } catch (error) {
      if ((error as { api?: { status: number } }).api?.status === 404) return undefined;
      throw error;
    }
    if (seen.status === 'Running') {
      const master = await masterJson(suite.cluster, suite.namespace, `${name}-ui`);
      expect(master.workers.filter((w) => w.state === 'ALIVE').length).toBeGreaterThanOrEqual(
        seen.workers.ready,
      );
    }
    return seen;
  }

  /** A kill at each of these moments after the request was sent: before it arrives, between writes, after. */
  const DELAYS_MS = [0, 25, 60, 120, 400];

  /** Runs `work` with the node cordoned: pods stay Pending, so what is under test is the API, not Spark. */
  async function cordoned(work: () => Promise<void>): Promise<void> {
    await kubectl(suite.cluster, ['cordon', suite.cluster.nodeName]);
    try {
      await work();
    } finally {
      await kubectl(suite.cluster, ['uncordon', suite.cluster.nodeName]);
    }
  }

  it('SIGKILLed in the middle of create: the new server reports what was left as it is, and DELETE removes it', async () => {
    const outcomes: string[] = [];
    await cordoned(async () => {
      for (const [i, delay] of DELAYS_MS.entries()) {
        const name = `kill-create-${String(i)}`;
        const request = suite.client
          .createCluster({ name, config: { workerCount: 1 } })
          .catch(() => undefined);
        await sleep(delay);
        await suite.restart();
        await request;
        const seen = await truthfully(name);
        if (seen === undefined) {
          // Not created at all: nothing of it may be left behind where no API call can reach it.
          expect(await leftovers(name)).toEqual([]);
          outcomes.push(`${String(delay)} ms: not created`);
          continue;
        }
        outcomes.push(
          `${String(delay)} ms: ${seen.status}${seen.reason === undefined ? '' : ` (${seen.reason})`}`,
        );
        await suite.client.deleteCluster(name);
        await waitUntilGone(name);
        // The name is free again.
        await expect(suite.client.getCluster(name)).rejects.toMatchObject({ api: { status: 404 } });
      }
    });
    console.log(`killed during create:\n  ${outcomes.join('\n  ')}`);
  });

  it('SIGKILLed in the middle of scale and of delete: never Running when it is not, and one DELETE leaves nothing', async () => {
    const name = 'kill-ops';
    await suite.client.createCluster({ name, config: { workerCount: 1 } });
    await waitForCluster(suite.client, name, allRegistered);
    const scaled: string[] = [];
    for (const delay of [0, 30, 120]) {
      const target = scaled.length % 2 === 0 ? 2 : 1;
      const request = suite.client.scaleCluster(name, { workerCount: target }).catch(() => undefined);
      await sleep(delay);
      await suite.restart();
      await request;
      const seen = await truthfully(name);
      scaled.push(
        `${String(delay)} ms: workers ${String(seen?.workers.desired)} (${seen?.status ?? 'gone'})`,
      );
      // Whatever count stands, the cluster settles on it by itself, every worker registered.
      await waitForCluster(suite.client, name, allRegistered);
    }
    console.log(`killed during scale:\n  ${scaled.join('\n  ')}`);

    const deleted: string[] = [];
    await cordoned(async () => {
      for (const [i, delay] of [0, 20, 80].entries()) {
        const victim = `kill-delete-${String(i)}`;
        await suite.client.createCluster({ name: victim, config: { workerCount: 1 } });
        const request = suite.client.deleteCluster(victim).catch(() => undefined);
        await sleep(delay);
        await suite.restart();
        await request;
        const seen = await truthfully(victim);
        deleted.push(`${String(delay)} ms: ${seen === undefined ? 'gone' : seen.status}`);
        if (seen !== undefined && seen.status !== 'Deleting') await suite.client.deleteCluster(victim);
        await waitUntilGone(victim);
      }
    });
    console.log(`killed during delete:\n  ${deleted.join('\n  ')}`);
    await suite.client.deleteCluster(name);
    await waitUntilGone(name);
  });

  /**
   * The server's live heap after a full collection, in MiB: the server runs with `memory-probe.cjs` preloaded, which
   * collects and writes process.memoryUsage() on SIGUSR2. RSS would not do: V8 gives memory back to the kernel at
   * its own pace (seen: 182, 243, then 294 MiB RSS for a heap that had come back).
   */
  async function heapMiB(): Promise<{ heap: number; rss: number }> {
    rmSync(memoryFile, { force: true });
    process.kill(suite.server.pid, 'SIGUSR2');
    const usage = await pollUntil(
      () => Promise.resolve(existsSync(memoryFile) ? readFileSync(memoryFile, 'utf8') : ''),
      (text) => text.endsWith('}'),
      () => 'the server did not write its memory usage',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const { heapUsed, rss } = JSON.parse(usage) as { heapUsed: number; rss: number };
    return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
  }

  async function burst(round: number): Promise<void> {
    const names = Array.from({ length: 50 }, (_, i) => `load-${String(round)}-${String(i)}`);
    const created = await Promise.allSettled(
      names.map((name) => suite.client.createCluster({ name, config: { workerCount: 1 } })),
    );
    const refused = created.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [`${names[i] ?? ''}: ${String(outcome.reason)}`] : [],
    );
    // Every create answers: 201, or an error that says what went wrong (never a bare 500).
    for (const reason of refused) expect(reason).not.toMatch(/internal|HTTP 500/i);
    expect(refused, refused.join('\n')).toEqual([]);
    // Every created cluster is whole: all its objects exist (its pods stay Pending on the cordoned node).
    const list = await suite.client.listClusters();
    const mine = list.filter((c) => c.name.startsWith(`load-${String(round)}-`));
    expect(mine).toHaveLength(50);
    for (const summary of mine) expect(summary.status).toBe('Creating');
    const deleted = await Promise.allSettled(names.map((name) => suite.client.deleteCluster(name)));
    const failed = deleted.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [`${names[i] ?? ''}: ${String(outcome.reason)}`] : [],
    );
    expect(failed, failed.join('\n')).toEqual([]);
    await waitUntilGone(undefined, 180_000);
  }

  it('50 creates at once and 50 deletes at once: all answered, all whole, nothing left, memory back', async () => {
    // Pods stay Pending: 100 Spark daemons do not fit on the test node, and the API is what is under test.
    await cordoned(async () => {
      // One create and delete first, so that the figures compare a warmed-up server with itself.
      await suite.client.createCluster({ name: 'warm-up', config: { workerCount: 1 } });
      await suite.client.deleteCluster('warm-up');
      await waitUntilGone('warm-up');
      await sleep(2000);
      const before = await heapMiB();
      const started = Date.now();
      await burst(1);
      const first = Date.now() - started;
      await sleep(2000);
      const afterFirst = await heapMiB();
      await burst(2);
      await sleep(2000);
      const afterSecond = await heapMiB();
      const figures = (m: { heap: number; rss: number }) =>
        `heap ${m.heap.toFixed(1)} (RSS ${m.rss.toFixed(0)})`;
      console.log(
        `load: 50 creates + 50 deletes + all gone in ${(first / 1000).toFixed(1)} s; MiB ${figures(before)} before, ${figures(afterFirst)} after one round, ${figures(afterSecond)} after two`,
      );
      // Memory comes back: the live heap after two rounds is where it was before, give or take what the namespace's
      // Events of those clusters take in the watch cache (Kubernetes keeps them an hour), and the second round
      // kept no more than the first.
      expect(afterSecond.heap).toBeLessThan(before.heap + 16);
      expect(afterSecond.heap).toBeLessThan(afterFirst.heap + 8);
    });
  });
});
