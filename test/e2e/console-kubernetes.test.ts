/**
 * The web console on the Kubernetes driver: real headless Chromium, the real server and driver, and the fake
 * Kubernetes API server (OpenShift flavour) over HTTP. Here the image is typed, not picked from a local store,
 * and a failing image pull shows as a Degraded cluster.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeStack, type KubeStack } from '../helpers/kube-stack.js';
import { collectPageErrors, ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';
import { ClusterDetailsPage } from './pages/cluster-details-page.js';
import { ClusterListPage } from './pages/cluster-list-page.js';

const CUSTOM = 'quay.io/team/spark:3.5-ml';
const MISSING = 'quay.io/team/spark:does-not-exist';

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
