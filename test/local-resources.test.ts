/**
 * `masterResources` and `workerResources` on the local driver with real Spark: what the master's own `/json/` says
 * its workers offer, the master's heap on its command line, new workers of a scale-up, and all of it again after a
 * server restart. The first daemons start through spark-class, later ones from the kept launch made meanwhile, so
 * both ways of starting a daemon are seen to carry the cluster's sizes.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel, OshinkoClient } from '../src/client/oshinko-client.js';
import type { RunningServer } from '../src/server/serve.js';
import { pollUntil } from './support/poll.js';
import { allWorkersReady, startLocalServer, tempHome, waitForCluster } from './support/local-spark.js';

interface MasterJson {
  readonly workers: readonly { id: string; port: number; state: string; cores: number; memory: number }[];
}

async function masterJson(cluster: ClusterModel): Promise<MasterJson> {
  return (await (await fetch(`${cluster.masterWebUrl}/json/`)).json()) as MasterJson;
}

/** The ALIVE workers' offers, as the master counts them: [cores, memory MiB] by worker port. */
async function offers(cluster: ClusterModel): Promise<[number, number][]> {
  const json = await masterJson(cluster);
  return json.workers
    .filter((worker) => worker.state === 'ALIVE')
    .sort((a, b) => a.port - b.port)
    .map((worker) => [worker.cores, worker.memory]);
}

/**
 * The master JVM's heap, its last -Xmx (the one the JVM goes by), once its process is java (spark-class starts as
 * bash, then execs the JVM); and whether it started from the kept launch (only that gives it an archive).
 */
async function masterHeap(cluster: ClusterModel): Promise<{ heap: string | undefined; kept: boolean }> {
  const pid = cluster.pods.find((pod) => pod.type === 'master')?.pid ?? 0;
  const args = await pollUntil(
    async () => (await readFile(`/proc/${String(pid)}/cmdline`, 'utf8')).split('\0'),
    (seen) => seen.some((arg) => arg.startsWith('-Xmx')),
    (seen) => `the master (pid ${String(pid)}) never showed an -Xmx: ${JSON.stringify(seen)}`,
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    heap: args.filter((arg) => arg.startsWith('-Xmx')).at(-1),
    kept: args.some((arg) => arg.startsWith('-XX:SharedArchiveFile=')),
  };
}

const SIZES = { masterResources: { cpu: '1', memory: '1Gi' }, workerResources: { cpu: 1, memory: '1Gi' } };

describe('local driver: per-cluster CPU and memory', { timeout: 900_000 }, () => {
  let home: string;
  let server: RunningServer | undefined;
  let client: OshinkoClient;

  beforeAll(async () => {
    home = await tempHome('oshinko-resources-');
    ({ server, client } = await startLocalServer(home));
  });

  afterAll(async () => {
    if (server === undefined) return;
    for (const cluster of await client.listClusters().catch(() => [])) {
      await client.deleteCluster(cluster.name).catch(() => undefined);
    }
    await server.close();
  });

  it("refuses a cluster that sets a UID, naming the field: every process runs as the server's user", async () => {
    const refused = client.createCluster({ name: 'uid', config: { workerCount: 0, runAsUser: 185 } });
    await expect(refused).rejects.toMatchObject({ api: { status: 422, field: 'config.runAsUser' } });
    await expect(refused).rejects.toThrow(/config.runAsUser 185: the local driver runs every Spark process/);
  });

  it("refuses a worker with more memory than the machine has, naming the field and the machine's figure", async () => {
    const refused = client.createCluster({
      name: 'huge',
      config: { workerCount: 1, workerResources: { memory: '100Ti' } },
    });
    await expect(refused).rejects.toMatchObject({
      api: { status: 422, field: 'config.workerResources.memory' },
    });
    await expect(refused).rejects.toThrow(/more than this machine has \(\d+\.\d GiB\)/);
    expect(await client.listClusters()).toEqual([]);
  });

  it("has each worker offer its master the cluster's cores and memory, and sizes the master's heap", async () => {
    const created = await client.createCluster({ name: 'sized', config: { workerCount: 1, ...SIZES } });
    // Reported as given, in every answer.
    expect(created.config.workerResources).toEqual({ cpu: '1', memory: '1Gi' });
    expect(created.config.masterResources).toEqual({ cpu: '1', memory: '1Gi' });
    const ready = await waitForCluster(client, 'sized', allWorkersReady);
    // 1Gi less the worker daemon's 512 MiB and 10 % of the limit: 409 MiB (core/resources.ts, workerOffer).
    expect(await offers(ready)).toEqual([[1, 409]]);
    // Three quarters of 1Gi (masterHeapMiB), through spark-class's SPARK_DAEMON_MEMORY.
    expect(await masterHeap(ready)).toEqual({ heap: '-Xmx768m', kept: false });
    // The master's CPU is taken, and said not to be enforced, not passed over in silence.
    expect(ready.events?.map((event) => event.message).join('\n')).toMatch(
      /config\.masterResources\.cpu "1" is not enforced by the local driver/,
    );
  });

  it('gives the workers of a scale-up the same offer', async () => {
    // The kept launch is made after the first cluster started (a master, a worker and an application: minutes
    // on a loaded machine): new daemons then start from it.
    await pollUntil(
      () => client.info(),
      (info) => info.application.details['default-image-class-data-archive'] === 'ready',
      (info) => `no kept launch: ${JSON.stringify(info.application.details)}`,
      { timeoutMs: 600_000, intervalMs: 1000 },
    );
    const scaled = await client.scaleCluster('sized', { workerCount: 2 });
    expect(scaled.config.workerResources).toEqual({ cpu: '1', memory: '1Gi' });
    const ready = await waitForCluster(client, 'sized', allWorkersReady);
    expect(await offers(ready)).toEqual([
      [1, 409],
      [1, 409],
    ]);
  });

  it('keeps them across a server restart: reported, and given to a restarted master and worker', async () => {
    await server?.close();
    server = undefined;
    ({ server, client } = await startLocalServer(home));
    const adopted = await client.getCluster('sized');
    expect(adopted.config.workerResources).toEqual({ cpu: '1', memory: '1Gi' });
    expect(adopted.config.masterResources).toEqual({ cpu: '1', memory: '1Gi' });

    // Both come back from the kept launch, with the sizes the cluster recorded.
    const restartsOf = (cluster: ClusterModel, name: string) =>
      cluster.pods.find((pod) => pod.name === name)?.restarts ?? 0;
    for (const name of ['sized-m-1', 'sized-w-2']) {
      process.kill(adopted.pods.find((pod) => pod.name === name)?.pid ?? 0, 'SIGKILL');
    }
    const back = await waitForCluster(
      client,
      'sized',
      (c) => allWorkersReady(c) && restartsOf(c, 'sized-m-1') === 1 && restartsOf(c, 'sized-w-2') === 1,
    );
    expect(await masterHeap(back)).toEqual({ heap: '-Xmx768m', kept: true });
    const offered = await pollUntil(
      () => offers(back),
      (seen) => seen.length === 2,
      (seen) => `the restarted master lists the offers ${JSON.stringify(seen)}`,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(offered).toEqual([
      [1, 409],
      [1, 409],
    ]);
  });
});
