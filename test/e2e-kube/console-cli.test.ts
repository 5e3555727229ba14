/**
 * The two ways a person deploys a cluster, on the real test Kubernetes: the web console's deploy dialog in headless
 * Chromium (an in-process server), and the built CLI as a process against a server process with the Kubernetes
 * driver. Both deploy a custom image derived from the test base image with a marker file, so what Kubernetes runs
 * can be told apart from the default image; kubectl and the Spark master's own /json/ are the judges. The CLI's
 * `delete --wait` must leave nothing behind, pods included (it waits while the server reports the cluster Deleting).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OshinkoClient, type ClusterModel } from '../../src/client/oshinko-client.js';
import type { RunningServer } from '../../src/server/serve.js';
import {
  assertBuilt,
  runCli,
  startServer as startServerProcess,
  type ServerProcess,
} from '../cli/cli-process.js';
import { collectPageErrors, ensureConsoleBuilt, launchChromium, screenshot } from '../e2e/browser.js';
import { ClusterDetailsPage } from '../e2e/pages/cluster-details-page.js';
import { ClusterListPage } from '../e2e/pages/cluster-list-page.js';
import {
  allRegistered,
  buildDerivedImage,
  kubectl,
  kubectlJson,
  loadImage,
  masterJson,
  removeDir,
  startServer,
  waitForCluster,
} from './real-cluster.js';
import { realClusterSuite } from './suite.js';

const MARKER = '/etc/oshinko-e2e-marker';
const MISSING = 'localhost/oshinko-e2e/missing:1';
const TOKEN = 'console-cli-e2e-token';

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { containers: { image: string }[] };
    status: {
      podIP?: string;
      containerStatuses?: { image: string; ready: boolean; state?: { waiting?: { reason?: string } } }[];
    };
  }[];
}

const tag = Date.now().toString(36);
const custom = `localhost/oshinko-e2e/console:${tag}`;

const suite = realClusterSuite('e2e-console-cli', {
  prepare: async ({ image }) => {
    assertBuilt();
    await ensureConsoleBuilt();
    const archive = await buildDerivedImage(image, custom, { [MARKER]: `${tag}\n` });
    await loadImage(archive);
    await removeDir(dirname(archive));
  },
  teardown: () => removeCustomImage(),
});

/**
 * The derived image is this run's alone (its tag is new): out of the node's containerd too (buildDerivedImage has
 * already taken it out of the build store).
 */
async function removeCustomImage(): Promise<void> {
  const env = readFileSync(join(suite.cluster.state, 'env'), 'utf8');
  const address = /^CONTAINERD_ADDRESS=(.*)$/m.exec(env)?.[1];
  if (address === undefined) return;
  await promisify(execFile)('ctr', ['--address', address, '--namespace', 'k8s.io', 'images', 'rm', custom]); // ctr says "not found" and succeeds when the image is not there (the suite failed before loading it)
}

async function pods(name: string): Promise<PodList['items']> {
  const list = await kubectlJson<PodList>(suite.cluster, [
    'get',
    'pods',
    '-n',
    suite.namespace,
    '-l',
    `oshinko-cluster=${name}`,
  ]);
  return list.items;
}

const ofType = (list: PodList['items'], type: 'master' | 'worker') =>
  list.filter((pod) => pod.metadata.labels?.['oshinko-type'] === type);

/** What each container of the cluster really runs: the image Kubernetes reports, and the marker file inside. */
async function expectPodsRun(name: string, count: number): Promise<PodList['items']> {
  const listed = await pods(name);
  expect(listed).toHaveLength(count);
  for (const pod of listed) {
    expect(pod.spec.containers.map((c) => c.image)).toEqual([custom]);
    expect(pod.status.containerStatuses?.map((s) => [s.image, s.ready])).toEqual([[custom, true]]);
    const marker = await kubectl(suite.cluster, [
      'exec',
      '-n',
      suite.namespace,
      pod.metadata.name,
      '--',
      'cat',
      MARKER,
    ]);
    expect(marker).toBe(`${tag}\n`);
  }
  return listed;
}

/** The master's own view: the hosts of its ALIVE workers, which must be the cluster's worker pods. */
async function expectAliveWorkers(name: string, workerPods: PodList['items']): Promise<void> {
  const master = await masterJson(suite.cluster, suite.namespace, `${name}-ui`);
  expect(master.status).toBe('ALIVE');
  expect(
    master.workers
      .filter((w) => w.state === 'ALIVE')
      .map((w) => w.host)
      .sort(),
  ).toEqual(workerPods.map((p) => p.status.podIP).sort());
}

