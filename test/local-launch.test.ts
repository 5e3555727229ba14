/**
 * Kept launches with real Spark: the run that makes an image's class-data-sharing archives, then clusters whose
 * daemons start from them (java directly, C1 only, the archive), a built image's conf still reaching the executors,
 * and an archive that does not fit, which must not stop a start.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OshinkoClient } from '../src/client/oshinko-client.js';
import { LocalImageStore } from '../src/drivers/local/image-store.js';
import { runtimeSparkHome } from '../src/drivers/local/spark-home.js';
import { LaunchCache } from '../src/drivers/local/launch-cache.js';
import { HomeLayout } from '../src/drivers/local/layout.js';
import { daemonEnv, DEFAULT_RESOURCES } from '../src/drivers/local/spark-daemons.js';
import type { RunningServer } from '../src/server/serve.js';
import {
  allWorkersReady,
  runProbe,
  startLocalServer,
  tempHome,
  waitForCluster,
  writeProbeJar,
} from './support/local-spark.js';

describe('local driver: kept launches and class-data-sharing archives', { timeout: 900_000 }, () => {
  let home: string;
  let layout: HomeLayout;
  let server: RunningServer | undefined;
  let client: OshinkoClient;
  const CUSTOM = 'team/launch:1';

  beforeAll(async () => {
    home = await tempHome('oshinko-launch-');
    layout = new HomeLayout(home);
    const store = new LocalImageStore(layout);
    const runtime = await store.registerDefault(runtimeSparkHome({ sparkHome: undefined }));
    const module = join(home, 'oshinko_probe_module.py');
    await writeFile(module, 'MAGIC = "custom-module-ok"\n');
    const jar = join(home, 'probe.jar');
    writeProbeJar(jar);
    const custom = await store.build(CUSTOM, {
      from: runtime.ref,
      pyFiles: [module],
      jars: [jar],
      env: { OSHINKO_IMAGE_ENV: 'custom' },
    });
    // Made before the server starts, as a first cluster would have them made; the server runs with this
    // process's environment, so the keys are the same.
    const cache = new LaunchCache(layout.launchCache, { makeArchives: true });
    for (const image of [runtime, custom]) {
      const env = daemonEnv(image, DEFAULT_RESOURCES, process.env);
      const { key } = await cache.find(image, env);
      const made = new Promise<Error | undefined>((resolve) => {
        cache.prepare(key, image, env, resolve);
      });
      expect(await made).toBeUndefined();
      const found = await cache.find(image, env);
      expect(found.problem).toBeUndefined();
      expect(found.state).toBe('ready');
    }
    ({ server, client } = await startLocalServer(home));
    // Two runs of a master and a worker, one with an application: on a loaded machine minutes.
  }, 900_000);

  afterAll(async () => {
    if (server === undefined) return;
    for (const cluster of await client.listClusters().catch(() => [])) {
      await client.deleteCluster(cluster.name).catch(() => undefined);
    }
    await server.close();
  });

  /** The command line of a cluster's daemon, from /proc. */
  async function daemonCommand(cluster: string, type: 'master' | 'worker'): Promise<string[]> {
    const details = await client.getCluster(cluster);
    const pod = details.pods.find((p) => p.type === type);
    const pid = pod?.pid;
    if (pid === undefined) throw new Error(`no ${type} pid in ${JSON.stringify(details.pods)}`);
    return (await readFile(`/proc/${String(pid)}/cmdline`, 'utf8')).split('\0');
  }

  it("says in GET / that the default image has its archives, its daemons' and its executors'", async () => {
    const info = await client.info();
    expect(info.application.details['default-image-class-data-archive']).toBe('ready');
    expect(info.application.details['default-image-executor-archive']).toBe('ready');
  });

  it('gives the executors of a default-image cluster their archive, and the workers keep their own', async () => {
    await client.createCluster({ name: 'plain', config: { workerCount: 1 } });
    const ready = await waitForCluster(client, 'plain', allWorkersReady);
    const runtime = await new LocalImageStore(layout).require('spark:4.3.0');
    const seen = await runProbe(runtime.sparkHome, ready.masterUrl, home);
    expect(seen.archives).toEqual(['classes.jsa', 'executor.jsa']);
    const worker = ready.pods.find((p) => p.type === 'worker')?.pid;
    if (worker === undefined) throw new Error(`no worker pid in ${JSON.stringify(ready.pods)}`);
    const maps = await readFile(`/proc/${String(worker)}/maps`, 'utf8');
    expect(maps).toContain('/worker.jsa');
    expect(maps).not.toContain('/executor.jsa');
    await client.deleteCluster('plain');
  });

  it('starts the daemons as java with the archive and C1 only, and the image still reaches the executors', async () => {
    await client.createCluster({ name: 'kept', config: { workerCount: 2, sparkImage: CUSTOM } });
    const ready = await waitForCluster(client, 'kept', allWorkersReady);
    for (const type of ['master', 'worker'] as const) {
      const command = await daemonCommand('kept', type);
      expect(command[0]).toMatch(/\/java$/);
      expect(command).toContain('-XX:TieredStopAtLevel=1');
      expect(command.find((arg) => arg.startsWith('-XX:SharedArchiveFile='))).toMatch(
        new RegExp(`/cache/launch/[0-9a-f]{20}/${type}\\.jsa$`),
      );
    }
    // spark-env.sh of the built image was read: its jar, module and --env are on the executors.
    const customHome = layout.imageDir(CUSTOM);
    const seen = await runProbe(customHome, ready.masterUrl, home);
    expect(seen).toMatchObject({ module: 'custom-module-ok', imageEnv: 'custom' });
    expect(seen.jarResource).toMatch(/probe\.jar!\/oshinko-probe\.txt$/);
    // A built image's conf dir comes first on its executors' class path and is not empty: they have no archive
    // of their own and run with the JDK's.
    expect(seen.archives).toEqual(['classes.jsa']);
    const custom = await new LocalImageStore(layout).require(CUSTOM);
    const found = await new LaunchCache(layout.launchCache, { makeArchives: true }).find(
      custom,
      daemonEnv(custom, DEFAULT_RESOURCES, process.env),
    );
    expect(found.launch?.executorArchive).toBeUndefined();
    expect(found.executorProblem).toMatch(/begins with the conf dir .*, which is not empty/);
  });

  it('starts a cluster whose archive does not fit (damaged here): the JVM runs without it', async () => {
    const cache = new LaunchCache(layout.launchCache, { makeArchives: true });
    const runtime = await new LocalImageStore(layout).require('spark:4.3.0');
    const found = await cache.find(runtime, daemonEnv(runtime, DEFAULT_RESOURCES, process.env));
    const archives = found.launch?.archives;
    if (archives === undefined) throw new Error('the runtime image has no archive');
    const executorArchive = found.launch?.executorArchive;
    if (executorArchive === undefined) throw new Error("the runtime image has no executors' archive");
    for (const file of [archives.master, archives.worker, executorArchive]) {
      await chmod(file, 0o644);
      await writeFile(file, 'not an archive');
    }
    await client.createCluster({ name: 'unfit', config: { workerCount: 1 } });
    const ready = await waitForCluster(client, 'unfit', allWorkersReady);
    expect(ready.workers.ready).toBe(1);
    expect(await daemonCommand('unfit', 'master')).toContain(`-XX:SharedArchiveFile=${archives.master}`);
    // An executor runs too, without the damaged archive (and then without the JDK's too).
    const seen = await runProbe(runtime.sparkHome, ready.masterUrl, home);
    expect(seen.module).toBeNull();
    expect(seen.archives).not.toContain('executor.jsa');
  });
});
