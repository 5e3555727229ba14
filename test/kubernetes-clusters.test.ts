/**
 * Functional client tests of the custom Spark images feature: the typed client against the real server over
 * HTTP, backed by the strict fake Kubernetes API server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorDetails } from '../src/client/oshinko-client.js';
import { DEFAULT_KUBERNETES_IMAGE } from '../src/drivers/kubernetes/index.js';
import type { KubeObject } from './fake-kube/fake-kube-server.js';
import {
  isRunning,
  NAMESPACE,
  readRequests,
  startKubeStack,
  waitForCluster,
  type KubeStack,
} from './support/kube-stack.js';

const CUSTOM = 'quay.io/my-team/spark:3.5.3-custom';

let stack: KubeStack;

beforeAll(async () => {
  stack = await startKubeStack({ openshift: true });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  for (const cluster of await stack.client.listClusters()) await stack.client.deleteCluster(cluster.name);
  stack.fake.missingImages.clear();
});

/** The image of every container of every pod the fake runs for a cluster. */
function podImages(cluster: string): { type: string; image: string }[] {
  return stack.fake
    .objects('pods', NAMESPACE)
    .filter((pod) => pod.metadata.labels?.['oshinko-cluster'] === cluster)
    .flatMap((pod) =>
      ((pod.spec?.containers ?? []) as { image: string }[]).map((c) => ({
        type: pod.metadata.labels?.['oshinko-type'] ?? '',
        image: c.image,
      })),
    );
}

function clusterObjects(cluster?: string): KubeObject[] {
  const all = (['deployments', 'replicasets', 'pods', 'services', 'routes', 'ingresses'] as const).flatMap(
    (r) => stack.fake.objects(r, NAMESPACE),
  );
  return cluster === undefined ? all : all.filter((o) => o.metadata.labels?.['oshinko-cluster'] === cluster);
}

async function apiError(work: Promise<unknown>): Promise<ApiErrorDetails & { message: string }> {
  try {
    await work;
  } catch (error) {
    const api = (error as { api?: ApiErrorDetails }).api;
    if (api === undefined) throw error;
    return { ...api, message: (error as Error).message };
  }
  throw new Error('the request succeeded');
}