describe('the console deploy dialog on a real Kubernetes', () => {
  let server: RunningServer | undefined;
  let client: OshinkoClient;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let list: ClusterListPage;

  beforeAll(async () => {
    ({ server, client } = await startServer(suite.cluster, suite.namespace, suite.image));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
    errors = collectPageErrors(page);
    list = new ClusterListPage(page, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    // The CLI part below has the node's two cores to itself.
    for (const name of ['console-custom', 'console-missing']) {
      await client.deleteCluster(name).catch(() => undefined);
    }
    await server?.close();
  });

  it('deploys a typed custom image with one worker: Running 1/1, custom, and the pods run that image', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    expect(await dialog.advancedToggle.getAttribute('aria-expanded')).toBe('false');
    expect(await dialog.imageInput.isVisible()).toBe(false);
    await dialog.setName('console-custom');
    await dialog.setWorkers(1);
    await dialog.openAdvanced();
    expect(await dialog.advancedToggle.getAttribute('aria-expanded')).toBe('true');
    const info = await client.info();
    expect(info.application['default-cluster-image']).toBe(suite.image);
    expect(await dialog.imageInput.getAttribute('placeholder')).toBe(suite.image);
    await dialog.typeImage(custom);
    await dialog.deploy();

    await list.waitForStatus('console-custom', 'Running', 180_000);
    expect(await list.workers('console-custom').innerText()).toBe('1/1');
    expect(await list.image('console-custom').innerText()).toContain(custom);
    expect(await list.customBadge('console-custom').isVisible()).toBe(true);
    await list.dismissToasts();
    await screenshot(page, 'real-kube-console-list');

    const listed = await expectPodsRun('console-custom', 2);
    await expectAliveWorkers('console-custom', ofType(listed, 'worker'));

    await list.openDetails('console-custom');
    const details = new ClusterDetailsPage(page, server?.url ?? '');
    expect(await details.image.innerText()).toBe(custom);
    expect(await details.customBadge.isVisible()).toBe(true);
    expect(await details.imageSource.innerText()).toBe('set in the deploy request');
    await expect.poll(() => details.podImages.allInnerTexts()).toEqual([custom, custom]);
    await screenshot(page, 'real-kube-console-details');
  });

  it('shows a cluster whose image is not on the node as Degraded with the pull reason within 60 s', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    await dialog.setName('console-missing');
    await dialog.openAdvanced();
    await dialog.typeImage(MISSING);
    await dialog.deploy();
    await list.waitForStatus('console-missing', 'Degraded', 60_000);
    await list.status('console-missing').hover();
    await expect.poll(() => page.getByRole('tooltip').innerText()).toMatch(/ErrImagePull|ImagePullBackOff/);

    // Kubernetes says the same: the containers wait on the pull.
    const reasons = (await pods('console-missing')).flatMap(
      (pod) => pod.status.containerStatuses?.map((s) => s.state?.waiting?.reason) ?? [],
    );
    expect(reasons.some((reason) => reason === 'ErrImagePull' || reason === 'ImagePullBackOff')).toBe(true);
  });

  it('logged no errors in the browser console', () => {
    expect(errors).toEqual([]);
  });
});

describe('the oshinko CLI on a real Kubernetes', () => {
  let server: ServerProcess | undefined;
  let client: OshinkoClient;
  let env: Record<string, string>;
  const name = 'cli-etl';

  const oshinko = (args: string[], timeoutMs?: number) => runCli(args, env, timeoutMs);

  async function getJson(): Promise<ClusterModel> {
    const result = await oshinko(['get', name, '-o', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as ClusterModel;
  }

  beforeAll(async () => {
    server = await startServerProcess(
      [
        '--driver',
        'kubernetes',
        '--kubeconfig',
        suite.cluster.kubeconfig,
        '--namespace',
        suite.namespace,
        '--default-image',
        suite.image,
      ],
      { OSHINKO_TOKEN: TOKEN },
    );
    env = { OSHINKO_SERVER: server.url, OSHINKO_TOKEN: TOKEN };
    client = new OshinkoClient(server.url, { token: TOKEN, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('create --wait exits 0 only once both workers are registered with the master', async () => {
    const result = await oshinko(['create', name, '--workers', '2', '--image', custom, '--wait'], 300_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`cluster "${name}" created with image ${custom} (custom)`);
    expect(lines).toContain(`cluster "${name}": Running, master 1/1, workers 2/2 ready`);
    expect(result.stdout).toContain(`cluster "${name}" is ready`);

    // Right after: the server, Kubernetes and the master all agree.
    const got = await getJson();
    expect(got).toMatchObject({
      status: 'Running',
      image: custom,
      customImage: true,
      imageSource: 'request',
    });
    expect(got.workers).toEqual({ desired: 2, ready: 2 });
    const listed = await expectPodsRun(name, 3);
    await expectAliveWorkers(name, ofType(listed, 'worker'));
  });

  it('scale adds a worker that registers, then removes two, keeping the image', async () => {
    const up = await oshinko(['scale', name, '--workers', '3']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`^cluster "${name}" scaled: master 1/1, workers \\d/3 ready`));
    const three = await waitForCluster(client, name, allRegistered);
    expect(three.workers).toEqual({ desired: 3, ready: 3 });
    const listed = await expectPodsRun(name, 4);
    await expectAliveWorkers(name, ofType(listed, 'worker'));

    const down = await oshinko(['scale', name, '--workers', '1']);
    expect(down.code).toBe(0);
    const one = await waitForCluster(
      client,
      name,
      (c) => allRegistered(c) && c.pods.filter((p) => p.type === 'worker').length === 1,
    );
    expect(one.workers).toEqual({ desired: 1, ready: 1 });
    expect(one.image).toBe(custom);
    const deployment = await kubectlJson<{ spec: { replicas: number } }>(suite.cluster, [
      'get',
      'deployment',
      '-n',
      suite.namespace,
      `${name}-w`,
    ]);
    expect(deployment.spec.replicas).toBe(1);
  });

  it("logs prints the master's real log", async () => {
    const result = await oshinko(['logs', name]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Starting Spark master at spark:\/\//);
    expect(result.stdout).toMatch(/Registering worker/);
  });

  it('delete --wait returns once nothing of the cluster is left in Kubernetes', async () => {
    const result = await oshinko(['delete', name, '--wait'], 180_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // It waited for the pods: the server reported the cluster while they stopped.
    expect(result.stdout).toMatch(new RegExp(`^cluster "${name}": deleting, \\d+ pods? left$`, 'm'));
    expect(result.stdout).toContain(`cluster "${name}" deleted`);
    const left = await kubectl(suite.cluster, [
      'get',
      'all,configmaps',
      '-n',
      suite.namespace,
      '-l',
      `oshinko-cluster=${name}`,
      '-o',
      'name',
    ]);
    expect(left).toBe('');
    expect((await oshinko(['get', name])).code).toBe(3);
  });
});
