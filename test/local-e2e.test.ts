import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OshinkoClient } from '../src/client/oshinko-client.js';
import { run } from '../src/cli/main.js';
import { processesWithEnv, pidExists } from '../src/drivers/local/processes.js';
import { CLUSTER_UID_ENV } from '../src/drivers/local/spark-daemons.js';
import type { RunningServer } from '../src/server/serve.js';
import {
  allWorkersReady,
  runProbe,
  startLocalServer,
  tempHome,
  waitForCluster,
  writeProbeJar,
} from './support/local-spark.js';

/** Runs the CLI in-process; returns its exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run(args, { stdout, stderr, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { code, stdout: out, stderr: err };
}

describe('local driver end to end: custom image, real Spark, supervision', { timeout: 480_000 }, () => {
  let home: string;
  let server: RunningServer | undefined;
  let client: OshinkoClient;
  let customHome: string;
  let defaultHome: string;
  const CUSTOM = 'team/probe:1';

  beforeAll(async () => {
    home = await tempHome('oshinko-e2e-');
    const module = join(home, 'oshinko_probe_module.py');
    await writeFile(module, 'MAGIC = "custom-module-ok"\n');
    const jar = join(home, 'probe.jar');
    writeProbeJar(jar);
    const built = await cli([
      'image',
      'build',
      CUSTOM,
      '--from',
      'spark:4.3.0',
      '--py-file',
      module,
      '--jar',
      jar,
      '--conf',
      'spark.oshinko.flavor=custom',
      '--conf',
      'spark.executorEnv.OSHINKO_FLAVOR=custom',
      '--env',
      'OSHINKO_IMAGE_ENV=custom',
      '--home',
      home,
    ]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    ({ server, client } = await startLocalServer(home));
  });

  afterAll(async () => {
    if (server === undefined) return;
    for (const cluster of await client.listClusters().catch(() => [])) {
      await client.deleteCluster(cluster.name).catch(() => undefined);
    }
    await server.close();
  });

  it('lists the default and the built image over REST', async () => {
    const info = await client.info();
    expect(info.application.driver).toBe('local');
    expect(info.application['default-cluster-image']).toBe('spark:4.3.0');
    const images = await client.listImages();
    const custom = images.find((image) => image.ref === CUSTOM);
    const base = images.find((image) => image.ref === 'spark:4.3.0');
    expect(base?.isDefault).toBe(true);
    expect(custom).toMatchObject({ base: 'spark:4.3.0', isDefault: false, sparkVersion: '4.3.0' });
    expect(custom?.conf).toMatchObject({ 'spark.oshinko.flavor': 'custom' });
    customHome = custom?.sparkHome ?? '';
    defaultHome = base?.sparkHome ?? '';
  });

  it('refuses an image the store lacks with a 4xx naming it, creating nothing', async () => {
    await expect(
      client.createCluster({ name: 'nope', config: { sparkImage: 'team/absent:9' } }),
    ).rejects.toThrow(/team\/absent:9/);
    await expect(
      client.createCluster({ name: 'nope', config: { sparkImage: 'team/absent:9' } }),
    ).rejects.toMatchObject({ api: { status: 422, field: 'config.sparkImage' } });
    expect((await client.listClusters()).map((c) => c.name)).not.toContain('nope');
  });

  it('runs a custom-image and a default cluster; only the custom one carries the module and conf', async () => {
    const [custom, plain] = await Promise.all([
      client.createCluster({ name: 'custom', config: { sparkImage: CUSTOM, workerCount: 1 } }),
      client.createCluster({ name: 'plain', config: { workerCount: 1 } }),
    ]);
    expect(custom.image).toBe(CUSTOM);
    expect(custom.customImage).toBe(true);
    expect(plain.image).toBe('spark:4.3.0');
    expect(custom.masterUrl).toMatch(/^spark:\/\/127\.0\.0\.1:\d+$/);
    expect(custom.masterUrl).not.toBe(plain.masterUrl);
    const [readyCustom, readyPlain] = await Promise.all([
      waitForCluster(client, 'custom', allWorkersReady),
      waitForCluster(client, 'plain', allWorkersReady),
    ]);
    // The web UI is real: the master's own JSON lists the worker.
    const json = (await (await fetch(`${readyCustom.masterWebUrl}/json/`)).json()) as {
      aliveworkers: number;
    };
    expect(json.aliveworkers).toBe(1);
    expect(readyCustom.pods.map((pod) => [pod.type, pod.status, pod.image])).toEqual([
      ['master', 'Running', CUSTOM],
      ['worker', 'Running', CUSTOM],
    ]);

    const jarResource = expect.stringContaining('probe.jar!/oshinko-probe.txt') as unknown;
    // What the executor JVMs map: the JDK's archive; a built image's executors have none of their own (its conf dir
    // leads their class path), the default image's have theirs once its archive run is over (timing here).
    const customArchives = ['classes.jsa'];
    const plainArchives = expect.arrayContaining(['classes.jsa']) as unknown;
    const seenCustom = await runProbe(customHome, readyCustom.masterUrl, home);
    expect(seenCustom).toEqual({
      module: 'custom-module-ok',
      flavor: 'custom',
      imageEnv: 'custom',
      driverConf: 'custom',
      jarResource,
      archives: customArchives,
    });
    const seenPlain = await runProbe(defaultHome, readyPlain.masterUrl, home);
    expect(seenPlain).toEqual({
      module: null,
      flavor: null,
      imageEnv: null,
      driverConf: null,
      jarResource: null,
      archives: plainArchives,
    });

    // A cluster's executors see their cluster's image, whoever submits: the image's Python files, jars and --env
    // come from the workers, not from the client's conf. The --conf given at build is the client's Spark conf
    // (spark.oshinko.flavor, spark.executorEnv.OSHINKO_FLAVOR) and goes with the application, as Spark conf does.
    const customOnPlain = await runProbe(customHome, readyPlain.masterUrl, home);
    expect(customOnPlain).toEqual({
      module: null,
      flavor: 'custom',
      imageEnv: null,
      driverConf: 'custom',
      jarResource: null,
      // Another client's class path: the executors' archive, if the workers give one, may not fit (then none).
      archives: expect.any(Array) as unknown,
    });
    const plainOnCustom = await runProbe(defaultHome, readyCustom.masterUrl, home);
    expect(plainOnCustom).toEqual({
      module: 'custom-module-ok',
      flavor: null,
      imageEnv: 'custom',
      driverConf: null,
      jarResource,
      archives: customArchives,
    });

    const log = await client.logs('custom', { tail: 2000 });
    expect(log).toContain("Successfully started service 'sparkMaster'");
    const workerLog = await client.logs('custom', { pod: 'custom-w-1', tail: 2000 });
    expect(workerLog).toContain('Successfully registered with master');

    const refused = await cli(['image', 'rm', CUSTOM, '--home', home]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('used by cluster custom');
  });

  it('scales, restarts a killed worker, and deletes without leaving a process', async () => {
    await client.scaleCluster('custom', { workerCount: 2 });
    const scaled = await waitForCluster(client, 'custom', (c) => allWorkersReady(c) && c.workers.ready === 2);
    const victim = scaled.pods.find((pod) => pod.name === 'custom-w-2');
    expect(victim?.pid).toBeTypeOf('number');
    process.kill(victim?.pid ?? 0, 'SIGKILL');
    const back = await waitForCluster(client, 'custom', (c) => {
      const pod = c.pods.find((p) => p.name === 'custom-w-2');
      return allWorkersReady(c) && pod !== undefined && pod.restarts >= 1 && pod.pid !== victim?.pid;
    });
    expect(back.workers).toEqual({ desired: 2, ready: 2 });
    expect(back.events?.some((event) => event.reason === 'Restarting' && event.object === 'custom-w-2')).toBe(
      true,
    );

    await client.scaleCluster('custom', { workerCount: 1 });
    const down = await waitForCluster(client, 'custom', (c) => c.pods.length === 2 && allWorkersReady(c));
    expect(down.pods.map((p) => p.name)).toEqual(['custom-m-1', 'custom-w-1']);

    const uids: string[] = [];
    const pids: number[] = [];
    for (const name of ['custom', 'plain']) {
      const state = JSON.parse(await readFile(join(home, 'clusters', name, 'cluster.json'), 'utf8')) as {
        uid: string;
      };
      uids.push(state.uid);
      pids.push(...(await client.getCluster(name)).pods.map((pod) => pod.pid ?? 0));
      await client.deleteCluster(name);
    }
    expect(await client.listClusters()).toEqual([]);
    for (const pid of pids) expect(pidExists(pid)).toBe(false);
    for (const uid of uids) expect(await processesWithEnv(CLUSTER_UID_ENV, uid)).toEqual([]);

    const removed = await cli(['image', 'rm', CUSTOM, '--home', home]);
    expect(removed.code).toBe(0);
  });
});