async function rawPost(body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${stack.server.url}/clusters`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
}

describe('cluster images on Kubernetes', () => {
  it('runs a custom image in the master and every worker pod', async () => {
    const created = await stack.client.createCluster({
      name: 'custom',
      config: { sparkImage: CUSTOM, workerCount: 2 },
    });
    expect(created).toMatchObject({
      name: 'custom',
      image: CUSTOM,
      customImage: true,
      imageSource: 'request',
    });
    expect(created.config.sparkImage).toBe(CUSTOM);
    const cluster = await waitForCluster(stack.client, 'custom', isRunning);
    expect(cluster.masters).toEqual({ desired: 1, ready: 1 });
    expect(cluster.workers).toEqual({ desired: 2, ready: 2 });
    expect(cluster.pods).toHaveLength(3);
    for (const pod of cluster.pods) {
      expect(pod.image).toBe(CUSTOM);
      expect(pod.ip).toMatch(/^10\.128\./);
      expect(pod).toMatchObject({ status: 'Running', ready: true });
    }
    expect(podImages('custom')).toEqual([
      { type: 'master', image: CUSTOM },
      { type: 'worker', image: CUSTOM },
      { type: 'worker', image: CUSTOM },
    ]);
    expect(cluster.masterUrl).toBe('spark://custom:7077');
    expect(cluster.masterWebUrl).toBe('http://custom-ui:8080');
    expect(cluster.masterWebRoute).toBe(`http://custom-ui-route-${NAMESPACE}.apps.fake.test`);
    expect((await stack.client.info()).application.details['web-ui-exposure']).toBe(
      'OpenShift Route <cluster>-ui-route',
    );
    const summary = (await stack.client.listClusters()).find((c) => c.name === 'custom');
    expect(summary).toMatchObject({ image: CUSTOM, customImage: true, workersReady: 2, status: 'Running' });
  });

  it('runs the default image when none is asked for', async () => {
    const info = await stack.client.info();
    expect(info.application['default-cluster-image']).toBe(DEFAULT_KUBERNETES_IMAGE);
    const created = await stack.client.createCluster({ name: 'plain' });
    expect(created).toMatchObject({
      image: DEFAULT_KUBERNETES_IMAGE,
      customImage: false,
      imageSource: 'default',
    });
    await waitForCluster(stack.client, 'plain', isRunning);
    const images = podImages('plain');
    expect(images).toHaveLength(2);
    for (const { image } of images) expect(image).toBe(DEFAULT_KUBERNETES_IMAGE);
  });

  it("uses a stored config's image, and the request's image over it", async () => {
    stack.fake.seed('configmaps', NAMESPACE, {
      metadata: { name: 'team-config' },
      data: { sparkimage: 'quay.io/my-team/spark:stored', workercount: '2' },
    });
    try {
      const stored = await stack.client.createCluster({
        name: 'from-stored',
        config: { name: 'team-config' },
      });
      expect(stored).toMatchObject({
        image: 'quay.io/my-team/spark:stored',
        imageSource: 'stored-config',
        customImage: true,
        config: { name: 'team-config', workerCount: 2 },
      });
      await waitForCluster(stack.client, 'from-stored', isRunning);
      expect(new Set(podImages('from-stored').map((p) => p.image))).toEqual(
        new Set(['quay.io/my-team/spark:stored']),
      );

      const overridden = await stack.client.createCluster({
        name: 'request-wins',
        config: { name: 'team-config', sparkImage: CUSTOM },
      });
      expect(overridden).toMatchObject({ image: CUSTOM, imageSource: 'request', config: { workerCount: 2 } });
      await waitForCluster(stack.client, 'request-wins', isRunning);
      expect(new Set(podImages('request-wins').map((p) => p.image))).toEqual(new Set([CUSTOM]));
    } finally {
      stack.fake.remove('configmaps', NAMESPACE, 'team-config');
    }
  });

  it('names the ConfigMap and key of a bad stored config', async () => {
    stack.fake.seed('configmaps', NAMESPACE, { metadata: { name: 'broken' }, data: { workers: '2' } });
    try {
      const error = await apiError(stack.client.createCluster({ name: 'x', config: { name: 'broken' } }));
      expect(error.status).toBe(422);
      expect(error.message).toContain(`ConfigMap 'broken' in namespace '${NAMESPACE}', key 'workers'`);
      const missing = await apiError(stack.client.createCluster({ name: 'x', config: { name: 'nope' } }));
      expect(missing).toMatchObject({ status: 422, field: 'config.name' });
      expect(missing.message).toBe("named config 'nope' does not exist");
    } finally {
      stack.fake.remove('configmaps', NAMESPACE, 'broken');
    }
    expect(clusterObjects()).toEqual([]);
  });

  it('accepts imageUrl as the image and refuses imageUrl and sparkImage that differ', async () => {
    const viaAlias = await stack.client.createCluster({ name: 'alias', config: { imageUrl: CUSTOM } });
    expect(viaAlias).toMatchObject({ image: CUSTOM, imageSource: 'request' });
    await waitForCluster(stack.client, 'alias', isRunning);
    expect(new Set(podImages('alias').map((p) => p.image))).toEqual(new Set([CUSTOM]));
    const error = await apiError(
      stack.client.createCluster({
        name: 'both',
        config: { imageUrl: CUSTOM, sparkImage: 'quay.io/other/spark:1' },
      }),
    );
    expect(error).toMatchObject({ status: 400, field: 'config.sparkImage', title: 'cannot create cluster' });
    expect(error.message).toContain('quay.io/other/spark:1');
    expect(clusterObjects('both')).toEqual([]);
  });

  it('scales workers and keeps the image and everything else', async () => {
    await stack.client.createCluster({ name: 'scaled', config: { sparkImage: CUSTOM, workerCount: 1 } });
    await waitForCluster(stack.client, 'scaled', isRunning);
    const masterBefore = stack.fake
      .objects('deployments', NAMESPACE)
      .find((d) => d.metadata.name === 'scaled-m');
    const workerBefore = stack.fake
      .objects('deployments', NAMESPACE)
      .find((d) => d.metadata.name === 'scaled-w');
    const servicesBefore = stack.fake
      .objects('services', NAMESPACE)
      .filter((s) => s.metadata.name.startsWith('scaled'));

    const scaled = await stack.client.scaleCluster('scaled', { workerCount: 3 });
    expect(scaled).toMatchObject({
      image: CUSTOM,
      imageSource: 'request',
      config: { workerCount: 3, masterCount: 1 },
    });
    const cluster = await waitForCluster(
      stack.client,
      'scaled',
      (c) => isRunning(c) && c.workers.ready === 3,
    );
    expect(cluster.pods.filter((p) => p.type === 'worker')).toHaveLength(3);
    expect(new Set(podImages('scaled').map((p) => p.image))).toEqual(new Set([CUSTOM]));

    const masterAfter = stack.fake
      .objects('deployments', NAMESPACE)
      .find((d) => d.metadata.name === 'scaled-m');
    const workerAfter = stack.fake
      .objects('deployments', NAMESPACE)
      .find((d) => d.metadata.name === 'scaled-w');
    // The master was not touched at all; the worker changed in its replicas only.
    expect(masterAfter?.metadata.resourceVersion).toBe(masterBefore?.metadata.resourceVersion);
    expect(masterAfter?.spec).toEqual(masterBefore?.spec);
    expect(workerAfter?.spec).toEqual({ ...workerBefore?.spec, replicas: 3 });
    expect(workerAfter?.metadata.annotations).toEqual(workerBefore?.metadata.annotations);
    expect(
      stack.fake.objects('services', NAMESPACE).filter((s) => s.metadata.name.startsWith('scaled')),
    ).toEqual(servicesBefore);

    const down = await stack.client.scaleCluster('scaled', { workerCount: 0 });
    expect(down.config.workerCount).toBe(0);
    await waitForCluster(
      stack.client,
      'scaled',
      (c) => c.pods.filter((p) => p.type === 'worker').length === 0,
    );
    const changeImage = await apiError(
      stack.client.createCluster({ name: 'scaled', config: { sparkImage: 'quay.io/x/y:1' } }),
    );
    expect(changeImage.status).toBe(409);
    const missing = await apiError(stack.client.scaleCluster('nope', { workerCount: 2 }));
    expect(missing.status).toBe(404);
  });

  it('reports the resources it was given, and refuses to change them on scale', async () => {
    const created = await stack.client.createCluster({
      name: 'sized',
      config: { workerCount: 1, workerResources: { cpu: 2, memory: '2Gi' } },
    });
    expect(created.config.workerResources).toEqual({ cpu: '2', memory: '2Gi' });
    expect(created.config.masterResources).toBeUndefined();
    expect((await stack.client.getCluster('sized')).config.workerResources).toEqual({
      cpu: '2',
      memory: '2Gi',
    });
    const put = (config: object) =>
      fetch(`${stack.server.url}/clusters/sized`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sized', config }),
      });
    const pulled = await put({ workerCount: 2, imagePullPolicy: 'Always' });
    expect(pulled.status).toBe(422);
    expect(((await pulled.json()) as { errors: { field?: string }[] }).errors[0]?.field).toBe(
      'config.imagePullPolicy',
    );
    const refused = await put({ workerCount: 2, workerResources: { cpu: '1', memory: '2Gi' } });
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { errors: { field?: string; details: string }[] };
    expect(body.errors[0]).toMatchObject({ field: 'config.workerResources' });
    expect(body.errors[0]?.details).toContain('the resources of an existing cluster cannot be changed');
    // The same resources again are no change: the scale goes through.
    const same = await put({ workerCount: 2, workerResources: { cpu: '2', memory: '2Gi' } });
    expect(same.status).toBe(202);
    const scaled = await stack.client.getCluster('sized');
    expect(scaled.workers.desired).toBe(2);
  });

  it('runs the pods as UID 185 on Kubernetes and as OpenShift assigns there, and refuses to change it on scale', async () => {
    // OpenShift (this stack): no UID, reported as "image"; a cluster's own is kept.
    const assigned = await stack.client.createCluster({ name: 'assigned', config: { workerCount: 0 } });
    expect(assigned.config.runAsUser).toBe('image');
    const master = clusterObjects('assigned').find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'assigned-m',
    );
    expect(JSON.stringify(master)).not.toContain('"runAsUser"');
    const own = await stack.client.createCluster({
      name: 'own',
      config: { workerCount: 0, runAsUser: 1001 },
    });
    expect(own.config.runAsUser).toBe(1001);
    const put = (config: object) =>
      fetch(`${stack.server.url}/clusters/own`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'own', config }),
      });
    const changed = await put({ workerCount: 1, runAsUser: 185 });
    expect(changed.status).toBe(422);
    const body = (await changed.json()) as { errors: { field?: string; details: string }[] };
    expect(body.errors[0]).toMatchObject({ field: 'config.runAsUser' });
    expect(body.errors[0]?.details).toContain('(it is 1001)');
    expect((await put({ workerCount: 1, runAsUser: 1001 })).status).toBe(202);
    // Plain Kubernetes: 185, the official images' user, unless the server says otherwise.
    const plain = await startKubeStack();
    const site = await startKubeStack({ env: { OSHINKO_RUN_AS_USER: 'image' } });
    // OpenShift known by its security context constraints' API alone: no UID either.
    const scc = await startKubeStack({ apiGroups: ['security.openshift.io'] });
    try {
      expect(
        (await plain.client.createCluster({ name: 'plain', config: { workerCount: 0 } })).config.runAsUser,
      ).toBe(185);
      expect(
        (await site.client.createCluster({ name: 'site', config: { workerCount: 0 } })).config.runAsUser,
      ).toBe('image');
      expect(
        (await scc.client.createCluster({ name: 'scc', config: { workerCount: 0 } })).config.runAsUser,
      ).toBe('image');
    } finally {
      await Promise.all([plain.close(), site.close(), scc.close()]);
    }
  });

  it('deletes every object of a cluster, and says 404 for a cluster that does not exist', async () => {
    await stack.client.createCluster({
      name: 'doomed',
      config: { sparkImage: CUSTOM, workerCount: 2, metrics: 'true' },
    });
    await waitForCluster(stack.client, 'doomed', isRunning);
    expect(clusterObjects('doomed').map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'Deployment doomed-m',
        'Deployment doomed-w',
        'Service doomed',
        'Service doomed-ui',
        'Service doomed-metrics',
        'Route doomed-ui-route',
      ]),
    );
    await stack.client.deleteCluster('doomed');
    expect(clusterObjects()).toEqual([]);
    expect(stack.fake.objects('events', NAMESPACE).length).toBeGreaterThan(0); // events stay, as on a real cluster
    const again = await apiError(stack.client.deleteCluster('doomed'));
    expect(again).toMatchObject({ status: 404, title: 'cluster deletion failed' });
    const get = await apiError(stack.client.getCluster('doomed'));
    expect(get.status).toBe(404);
  });

  it('answers 409 for a name that exists and leaves the cluster as it was', async () => {
    await stack.client.createCluster({ name: 'twice', config: { sparkImage: CUSTOM } });
    const before = clusterObjects('twice').map((o) => o.metadata.uid);
    const error = await apiError(stack.client.createCluster({ name: 'twice' }));
    expect(error).toMatchObject({ status: 409, field: 'name' });
    expect(error.message).toContain("cluster 'twice' already exists");
    expect(clusterObjects('twice').map((o) => o.metadata.uid)).toEqual(before);
    expect((await stack.client.getCluster('twice')).image).toBe(CUSTOM);
  });

  it('rolls back everything when the Kubernetes API fails in the middle of a create', async () => {
    stack.fake.failRequest({
      verb: 'create',
      resource: 'services',
      nth: 2,
      status: 500,
      message: 'etcdserver: request timed out',
    });
    const error = await apiError(
      stack.client.createCluster({ name: 'halfway', config: { sparkImage: CUSTOM } }),
    );
    expect(error.status).toBe(503);
    expect(error.message).toContain('cannot create Service halfway-ui');
    expect(error.message).toContain('etcdserver: request timed out');
    expect(error.message).toContain('nothing was left behind');
    expect(clusterObjects()).toEqual([]);
    expect(await stack.client.listClusters()).toEqual([]);

    stack.fake.failRequest({
      verb: 'create',
      resource: 'routes',
      status: 403,
      message: 'routes.route.openshift.io is forbidden',
    });
    const forbidden = await apiError(stack.client.createCluster({ name: 'noroute' }));
    expect(forbidden.status).toBe(403);
    expect(clusterObjects()).toEqual([]);
  });

  it('shows a cluster whose image cannot be pulled as Degraded with ImagePullBackOff', async () => {
    const missing = 'quay.io/my-team/spark:does-not-exist';
    stack.fake.missingImages.add(missing);
    await stack.client.createCluster({ name: 'broken-image', config: { sparkImage: missing } });
    const cluster = await waitForCluster(
      stack.client,
      'broken-image',
      (c) => c.status === 'Degraded' && c.pods.every((p) => p.status === 'ImagePullBackOff'),
    );
    expect(cluster.reason).toContain('ImagePullBackOff');
    expect(cluster.reason).toContain(missing);
    expect(cluster.pods.map((p) => p.image)).toEqual([missing, missing]);
    expect(cluster.workers).toEqual({ desired: 1, ready: 0 });
    expect(cluster.events?.some((e) => e.type === 'Warning' && e.message.includes(missing))).toBe(true);
    const logError = await apiError(stack.client.logs('broken-image'));
    // The API server's 400 (the kubelet has no log to give) is the pod's state, said as Kubernetes says it.
    expect(logError.status).toBe(409);
    expect(logError.message).toMatch(
      /the log of pod broken-image-m-\S+ is not available yet: container "spark" in pod "broken-image-m-\S+" is waiting to start: (ErrImagePull|ImagePullBackOff)/,
    );
  });

  it('says the log of a pod on no node yet is not available, instead of failing to read the answer', async () => {
    // The API server answers such a log with an empty 204 without a content type, which the generated client
    // could not parse: this was a 503 "cannot reach the Kubernetes API: Cannot parse content".
    stack.fake.unschedulable.add('oshinko-cluster=unplaced');
    try {
      await stack.client.createCluster({ name: 'unplaced', config: { workerCount: 0 } });
      const cluster = await waitForCluster(stack.client, 'unplaced', (c) => c.pods.length === 1);
      const message = '0/1 nodes are available: 1 Insufficient cpu.';
      expect(cluster.pods[0]).toMatchObject({ status: 'Unschedulable', reason: message });
      const error = await apiError(stack.client.logs('unplaced'));
      expect(error.status).toBe(409);
      expect(error.message).toContain(
        `the log of pod ${cluster.pods[0]?.name ?? ''} is not available yet: it is not on a node yet (Unschedulable: ${message})`,
      );
      expect(error.message).not.toContain('cannot reach the Kubernetes API');
    } finally {
      stack.fake.unschedulable.clear();
    }
  });

  it('reads the master log and a worker log', async () => {
    await stack.client.createCluster({ name: 'logged' });
    const cluster = await waitForCluster(stack.client, 'logged', isRunning);
    expect(await stack.client.logs('logged')).toContain('Starting Spark master at spark://');
    const worker = cluster.pods.find((p) => p.type === 'worker');
    expect(await stack.client.logs('logged', { pod: worker?.name ?? '', tail: 1 })).toBe(
      'INFO Worker: Successfully registered with master spark://logged:7077\n',
    );
    const error = await apiError(stack.client.logs('logged', { pod: 'someone-else' }));
    expect(error).toMatchObject({ status: 404, field: 'pod' });
  });

  it('lists N clusters with a constant number of API requests', async () => {
    const cost = async () => {
      stack.fake.resetRequests();
      await stack.client.listClusters();
      return readRequests(stack.fake).length;
    };
    await stack.client.createCluster({ name: 'n1' });
    const one = await cost();
    for (const name of ['n2', 'n3', 'n4', 'n5', 'n6']) await stack.client.createCluster({ name });
    const six = await cost();
    expect((await stack.client.listClusters()).map((c) => c.name)).toEqual([
      'n1',
      'n2',
      'n3',
      'n4',
      'n5',
      'n6',
    ]);
    expect(six).toBe(one);
    // Served by the watch cache: no request at all (test/kubernetes-watch-cache.test.ts has the uncached path).
    expect(six).toBe(0);
  });

  it('refuses a Spark config ConfigMap that does not exist, naming the field', async () => {
    const error = await apiError(
      stack.client.createCluster({ name: 'conf', config: { sparkMasterConfig: 'nope' } }),
    );
    expect(error).toMatchObject({ status: 422, field: 'config.sparkMasterConfig' });
    stack.fake.seed('configmaps', NAMESPACE, {
      metadata: { name: 'spark-conf' },
      data: { 'spark-defaults.conf': 'spark.ui.reverseProxy true\n' },
    });
    try {
      await stack.client.createCluster({ name: 'conf', config: { sparkWorkerConfig: 'spark-conf' } });
      const worker = stack.fake.objects('deployments', NAMESPACE).find((d) => d.metadata.name === 'conf-w');
      expect(JSON.stringify(worker?.spec)).toContain('/etc/oshinko-spark-configs');
    } finally {
      stack.fake.remove('configmaps', NAMESPACE, 'spark-conf');
    }
  });
});

