/**
 * The seed's functional test on the production path: a custom image (the test base image plus one Python module,
 * built here with buildah and loaded into the node) deployed by oshinko on a real Kubernetes, and a PySpark
 * application submitted from outside the cluster whose executors use that module. Then the same application on a
 * default-image cluster, which must not find it.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allRegistered,
  buildDerivedImage,
  kubectlJson,
  loadImage,
  masterJson,
  removeDir,
  waitForCluster,
} from './real-cluster.js';
import { servedSuite } from './suite.js';
import { PROBE_MODULE_NAME, SUM_WITHOUT_MODULE, SUM_WITH_MODULE, probeModule, runApp } from './spark-app.js';

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { containers: { image: string }[] };
    status: { podIP?: string; containerStatuses?: { image: string; ready: boolean }[] };
  }[];
}

describe('a custom image on a real Kubernetes', () => {
  const magic = `custom-${Date.now().toString(36)}`;
  const custom = `localhost/oshinko-e2e/spark-custom:${magic}`;
  const suite = servedSuite('e2e-custom', {
    prepare: async ({ image }) => {
      const archive = await buildDerivedImage(image, custom, {
        [`/usr/lib/python3/dist-packages/${PROBE_MODULE_NAME}.py`]: probeModule(magic),
      });
      await loadImage(archive);
      await removeDir(dirname(archive));
    },
  });

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

  async function serviceIp(name: string): Promise<string> {
    const svc = await kubectlJson<{ spec: { clusterIP: string } }>(suite.cluster, [
      'get',
      'service',
      name,
      '-n',
      suite.namespace,
    ]);
    return svc.spec.clusterIP;
  }

  it('deploys the custom image in every pod, registers the workers, and runs an app that uses its module', async () => {
    const created = await suite.client.createCluster({
      name: 'custom',
      config: { sparkImage: custom, workerCount: 2 },
    });
    expect(created).toMatchObject({ image: custom, customImage: true, imageSource: 'request' });

    const running = await waitForCluster(suite.client, 'custom', allRegistered);
    expect(running.workers).toEqual({ desired: 2, ready: 2 });
    expect(running.pods.map((p) => p.image)).toEqual([custom, custom, custom]);

    // What Kubernetes says each container runs, not what oshinko asked for.
    const listed = await pods('custom');
    expect(listed).toHaveLength(3);
    for (const pod of listed) {
      expect(pod.spec.containers.map((c) => c.image)).toEqual([custom]);
      expect(pod.status.containerStatuses?.map((s) => s.image)).toEqual([custom]);
    }
    // And what the master says: both worker pods registered with it, alive.
    const master = await masterJson(suite.cluster, suite.namespace, 'custom-ui');
    const workerIps = listed
      .filter((p) => p.metadata.labels?.['oshinko-type'] === 'worker')
      .map((p) => p.status.podIP);
    expect(master.status).toBe('ALIVE');
    expect(
      master.workers
        .filter((w) => w.state === 'ALIVE')
        .map((w) => w.host)
        .sort(),
    ).toEqual(workerIps.sort());

    const result = await runApp(`spark://${await serviceIp('custom')}:7077`, suite.cluster.nodeIp);
    expect(result).toMatchObject({ magic: [magic], withoutModule: 0, sum: SUM_WITH_MODULE });
    const workerNames = listed
      .filter((p) => p.metadata.labels?.['oshinko-type'] === 'worker')
      .map((p) => p.metadata.name);
    for (const host of result.hosts) expect(workerNames).toContain(host);
  });

  it('runs the same app on a default-image cluster, whose executors do not have the module', async () => {
    const created = await suite.client.createCluster({ name: 'plain', config: { workerCount: 1 } });
    expect(created).toMatchObject({ image: suite.image, customImage: false, imageSource: 'default' });
    const running = await waitForCluster(suite.client, 'plain', allRegistered);
    expect(running.pods.map((p) => p.image)).toEqual([suite.image, suite.image]);

    const result = await runApp(`spark://${await serviceIp('plain')}:7077`, suite.cluster.nodeIp);
    expect(result).toMatchObject({ magic: [], withoutModule: 100, sum: SUM_WITHOUT_MODULE });
  });
});
