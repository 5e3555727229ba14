/**
 * A cluster's life on a real Kubernetes: scaling with every worker registered with the master, deletion by real
 * garbage collection, an image the node does not have, stored configurations and the seed's literal request, logs
 * of a pod that has not started, and the worker-registration rule when workers cannot reach their master.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiErrorDetails } from '../../src/client/oshinko-client.js';
import {
  allRegistered,
  buildDerivedImage,
  kubectl,
  kubectlJson,
  loadImage,
  masterJson,
  removeDir,
  waitForCluster,
} from './real-cluster.js';
import { servedSuite } from './suite.js';

interface List {
  items: { kind?: string; metadata: { name: string } }[];
}

describe('a cluster on a real Kubernetes, from create to delete', () => {
  const suite = servedSuite('e2e-life');

  /** Every object of the cluster that Kubernetes still has, whoever made it (ReplicaSets and pods included). */
  async function leftovers(name: string): Promise<string[]> {
    const list = await kubectlJson<List>(suite.cluster, [
      'get',
      'deployments,replicasets,pods,services,configmaps,endpointslices',
      '-n',
      suite.namespace,
      '-l',
      `oshinko-cluster=${name}`,
    ]);
    return list.items.map((item) => `${item.kind ?? ''}/${item.metadata.name}`);
  }

  async function waitUntilGone(name: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let left = await leftovers(name);
    while (left.length > 0) {
      if (Date.now() > deadline) throw new Error(`${name}: still there after delete: ${left.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      left = await leftovers(name);
    }
  }

  async function aliveWorkers(name: string): Promise<number> {
    const master = await masterJson(suite.cluster, suite.namespace, `${name}-ui`);
    return master.workers.filter((w) => w.state === 'ALIVE').length;
  }

  it('scales 1 -> 3 with all three registered, back to 1, deletes everything, and the name is free again', async () => {
    await suite.client.createCluster({ name: 'life', config: { workerCount: 1 } });
    await waitForCluster(suite.client, 'life', allRegistered);

    const scaling = await suite.client.scaleCluster('life', { workerCount: 3 });
    expect(scaling.config.workerCount).toBe(3);
    const up = await waitForCluster(suite.client, 'life', (c) => allRegistered(c) && c.workers.ready === 3);
    expect(up.pods.filter((p) => p.type === 'worker' && p.ready)).toHaveLength(3);
    expect(await aliveWorkers('life')).toBe(3);

    await suite.client.scaleCluster('life', { workerCount: 1 });
    const down = await waitForCluster(
      suite.client,
      'life',
      (c) => allRegistered(c) && c.pods.filter((p) => p.type === 'worker').length === 1,
    );
    expect(down.workers).toEqual({ desired: 1, ready: 1 });

    await suite.client.deleteCluster('life');
    await waitUntilGone('life');
    await expect(suite.client.getCluster('life')).rejects.toMatchObject({ api: { status: 404 } });

    // The name is reusable at once, and the new cluster is a new one.
    const again = await suite.client.createCluster({ name: 'life', config: { workerCount: 1 } });
    expect(again.config.workerCount).toBe(1);
    await waitForCluster(suite.client, 'life', allRegistered);
    await suite.client.deleteCluster('life');
    await waitUntilGone('life');
  });

  it('reports an image the node does not have as Degraded with the pull reason, within seconds', async () => {
    const missing = 'localhost/oshinko-e2e/not-on-the-node:1';
    const started = Date.now();
    await suite.client.createCluster({ name: 'missing', config: { sparkImage: missing, workerCount: 1 } });
    const degraded = await waitForCluster(suite.client, 'missing', (c) => c.status === 'Degraded', 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(degraded.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(degraded.reason).toContain(missing);
    // Not a timing assertion: what a user waits for is logged with the run.
    console.info(`image not on the node: Degraded after ${seconds.toFixed(1)} s: ${degraded.reason ?? ''}`);

    // Its logs are an answer of the API about a container that has not started, not "cannot reach the API".
    const error = (await suite.client.logs('missing').then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { api?: ApiErrorDetails }) | undefined;
    expect(error?.api?.status).toBe(409);
    expect(error?.message).not.toMatch(/cannot reach/);
    expect(error?.message).toMatch(/not available yet|waiting to start/);

    await suite.client.deleteCluster('missing');
    await waitUntilGone('missing');
  });

  it('takes the image from a stored configuration, and accepts the seed literal body with config.imageUrl', async () => {
    // The image the seed's example names, built and loaded here: that is what a private registry's image is to a node.
    const seedImage = 'docker.io/myrepo/openshift-spark:custom';
    const archive = await buildDerivedImage(suite.image, seedImage, { '/opt/oshinko/flavor': 'seed\n' });
    await loadImage(archive);
    await removeDir(dirname(archive));
    const stored = 'localhost/oshinko-e2e/spark-stored:1';
    const storedArchive = await buildDerivedImage(suite.image, stored, { '/opt/oshinko/flavor': 'stored\n' });
    await loadImage(storedArchive);
    await removeDir(dirname(storedArchive));

    await kubectl(suite.cluster, [
      'create',
      'configmap',
      'team-config',
      '-n',
      suite.namespace,
      `--from-literal=sparkimage=${stored}`,
      '--from-literal=workercount=2',
    ]);
    const fromStored = await suite.client.createCluster({ name: 'stored', config: { name: 'team-config' } });
    expect(fromStored).toMatchObject({ image: stored, imageSource: 'stored-config', customImage: true });
    const storedRunning = await waitForCluster(suite.client, 'stored', allRegistered);
    expect(storedRunning.workers).toEqual({ desired: 2, ready: 2 });
    expect(new Set(storedRunning.pods.map((p) => p.image))).toEqual(new Set([stored]));

    // The seed's request, byte for byte.
    const response = await fetch(`${suite.server.url}/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{\n    "config": {\n        "imageUrl": "docker.io/myrepo/openshift-spark:custom"\n    },\n    "name":"custom"\n}',
    });
    expect(response.status).toBe(201);
    const seed = await waitForCluster(suite.client, 'custom', allRegistered);
    expect(seed).toMatchObject({ image: seedImage, imageSource: 'request', customImage: true });
    const pods = await kubectlJson<{ items: { status: { containerStatuses?: { image: string }[] } }[] }>(
      suite.cluster,
      ['get', 'pods', '-n', suite.namespace, '-l', 'oshinko-cluster=custom'],
    );
    const images = pods.items.flatMap((p) => (p.status.containerStatuses ?? []).map((s) => s.image));
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([seedImage]));

    await suite.client.deleteCluster('stored');
    await suite.client.deleteCluster('custom');
    await waitUntilGone('stored');
    await waitUntilGone('custom');
  });

  it('is not Running while its workers cannot reach the master, and turns Running by itself when they can', async () => {
    await suite.client.createCluster({ name: 'cut', config: { workerCount: 2 } });
    await waitForCluster(suite.client, 'cut', allRegistered);
    // Cut the workers off: the master's Service selects nothing (what a broken DNS or a network policy does to
    // them), then the workers are replaced, so that they start without a master to register with.
    const selector = await kubectl(suite.cluster, [
      'get',
      'service',
      'cut',
      '-n',
      suite.namespace,
      '-o',
      'jsonpath={.spec.selector}',
    ]);
    await kubectl(suite.cluster, [
      'patch',
      'service',
      'cut',
      '-n',
      suite.namespace,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { selector: { 'oshinko-e2e': 'nowhere' } } }),
    ]);
    await kubectl(suite.cluster, [
      'delete',
      'pods',
      '-n',
      suite.namespace,
      '-l',
      'oshinko-cluster=cut,oshinko-type=worker',
      '--wait=false',
    ]);

    const cut = await waitForCluster(
      suite.client,
      'cut',
      (c) =>
        c.status !== 'Running' &&
        c.pods.filter((p) => p.type === 'worker' && p.status === 'Running').length === 2 &&
        (c.reason ?? '').includes('0 registered with the master'),
      120_000,
    );
    expect(cut.status).toBe('Creating');
    expect(cut.workers.ready).toBe(0);
    expect(await aliveWorkers('cut')).toBe(0);

    await kubectl(suite.cluster, [
      'patch',
      'service',
      'cut',
      '-n',
      suite.namespace,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { selector: { ...(JSON.parse(selector) as object), 'oshinko-e2e': null } } }),
    ]);
    const healed = await waitForCluster(suite.client, 'cut', allRegistered, 180_000);
    expect(healed.workers).toEqual({ desired: 2, ready: 2 });
    expect(await aliveWorkers('cut')).toBe(2);
    await suite.client.deleteCluster('cut');
    await waitUntilGone('cut');
  });
});