describe('Secrets a cluster names', () => {
  const pullSecret = (name: string) => ({
    metadata: { name },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths": {}}').toString('base64') },
  });

  it('refuses a pull secret or env Secret that does not exist, naming the field, and creates nothing', async () => {
    expect(
      await apiError(stack.client.createCluster({ name: 'pull', config: { imagePullSecrets: ['regcred'] } })),
    ).toMatchObject({
      status: 422,
      field: 'config.imagePullSecrets[0]',
      message: expect.stringContaining(
        `config.imagePullSecrets[0] names Secret 'regcred', which does not exist in namespace '${NAMESPACE}'`,
      ) as unknown,
    });
    expect(
      await apiError(
        stack.client.createCluster({
          name: 'pull',
          config: { env: [{ name: 'TOKEN', secretKeyRef: { name: 'creds', key: 'token' } }] },
        }),
      ),
    ).toMatchObject({ status: 422, field: 'config.env[0].secretKeyRef.name' });
    expect(clusterObjects()).toEqual([]);
    // The check asks for the Secret's metadata, one GET each: no list, no watch of Secrets.
    const secretRequests = readRequests(stack.fake).filter((request) => request.resource === 'secrets');
    expect(new Set(secretRequests.map((request) => request.verb))).toEqual(new Set(['get']));
  });

  it('puts the pull secrets and tolerations on every pod and reports them', async () => {
    stack.fake.seed('secrets', NAMESPACE, pullSecret('regcred'));
    try {
      const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }];
      const created = await stack.client.createCluster({
        name: 'private',
        config: { sparkImage: CUSTOM, imagePullSecrets: ['regcred'], tolerations },
      });
      expect(created.config).toMatchObject({ imagePullSecrets: ['regcred'], tolerations });
      for (const name of ['private-m', 'private-w']) {
        const deployment = stack.fake.objects('deployments', NAMESPACE).find((d) => d.metadata.name === name);
        const pod = (deployment?.spec as { template: { spec: Record<string, unknown> } }).template.spec;
        expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
        expect(pod.tolerations).toEqual(tolerations);
      }
      expect((await stack.client.getCluster('private')).config).toMatchObject({
        imagePullSecrets: ['regcred'],
      });
      // Scaling keeps them; changing them is refused.
      const put = await fetch(`${stack.server.url}/clusters/private`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'private', config: { workerCount: 2, imagePullSecrets: ['other'] } }),
      });
      expect(put.status).toBe(422);
      expect(((await put.json()) as { errors: { field?: string }[] }).errors[0]?.field).toBe(
        'config.imagePullSecrets',
      );
      expect((await stack.client.scaleCluster('private', { workerCount: 2 })).config).toMatchObject({
        imagePullSecrets: ['regcred'],
        tolerations,
      });
    } finally {
      stack.fake.remove('secrets', NAMESPACE, 'regcred');
    }
  });
});

