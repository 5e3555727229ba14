import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OshinkoClient } from '../src/client/oshinko-client.js';
import { isOurProcess, pidExists, processesWithEnv } from '../src/drivers/local/processes.js';
import { CLUSTER_UID_ENV } from '../src/drivers/local/spark-daemons.js';
import type { RunningServer } from '../src/server/serve.js';
import { allWorkersReady, startLocalServer, tempHome, waitForCluster } from './support/local-spark.js';
import { pollUntil } from './support/poll.js';
import { spawnServer } from './support/server-process.js';

describe('local driver across server restarts', { timeout: 480_000 }, () => {
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
    await client.createCluster({ name: 'keep', config: { workerCount: 2 } });
    await client.createCluster({ name: 'gone', config: { workerCount: 0 } });
    const before = await waitForCluster(client, 'keep', allWorkersReady);
    const gone = await waitForCluster(client, 'gone', (c) => c.status === 'Running');

    await server?.close();
    server = undefined;
    // The daemons outlive the server. While no server watches, all of "gone" and one worker of "keep" die.
    for (const pod of before.pods) expect(pidExists(pod.pid ?? 0)).toBe(true);
    for (const pod of gone.pods) process.kill(pod.pid ?? 0, 'SIGKILL');
    const died = before.pods.find((pod) => pod.name === 'keep-w-2');
    process.kill(died?.pid ?? 0, 'SIGKILL');

    ({ server, client } = await startLocalServer(home));
    const listed = await client.listClusters();
    expect(listed.map((c) => c.name)).toEqual(['gone', 'keep']);
    expect(listed[0]?.status).toBe('Lost');
    expect(listed[1]?.status).not.toBe('Lost');
    const after = await waitForCluster(client, 'keep', allWorkersReady);
    expect(after.masterUrl).toBe(before.masterUrl);
    const pidOf = (cluster: typeof after, name: string) => cluster.pods.find((p) => p.name === name)?.pid;
    const restartsOf = (cluster: typeof after, name: string) =>
      cluster.pods.find((p) => p.name === name)?.restarts;
    // Survivors are adopted as they are; the dead worker was started again, counted as a restart.
    expect(pidOf(after, 'keep-m-1')).toBe(pidOf(before, 'keep-m-1'));
    expect(pidOf(after, 'keep-w-1')).toBe(pidOf(before, 'keep-w-1'));
    expect(pidOf(after, 'keep-w-2')).not.toBe(died?.pid);
    expect(restartsOf(after, 'keep-w-2')).toBe(1);
    // Usable: the master of the adopted cluster has both workers registered.
    const json = (await (await fetch(`${after.masterWebUrl}/json/`)).json()) as {
      workers: { state: string }[];
    };
    expect(json.workers.filter((w) => w.state === 'ALIVE')).toHaveLength(2);

    // Supervision resumes for adopted daemons: a killed worker comes back.
    const worker = after.pods.find((pod) => pod.name === 'keep-w-1');
    process.kill(worker?.pid ?? 0, 'SIGKILL');
    await waitForCluster(client, 'keep', (c) => allWorkersReady(c) && restartsOf(c, 'keep-w-1') === 1);

    const state = JSON.parse(await readFile(join(home, 'clusters', 'keep', 'cluster.json'), 'utf8')) as {
      uid: string;
    };
    await client.deleteCluster('gone');
    await client.deleteCluster('keep');
    expect(await client.listClusters()).toEqual([]);
    expect(await processesWithEnv(CLUSTER_UID_ENV, state.uid)).toEqual([]);
  });

  it('stops the archive run of a server killed during it when the next server starts', async () => {
    const other = await tempHome('oshinko-restart-archive-');
    // The built server as its own process, so that it can be SIGKILLed.
    const killed = await spawnServer({
      args: ['--driver', 'local', '--home', other],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME },
    });
    const first = new OshinkoClient(killed.url, { timeoutMs: 60_000 });
    // The first cluster of the image: once it runs, the archive run starts in the background.
    await first.createCluster({ name: 'first', config: { workerCount: 0 } });
    const cache = join(other, 'cache', 'launch');
    const recorded = await pollUntil(
      async () => {
        for (const name of await readdir(cache).catch(() => [] as string[])) {
          if (!name.startsWith('.staging-')) continue;
          const run = await readFile(join(cache, name, 'run.json'), 'utf8').catch(() => undefined);
          if (run !== undefined)
            return { staging: join(cache, name), pids: (JSON.parse(run) as { pids: number[] }).pids };
        }
        return undefined;
      },
      (found) => found !== undefined,
      () => 'the archive run recorded no JVM',
      { timeoutMs: 180_000, intervalMs: 50 },
    );
    if (recorded === undefined) throw new Error('unreachable');
    await killed.kill();
    // Left running by the killed server (a dead one is a zombie until reaped: isOurProcess says no to those).
    const running = async () => {
      const alive = [];
      for (const pid of recorded.pids) if (await isOurProcess(pid, `${recorded.staging}/`)) alive.push(pid);
      return alive;
    };
    const leftRunning = await running();
    const next = await startLocalServer(other).catch(async (error: unknown) => {
      for (const pid of await running()) process.kill(pid, 'SIGKILL');
      throw error;
    });
    try {
      expect(recorded.pids.length).toBeGreaterThan(0);
      expect(leftRunning).toEqual(recorded.pids);
      expect(await running()).toEqual([]);
      expect(await readdir(cache)).not.toContain(basename(recorded.staging));
    } finally {
      for (const pid of await running()) process.kill(pid, 'SIGKILL');
      await next.client.deleteCluster('first').catch(() => undefined);
      await next.server.close();
    }
  });
});
