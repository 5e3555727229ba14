/**
 * The web console on the Kubernetes driver: real headless Chromium, the real server and driver, and the fake
 * Kubernetes API server (OpenShift flavour) over HTTP. Here the image is typed, not picked from a local store,
 * and a failing image pull shows as a Degraded cluster.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE, startKubeStack, type KubeStack } from '../support/kube-stack.js';
import { collectPageErrors, ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';
import { ClusterDetailsPage } from './pages/cluster-details-page.js';
import { ClusterListPage } from './pages/cluster-list-page.js';

const CUSTOM = 'quay.io/team/spark:3.5-ml';
const MISSING = 'quay.io/team/spark:does-not-exist';

/** What this suite reads of a pod the fake API server started from a Deployment's template. */
interface PodView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    nodeSelector?: Record<string, string>;
    tolerations?: unknown[];
    imagePullSecrets?: unknown[];
    containers: { name: string; resources?: unknown; env?: unknown[] }[];
  };
}

describe('web console on the Kubernetes driver', () => {
  let stack: KubeStack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let list: ClusterListPage;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    stack = await startKubeStack({ openshift: true });
    stack.fake.missingImages.add(MISSING);
    // The Secrets a cluster names (env, image pull) must exist when the cluster is created.
    stack.fake.seed('secrets', NAMESPACE, { metadata: { name: 'creds' }, type: 'Opaque', data: {} });
    stack.fake.seed('secrets', NAMESPACE, {
      metadata: { name: 'regcred' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths": {}}').toString('base64') },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
    errors = collectPageErrors(page);
    list = new ClusterListPage(page, stack.server.url);
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  it('deploys a typed custom image and shows it as custom in the list and the details', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    await dialog.setName('k8s-custom');
    await dialog.setWorkers(2);
    await dialog.openAdvanced();
    expect(await dialog.imageInput.getAttribute('placeholder')).toBe(
      (await stack.client.info()).application['default-cluster-image'],
    );
    await dialog.typeImage(CUSTOM);
    await dialog.deploy();
    await list.waitForStatus('k8s-custom', 'Running', 15_000);
    expect(await list.workers('k8s-custom').innerText()).toBe('2/2');
    expect(await list.customBadge('k8s-custom').isVisible()).toBe(true);
    const route = (await stack.client.getCluster('k8s-custom')).masterWebRoute;
    expect(route).toBeDefined();
    expect(await list.row('k8s-custom').locator('[data-test=web-ui-link]').getAttribute('href')).toContain(
      route ?? '',
    );

    await list.openDetails('k8s-custom');
    const details = new ClusterDetailsPage(page, stack.server.url);
    expect(await details.image.innerText()).toBe(CUSTOM);
    expect(await details.imageSource.innerText()).toBe('set in the deploy request');
    await expect.poll(() => details.podImages.allInnerTexts()).toEqual([CUSTOM, CUSTOM, CUSTOM]);
    await screenshot(page, 'kubernetes-cluster-details');
  });

  it('deploys with resources, pod settings and env from the advanced fold; the pods get them', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    await dialog.setName('k8s-tuned');
    await dialog.openAdvanced();
    await dialog.fill('deploy-master-memory', '1Gi');
    await dialog.fill('deploy-worker-cpu', '2');
    // A worker needs 854Mi to offer its executors anything: said inline, before any request.
    await dialog.fill('deploy-worker-memory', '512Mi');
    await dialog.error('workerMemory').waitFor();
    expect(await dialog.error('workerMemory').innerText()).toContain('give at least 854Mi');
    await dialog.fill('deploy-worker-memory', '2Gi');
    await dialog.fill('deploy-image-pull-secrets', 'regcred');
    await dialog.fill('deploy-node-selector', 'disktype=ssd');
    await dialog.fill('deploy-tolerations', 'dedicated=spark:NoSchedule');
    await dialog.fill('deploy-env', 'MODE=fast');
    // A Secret the namespace lacks is found by the server, and said under the field that names it.
    await dialog.fill('deploy-env-from-secret', 'TOKEN=gone:token');
    await dialog.submit();
    await dialog.error('envFromSecret').waitFor();
    expect(await dialog.error('envFromSecret').innerText()).toContain("Secret 'gone', which does not exist");
    await dialog.fill('deploy-env-from-secret', 'TOKEN=creds:token');
    expect(await dialog.error('workerMemory').count()).toBe(0);
    // A taller window shows the whole of the pod settings in the shot.
    await page.setViewportSize({ width: 1280, height: 1700 });
    await dialog.scrollToSection('Resources');
    await screenshot(page, 'deploy-dialog-pod-settings');
    await page.setViewportSize({ width: 1280, height: 960 });
    await dialog.deploy();
    await list.waitForStatus('k8s-tuned', 'Running', 15_000);

    const pods = stack.fake
      .objects('pods', NAMESPACE)
      .map((pod) => pod as unknown as PodView)
      .filter((pod) => pod.metadata.name.startsWith('k8s-tuned-'));
    const worker = pods.find((pod) => pod.metadata.name.startsWith('k8s-tuned-w-'));
    const master = pods.find((pod) => pod.metadata.name.startsWith('k8s-tuned-m-'));
    for (const pod of [worker, master]) {
      expect(pod?.spec.nodeSelector).toEqual({ disktype: 'ssd' });
      expect(pod?.spec.tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
      ]);
      expect(pod?.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
      expect(pod?.spec.containers[0]?.env).toEqual(
        expect.arrayContaining([
          { name: 'MODE', value: 'fast' },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
        ]),
      );
    }
    expect(worker?.spec.containers[0]?.resources).toEqual({
      requests: { cpu: '2', memory: '2Gi' },
      limits: { cpu: '2', memory: '2Gi' },
    });
    expect(master?.spec.containers[0]?.resources).toEqual({
      requests: { memory: '1Gi' },
      limits: { memory: '1Gi' },
    });

    await list.openDetails('k8s-tuned');
    const details = new ClusterDetailsPage(page, stack.server.url);
    await details.config('config-worker-resources').waitFor();
    expect(await details.config('config-master-resources').innerText()).toBe('memory 1Gi');
    expect(await details.config('config-worker-resources').innerText()).toBe('cpu 2, memory 2Gi');
    expect(await details.config('config-node-selector').innerText()).toBe('disktype=ssd');
    expect(await details.config('config-tolerations').innerText()).toBe('dedicated=spark:NoSchedule');
    expect(await details.config('config-image-pull-secrets').innerText()).toBe('regcred');
    expect((await details.config('config-env').innerText()).split('\n')).toEqual([
      'MODE=fast',
      'TOKEN from Secret creds:token',
    ]);
    await screenshot(page, 'kubernetes-cluster-details-pod-settings');
  }, 60_000);

  it('shows a cluster whose image cannot be pulled as Degraded, with the reason', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    await dialog.setName('k8s-missing');
    await dialog.openAdvanced();
    await dialog.typeImage(MISSING);
    await dialog.deploy();
    await list.waitForStatus('k8s-missing', 'Degraded', 15_000);
    await list.status('k8s-missing').hover();
    await expect.poll(() => page.getByRole('tooltip').innerText()).toMatch(/ImagePullBackOff|ErrImagePull/);
    await list.dismissToasts();
    await screenshot(page, 'kubernetes-cluster-list');
  });

  it('refuses a taken name next to the name field', async () => {
    await list.open();
    const dialog = await list.openDeployDialog();
    await dialog.setName('k8s-custom');
    await dialog.submit();
    await dialog.error('name').waitFor();
    expect(await dialog.error('name').innerText()).toMatch(/already exists/);
    await dialog.cancel();
  });

  it('logged no errors in the browser console', () => {
    expect(errors).toEqual([]);
  });
});
