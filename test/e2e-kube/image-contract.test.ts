/**
 * The image contract on a real Kubernetes: the master pod's image check names an image that cannot run Spark
 * within seconds, reports the versions an image carries before the workers are up, and a daemon that runs but
 * never serves Spark is reported with the end of its log instead of "waiting for the master". An image whose user
 * is a name (`USER spark`, as the official images) runs as UID 185, and without a UID the status says why it cannot.
 */
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STARTUP_SECONDS } from '../../src/drivers/kubernetes/spark-pod.js';
import {
  allRegistered,
  buildChangedImage,
  kubectl,
  loadImage,
  removeDir,
  userNameImageArchive,
  waitForCluster,
} from './real-cluster.js';
import { servedSuite } from './suite.js';

/** What the image with its own entrypoint prints before it sleeps, ignoring the daemon's arguments. */
const OWN_ENTRYPOINT_LINE = 'my-app-server: listening on nothing';

describe('the image contract on a real Kubernetes', () => {
  const tag = Date.now().toString(36);
  const noSpark = `localhost/oshinko-e2e/no-spark:${tag}`;
  const ownEntrypoint = `localhost/oshinko-e2e/own-entrypoint:${tag}`;
  let ownEntrypointCreated = 0;
  let userName = '';

  const suite = servedSuite('e2e-contract', {
    prepare: async ({ image }) => {
      for (const [changed, change] of [
        [noSpark, { run: [['rm', '-rf', '/opt/spark']] }],
        [
          ownEntrypoint,
          { entrypoint: ['/bin/sh', '-c', `echo '${OWN_ENTRYPOINT_LINE}'; exec sleep infinity`] },
        ],
      ] as const) {
        const archive = await buildChangedImage(image, changed, change);
        await loadImage(archive);
        await removeDir(dirname(archive));
      }
      const named = await userNameImageArchive();
      userName = named.image;
      await loadImage(named.archive);
    },
  });

  beforeAll(async () => {
    // Started first: its daemons are given STARTUP_SECONDS to serve, and the other tests run meanwhile.
    await suite.client.createCluster({
      name: 'own-entrypoint',
      config: { sparkImage: ownEntrypoint, workerCount: 1 },
    });
    ownEntrypointCreated = Date.now();
    // The image as the official ones are: by default (UID 185) and with no UID set.
    await suite.client.createCluster({ name: 'user-name', config: { sparkImage: userName, workerCount: 1 } });
    await suite.client.createCluster({
      name: 'user-name-unset',
      config: { sparkImage: userName, workerCount: 1, runAsUser: 'image' },
    });
  });

  async function inImage(...argv: string[]): Promise<string> {
    return kubectl(suite.cluster, [
      'exec',
      '-n',
      suite.namespace,
      'deploy/good-m',
      '-c',
      'spark',
      '--',
      ...argv,
    ]);
  }

  it('reports the Spark and Python of the image before the workers are registered', async () => {
    await suite.client.createCluster({ name: 'good', config: { workerCount: 1 } });
    const first = await waitForCluster(suite.client, 'good', (c) => c.sparkVersion !== undefined, 120_000);
    // The check runs before the master starts: nothing is registered yet when its versions are known.
    expect(allRegistered(first)).toBe(false);
    const running = await waitForCluster(suite.client, 'good', allRegistered);
    // What the image's own tools say, run in the running master container.
    const banner = await inImage('sh', '-c', '/opt/spark/bin/spark-submit --version 2>&1');
    const python = await inImage('python3', '--version');
    const spark = /version (\d+\.\d+\.\d+)\s*$/m.exec(banner)?.[1];
    const scala = /Using Scala version ([\d.]+),/.exec(banner)?.[1];
    expect(spark).toBeDefined();
    expect(running).toMatchObject({
      sparkVersion: spark,
      scalaVersion: scala,
      pythonVersion: python.trim().replace(/^Python /, ''),
    });
    expect(running.javaVersion).toMatch(/^\d+/);
    console.info(
      `versions of ${suite.image}: Spark ${running.sparkVersion ?? ''}, Scala ${running.scalaVersion ?? ''}, Java ${running.javaVersion ?? ''}, Python ${running.pythonVersion ?? ''}`,
    );
  });

  it('names an image without a Spark home as Degraded, with what it lacks, within 30 s', async () => {
    const started = Date.now();
    await suite.client.createCluster({ name: 'no-spark', config: { sparkImage: noSpark, workerCount: 1 } });
    const degraded = await waitForCluster(suite.client, 'no-spark', (c) => c.status === 'Degraded', 30_000);
    // The directory may stay (buildah keeps what the base image's user cannot remove); its spark-class does not.
    expect(degraded.reason).toMatch(/^image \S+ has no \/opt\/spark(\/bin\/spark-class)?$/);
    expect(degraded.reason).toContain(noSpark);
    expect(degraded.sparkVersion).toBeUndefined();
    console.info(
      `no Spark home: Degraded after ${((Date.now() - started) / 1000).toFixed(1)} s: ${degraded.reason}`,
    );
  });

  it('quotes the log of a daemon that runs but never serves Spark, once its startup time is over', async () => {
    // The image check passes (the image has Spark): the versions are known whatever the daemons do.
    const checked = await waitForCluster(
      suite.client,
      'own-entrypoint',
      (c) => c.sparkVersion !== undefined,
      60_000,
    );
    expect(checked.pythonVersion).toBeDefined();
    const degraded = await waitForCluster(
      suite.client,
      'own-entrypoint',
      (c) => c.status === 'Degraded',
      (STARTUP_SECONDS + 60) * 1000,
    );
    expect(degraded.reason).toContain('not serving Spark');
    expect(degraded.reason).toContain(`its log ends: ${OWN_ENTRYPOINT_LINE}`);
    const seconds = (Date.now() - ownEntrypointCreated) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(STARTUP_SECONDS);
    console.info(`own entrypoint: Degraded after ${seconds.toFixed(1)} s: ${degraded.reason ?? ''}`);
  });

  it('runs an image whose USER is a name as UID 185, and says what to do when no UID is set', async () => {
    const started = Date.now();
    const refused = await waitForCluster(
      suite.client,
      'user-name-unset',
      (c) => c.status === 'Degraded',
      120_000,
    );
    expect(refused.config.runAsUser).toBe('image');
    expect(refused.reason).toContain(
      "CreateContainerConfigError - image runs as user 'spark' (not numeric) and runAsNonRoot cannot verify it: set config.runAsUser to its numeric uid (185 for the official Spark images)",
    );
    // The kubelet's own words stay visible.
    expect(refused.reason).toContain('image has non-numeric user (spark), cannot verify user is non-root');
    console.info(
      `USER spark, no UID: Degraded after ${((Date.now() - started) / 1000).toFixed(1)} s: ${refused.reason ?? ''}`,
    );
    const running = await waitForCluster(suite.client, 'user-name', allRegistered);
    expect(running.config.runAsUser).toBe(185);
    expect(running.workers).toEqual({ desired: 1, ready: 1 });
    // The runtime gave UID 185 the group of its passwd entry, which owns the image's work directory.
    const id = await kubectl(suite.cluster, [
      'exec',
      '-n',
      suite.namespace,
      'deploy/user-name-m',
      '-c',
      'spark',
      '--',
      'id',
    ]);
    expect(id).toMatch(/^uid=185\(spark\) gid=185\(spark\)/);
    console.info(
      `USER spark, UID 185: Running after ${((Date.now() - started) / 1000).toFixed(1)} s more: ${id.trim()}`,
    );
  });
});
