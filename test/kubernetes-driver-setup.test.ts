/** The Kubernetes driver's configuration: plain Kubernetes with and without an Ingress, and clear start errors. */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/core/manual-clock.js';
import { ConfigurationError } from '../src/core/errors.js';
import { createKubernetesDriver } from '../src/drivers/kubernetes/index.js';
import { parseServeConfig } from '../src/server/serve-config.js';
import { createDriver } from '../src/server/serve.js';
import { FakeKubeServer } from './fake-kube/fake-kube-server.js';
import { writeKubeconfig } from './fake-kube/kubeconfig.js';
import {
  fakeKubeDriver,
  isRunning,
  kubeStackPerTest,
  NAMESPACE,
  waitForCluster,
} from './support/kube-stack.js';

const startStack = kubeStackPerTest();

describe('plain Kubernetes (no Route API)', () => {
  it('makes no Route and, unless configured, no Ingress', async () => {
    const stack = await startStack();
    const cluster = await stack.client.createCluster({ name: 'web' });
    expect(cluster.masterWebRoute).toBeUndefined();
    await waitForCluster(stack.client, 'web', isRunning);
    expect(stack.fake.objects('ingresses')).toEqual([]);
    expect(stack.fake.requests.some((r) => r.resource === 'routes')).toBe(false);
    const info = await stack.client.info();
    expect(info.application.driver).toBe('kubernetes');
    expect(info.application.details).toMatchObject({
      namespace: NAMESPACE,
      'web-ui-exposure': 'none (no Route API, no ingress domain configured)',
    });
  });

  it('exposes the web UI with an Ingress when OSHINKO_INGRESS_DOMAIN is set', async () => {
    const stack = await startStack({
      driver: (kubeconfig) =>
        createDriver(
          parseServeConfig(
            { driver: 'kubernetes', kubeconfig },
            { OSHINKO_INGRESS_DOMAIN: 'apps.example.test', OSHINKO_INGRESS_CLASS: 'nginx' },
          ),
        ),
    });
    const cluster = await stack.client.createCluster({ name: 'web' });
    expect(cluster.masterWebRoute).toBe(`http://web-ui-${NAMESPACE}.apps.example.test`);
    expect((await stack.client.info()).application.details['web-ui-exposure']).toBe(
      'Ingress on *.apps.example.test',
    );
    const [ingress] = stack.fake.objects('ingresses', NAMESPACE);
    expect(ingress?.metadata.name).toBe('web-ui');
    expect(ingress?.spec).toMatchObject({ ingressClassName: 'nginx' });
    expect(ingress?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web-m' });
    await stack.client.createCluster({ name: 'hidden', config: { exposeWebUI: false } });
    expect(stack.fake.objects('ingresses', NAMESPACE)).toHaveLength(1);
    await stack.client.deleteCluster('web');
    expect(stack.fake.objects('ingresses', NAMESPACE)).toEqual([]);
  });

  it('rejects a bad ingress domain at start', () => {
    expect(() =>
      parseServeConfig({ driver: 'kubernetes' }, { OSHINKO_INGRESS_DOMAIN: 'Not A Domain' }),
    ).toThrow(/invalid OSHINKO_INGRESS_DOMAIN "Not A Domain"/);
  });
});

describe('a plain http:// API server without insecure-skip-tls-verify, as `kubectl proxy` serves it', () => {
  for (const watch of [true, false]) {
    it(`creates, lists, reads logs and deletes (watch cache ${watch ? 'on' : 'off'})`, async () => {
      const stack = await startStack({
        kubeconfig: { insecureSkipTlsVerify: false },
        env: { OSHINKO_KUBE_WATCH: String(watch) },
      });
      expect(stack.fake.url).toMatch(/^http:\/\//);
      expect(readFileSync(stack.kubeconfig.path, 'utf8')).not.toContain('insecure-skip-tls-verify');
      // Writes (the generated client), lists and watches (the plain JSON lister), logs (a subresource).
      await stack.client.createCluster({ name: 'proxied', config: { workerCount: 1 } });
      await waitForCluster(stack.client, 'proxied', (c) => isRunning(c) && c.workers.ready === 1);
      expect((await stack.client.listClusters()).map((c) => c.name)).toEqual(['proxied']);
      expect(await stack.client.logs('proxied')).toContain('Starting Spark master');
      const details = (await stack.client.info()).application.details;
      expect(details.reads).toMatch(watch ? /^watch cache, live$/ : /^from the API on every request/);
      if (watch) expect(stack.fake.requests.some((r) => r.verb === 'watch')).toBe(true);
      await stack.client.deleteCluster('proxied');
      expect(await stack.client.listClusters()).toEqual([]);
    });
  }
});

describe('driver start', () => {
  it('fails with a ConfigurationError when the kubeconfig has no namespace and none is given', async () => {
    const fake = await FakeKubeServer.start();
    const file = writeKubeconfig(fake, undefined);
    try {
      await expect(
        createKubernetesDriver({ kubeconfig: file.path, namespace: undefined }),
      ).rejects.toBeInstanceOf(ConfigurationError);
      const driver = await createKubernetesDriver({ kubeconfig: file.path, namespace: 'default' });
      expect(driver.describe()).toMatchObject({ namespace: 'default', server: fake.url });
    } finally {
      file.remove();
      await fake.close();
    }
  });

  it('says that the namespace does not exist instead of blaming the caller', async () => {
    const stack = await startStack({ namespaces: ['elsewhere'] });
    const error = await stack.client.createCluster({ name: 'lost' }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as { api?: { status: number } }).api?.status).toBe(503);
    expect((error as Error).message).toContain(`namespace '${NAMESPACE}' does not exist`);
  });

  it('accepts a KubeConfig built in memory', async () => {
    const fake = await FakeKubeServer.start();
    try {
      const driver = await fakeKubeDriver(fake);
      expect(await driver.list()).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('gives up on a Kubernetes API request that takes too long', async () => {
    const fake = await FakeKubeServer.start();
    try {
      const clock = new ManualClock();
      const driver = await fakeKubeDriver(fake, {
        requestTimeoutMs: 200,
        // Reads go to the API on each request; the watch cache's own failures are tested below.
        watch: false,
        clock,
      });
      expect(await driver.list()).toEqual([]);
      // The list answers late (in real time); the driver gives up when its deadline passes on its clock.
      fake.failRequest({ verb: 'list', resource: 'pods', delayMs: 2000 });
      let settled = false;
      const listing = driver.list().finally(() => {
        settled = true;
      });
      listing.catch(() => undefined);
      await clock.whenPending(200);
      await clock.advance(199);
      expect(settled).toBe(false);
      await clock.advance(1);
      await expect(listing).rejects.toMatchObject({
        code: 'timeout',
        message: 'cannot list pods: the Kubernetes API did not answer in time',
      });
    } finally {
      await fake.close();
    }
  });

  it('reports an unreachable or refusing API server as unavailable, not as the caller’s fault', async () => {
    const fake = await FakeKubeServer.start();
    const driver = await fakeKubeDriver(fake, { watch: false });
    fake.failRequest({ verb: 'discovery', status: 500, message: 'boom' });
    await expect(driver.list()).rejects.toMatchObject({ code: 'unavailable' });
    await fake.close();
    await expect(driver.list()).rejects.toThrow(/cannot reach the Kubernetes API/);
  });

  it('with the watch cache, fails the same way once the API server is gone instead of answering from memory', async () => {
    const fake = await FakeKubeServer.start();
    const driver = await fakeKubeDriver(fake, { requestTimeoutMs: 500 });
    try {
      expect(await driver.list()).toEqual([]);
      expect(driver.describe().reads).toBe('watch cache, live');
      fake.resetRequests();
      expect(await driver.list()).toEqual([]);
      expect(fake.requests).toEqual([]);
      await fake.close();
      // The cache stops answering as soon as the client sees its watches cut (the next turn of the event loop).
      await vi.waitFor(() => {
        expect(driver.describe().reads).toMatch(/^from the API while the watch cache catches up \(/);
      });
      await expect(driver.list()).rejects.toThrow(/cannot reach the Kubernetes API/);
    } finally {
      await driver.close();
    }
  });

  it('with the watch cache refused (no watch permission), reads from the API on every request', async () => {
    const fake = await FakeKubeServer.start();
    const driver = await fakeKubeDriver(fake, { watchTimings: { backoffMs: 60_000, maxBackoffMs: 60_000 } });
    try {
      fake.failRequest({
        verb: 'watch',
        resource: 'deployments',
        status: 403,
        message: 'deployments is forbidden: no watch',
      });
      expect(await driver.list()).toEqual([]);
      expect(driver.describe().reads).toContain('deployments is forbidden: no watch');
      fake.resetRequests();
      expect(await driver.list()).toEqual([]);
      expect(fake.requests.map((r) => `${r.verb} ${r.resource}`).sort()).toEqual([
        'list deployments',
        'list pods',
        'list services',
      ]);
    } finally {
      await driver.close();
      await fake.close();
    }
  });
});
