import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OshinkoClient } from '../src/client/oshinko-client.js';
import { pidExists, processesWithEnv } from '../src/drivers/local/processes.js';
import { CLUSTER_UID_ENV } from '../src/drivers/local/spark-daemons.js';
import type { RunningServer } from '../src/server/serve.js';
import { allWorkersReady, startLocalServer, tempHome, waitForCluster } from './support/local-spark.js';

describe('local driver across server restarts', { timeout: 240_000 }, () => {
  let home: string;
  let server: RunningServer | undefined;
  let client: OshinkoClient;

  beforeAll(async () => {
    home = await tempHome('oshinko-restart-');
    ({ server, client } = await startLocalServer(home));
  });

  afterAll(async () => {
    if (server === undefined) return;
    for (const cluster of await client.listClusters().catch(() => [])) {
      await client.deleteCluster(cluster.name).catch(() => undefined);
    }
    await server.close();
  });

  it('refuses a second server on the same data directory', async () => {
    await expect(startLocalServer(home)).rejects.toThrow(/another oshinko server \(pid \d+\)/);
  });

  it('re-adopts running clusters, and reports as Lost those whose processes died meanwhile', async () => {
    await client.createCluster({ name: 'keep', config: { workerCount: 1 } });
    await client.createCluster({ name: 'gone', config: { workerCount: 0 } });
    const before = await waitForCluster(client, 'keep', allWorkersReady);
    const gone = await waitForCluster(client, 'gone', (c) => c.status === 'Running');

    await server?.close();
    server = undefined;
    // The daemons outlive the server; the ones of "gone" are killed while no server watches them.
    for (const pod of before.pods) expect(pidExists(pod.pid ?? 0)).toBe(true);
    for (const pod of gone.pods) process.kill(pod.pid ?? 0, 'SIGKILL');

    ({ server, client } = await startLocalServer(home));
    expect((await client.listClusters()).map((c) => [c.name, c.status])).toEqual([
      ['gone', 'Lost'],
      ['keep', 'Running'],
    ]);
    const after = await waitForCluster(client, 'keep', allWorkersReady);
    expect(after.masterUrl).toBe(before.masterUrl);
    expect(after.pods.map((pod) => pod.pid)).toEqual(before.pods.map((pod) => pod.pid));
    // Usable: the master of the adopted cluster still has its worker registered.
    const json = (await (await fetch(`${after.masterWebUrl}/json/`)).json()) as { aliveworkers: number };
    expect(json.aliveworkers).toBe(1);

    // Supervision resumes for adopted daemons: a killed worker comes back.
    const worker = after.pods.find((pod) => pod.type === 'worker');
    process.kill(worker?.pid ?? 0, 'SIGKILL');
    await waitForCluster(client, 'keep', (c) => allWorkersReady(c) && c.pods.some((p) => p.restarts >= 1));

    const state = JSON.parse(await readFile(join(home, 'clusters', 'keep', 'cluster.json'), 'utf8')) as {
      uid: string;
    };
    await client.deleteCluster('gone');
    await client.deleteCluster('keep');
    expect(await client.listClusters()).toEqual([]);
    expect(await processesWithEnv(CLUSTER_UID_ENV, state.uid)).toEqual([]);
  });
});