describe('bad input', () => {
  it('gets clear 4xx errors naming the field, and nothing is created', async () => {
    const cases: [unknown, number, string | undefined, RegExp][] = [
      [{ name: 'Bad_Name' }, 400, 'name', /invalid name "Bad_Name"/],
      [{ name: 'a'.repeat(55) }, 400, 'name', /at most 54 characters/],
      [
        { name: 'img', config: { sparkImage: 'quay.io/My-Team/spark:1' } },
        400,
        'config.sparkImage',
        /"quay.io\/My-Team\/spark:1"/,
      ],
      [{ name: 'img', config: { sparkImage: 'spark:bad tag' } }, 400, 'config.sparkImage', /spark:bad tag/],
      [
        { name: 'img', config: { imageUrl: 'registry:99999999/x' } },
        400,
        'config.imageUrl',
        /registry:99999999/,
      ],
      [
        { name: 'extra', config: { workerCount: 1, replicas: 3 } },
        400,
        'config.replicas',
        /unknown field config.replicas/,
      ],
      [{ name: 'extra', image: 'x' }, 400, 'image', /unknown field image/],
      [{ name: 'types', config: { workerCount: 'two' } }, 400, 'config.workerCount', /config.workerCount/],
      [{ name: 'types', config: { workerCount: -1 } }, 400, 'config.workerCount', /config.workerCount/],
      [{ name: 'types', config: { masterCount: 2 } }, 400, 'config.masterCount', /config.masterCount/],
      [{ name: 'types', config: { exposeWebUI: 'maybe' } }, 400, 'config.exposeWebUI', /config.exposeWebUI/],
      [
        { name: 'res', config: { workerResources: { cpu: 'lots' } } },
        400,
        'config.workerResources.cpu',
        /invalid config.workerResources.cpu "lots": expected a Kubernetes quantity/,
      ],
      [
        { name: 'res', config: { workerResources: { memory: '512Mi' } } },
        422,
        'config.workerResources.memory',
        /must offer executors at least 256 MiB; give at least 854Mi/,
      ],
      [
        { name: 'res', config: { masterResources: { gpu: '1' } } },
        400,
        'config.masterResources.gpu',
        /unknown field config.masterResources.gpu/,
      ],
      [
        { name: 'pull', config: { imagePullPolicy: 'always' } },
        400,
        'config.imagePullPolicy',
        /invalid config.imagePullPolicy "always": expected one of Always, IfNotPresent, Never/,
      ],
      [
        { name: 'uid', config: { runAsUser: 0 } },
        400,
        'config.runAsUser',
        /invalid config.runAsUser 0: expected a UID from 1 to 2147483647, or "image"/,
      ],
      [{ name: 'uid', config: { runAsUser: 'spark' } }, 400, 'config.runAsUser', /"spark"/],
      [
        { name: 'pods', config: { labels: { 'oshinko-type': 'x' } } },
        400,
        'config.labels.oshinko-type',
        /"oshinko-type" is set by oshinko itself/,
      ],
      [
        { name: 'pods', config: { env: [{ name: 'POD_IP', value: 'x' }] } },
        400,
        'config.env.0.name',
        /POD_IP is set by oshinko itself/,
      ],
      [
        { name: 'pods', config: { nodeSelector: { 'bad key!': 'x' } } },
        400,
        'config.nodeSelector.bad key!',
        /is not a valid key/,
      ],
      [
        { name: 'pods', config: { tolerations: [{ key: 'gpu', effect: 'NoRun' }] } },
        400,
        'config.tolerations.0.effect',
        /"NoRun" is not one of NoSchedule, PreferNoSchedule, NoExecute/,
      ],
      [
        { name: 'pods', config: { imagePullSecrets: ['Reg_Cred'] } },
        400,
        'config.imagePullSecrets.0',
        /"Reg_Cred" is not a valid Secret name/,
      ],
      [{ config: {} }, 400, 'name', /name is required/],
      [{ name: 42 }, 400, 'name', /name/],
    ];
    for (const [body, status, field, details] of cases) {
      const response = await rawPost(JSON.stringify(body));
      const answer = (await response.json()) as {
        errors: { status: number; title: string; details: string; field?: string }[];
      };
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(answer.errors[0]).toMatchObject({ status, title: 'cannot create cluster', field });
      expect(answer.errors[0]?.details).toMatch(details);
    }
    const huge = await rawPost(
      JSON.stringify({ name: 'huge', config: { sparkMasterConfig: 'x'.repeat(200_000) } }),
    );
    expect(huge.status).toBe(413);
    const notJson = await rawPost('{"name": ');
    expect(notJson.status).toBe(400);
    const wrongType = await rawPost('name=x', 'application/x-www-form-urlencoded');
    expect(wrongType.status).toBe(415);
    expect(clusterObjects()).toEqual([]);
  });

  it('creates with 201 and a Location header, as upstream', async () => {
    const response = await rawPost(JSON.stringify({ name: 'located', config: { workerCount: 0 } }));
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/clusters/located');
  });
});

