/**
 * Opt-in: the same checks as the functional tests, against a real Kubernetes or OpenShift cluster (kind, minikube,
 * OpenShift Local ...). Set OSHINKO_E2E_KUBECONFIG (and optionally OSHINKO_E2E_NAMESPACE, OSHINKO_E2E_IMAGE for the
 * custom image, which must be pullable there). Skipped otherwise.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OshinkoClient, type ClusterModel } from '../../src/client/oshinko-client.js';
import { DEFAULT_KUBERNETES_IMAGE } from '../../src/drivers/kubernetes/index.js';
import { parseServeConfig } from '../../src/server/serve-config.js';
import { serve, type RunningServer } from '../../src/server/serve.js';

const kubeconfig = process.env.OSHINKO_E2E_KUBECONFIG;
const namespace = process.env.OSHINKO_E2E_NAMESPACE;
const CUSTOM = process.env.OSHINKO_E2E_IMAGE ?? 'docker.io/apache/spark:3.5.3';
const MISSING = 'docker.io/apache/spark:oshinko-e2e-does-not-exist';
const SETTLE_MS = 5 * 60_000;
const prefix = `e2e-${Date.now().toString(36)}`;

describe.skipIf(kubeconfig === undefined)('oshinko on a real Kubernetes cluster', () => {
  let server: RunningServer;
  let client: OshinkoClient;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let ns: string;

  async function settle(name: string, done: (c: ClusterModel) => boolean): Promise<ClusterModel> {
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      const cluster = await client.getCluster(name);
      if (done(cluster)) return cluster;
      if (Date.now() > deadline) throw new Error(`${name}: ${cluster.status} ${cluster.reason ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  beforeAll(async () => {
    const config = parseServeConfig(
      { driver: 'kubernetes', kubeconfig, namespace, port: '0', logLevel: 'warn' },
      {},
    );
    server = await serve(config);
    client = new OshinkoClient(server.url, { timeoutMs: 60_000 });
    ns = (await client.info()).application.details.namespace ?? '';
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig ?? '');
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });

  afterAll(async () => {
    for (const cluster of await client.listClusters()) {
      if (cluster.name.startsWith(prefix)) await client.deleteCluster(cluster.name);
    }
    await server.close();
  });

  it(
    'runs a custom image in every pod, scales it keeping the image, and deletes everything',
    { timeout: 2 * SETTLE_MS },
    async () => {
      const name = `${prefix}-custom`;
      await client.createCluster({ name, config: { sparkImage: CUSTOM, workerCount: 1 } });
      let cluster = await settle(name, (c) => c.status === 'Running');
      expect(cluster.pods.map((p) => p.image)).toEqual([CUSTOM, CUSTOM]);
      cluster = await client.scaleCluster(name, { workerCount: 2 });
      expect(cluster.image).toBe(CUSTOM);
      cluster = await settle(name, (c) => c.status === 'Running' && c.workers.ready === 2);
      expect(new Set(cluster.pods.map((p) => p.image))).toEqual(new Set([CUSTOM]));
      expect(await client.logs(name)).toContain('Starting Spark master');
      await client.deleteCluster(name);
      const selector = `oshinko-cluster=${name}`;
      const deployments = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: selector });
      const services = await core.listNamespacedService({ namespace: ns, labelSelector: selector });
      expect([...deployments.items, ...services.items]).toEqual([]);
    },
  );

  it('runs the default image when none is given', { timeout: 2 * SETTLE_MS }, async () => {
    const name = `${prefix}-default`;
    const created = await client.createCluster({ name, config: { workerCount: 1 } });
    expect(created).toMatchObject({ image: DEFAULT_KUBERNETES_IMAGE, customImage: false });
    const cluster = await settle(name, (c) => c.status === 'Running');
    expect(new Set(cluster.pods.map((p) => p.image))).toEqual(new Set([DEFAULT_KUBERNETES_IMAGE]));
    await client.deleteCluster(name);
  });

  it('shows an image that cannot be pulled as Degraded', { timeout: 2 * SETTLE_MS }, async () => {
    const name = `${prefix}-missing`;
    await client.createCluster({ name, config: { sparkImage: MISSING, workerCount: 0 } });
    const cluster = await settle(name, (c) => c.status === 'Degraded');
    expect(cluster.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    await client.deleteCluster(name);
  });
});