describe('deleting a cluster whose pods take time to stop', () => {
  // As on a real cluster: deleted pods stay Terminating (here 300 ms) before they are gone.
  let slow: KubeStack;
  beforeAll(async () => {
    slow = await startKubeStack({ podStopMs: 300 });
  });
  afterAll(async () => {
    await slow.close();
  });

  it('reports the cluster as Deleting until every pod is gone, then 404', async () => {
    await slow.client.createCluster({ name: 'slow', config: { workerCount: 2 } });
    await waitForCluster(slow.client, 'slow', isRunning);
    await slow.client.deleteCluster('slow');

    const deleting = await slow.client.getCluster('slow');
    expect(deleting.status).toBe('Deleting');
    expect(deleting.reason).toBe('3 pods still stopping');
    expect(deleting.pods.map((p) => p.status)).toEqual(['Terminating', 'Terminating', 'Terminating']);
    expect((await slow.client.listClusters()).map((c) => [c.name, c.status])).toEqual([['slow', 'Deleting']]);
    // A second delete is no error: the cluster is on its way out.
    await slow.client.deleteCluster('slow');
    // The name is not free before the old pods are gone; they would be counted in the new cluster.
    const taken = await apiError(slow.client.createCluster({ name: 'slow' }));
    expect(taken).toMatchObject({ status: 409, field: 'name' });
    const scale = await apiError(slow.client.scaleCluster('slow', { workerCount: 3 }));
    expect(scale.status).toBe(409);
    expect(scale.message).toContain('is being deleted');

    const deadline = Date.now() + 5000;
    let gone: ApiErrorDetails | undefined;
    while (gone === undefined && Date.now() < deadline) {
      gone = await slow.client.getCluster('slow').then(
        () => undefined,
        (error: unknown) => (error as { api?: ApiErrorDetails }).api,
      );
      // Whenever the server stops reporting it, Kubernetes has nothing of it left.
      if (gone !== undefined) {
        const left = (['deployments', 'replicasets', 'pods', 'services'] as const).flatMap((r) =>
          slow.fake.objects(r, NAMESPACE),
        );
        expect(left).toEqual([]);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(gone?.status).toBe(404);
  });
});
