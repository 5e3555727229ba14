/**
 * The web console end to end: real headless Chromium against a real `oshinko serve` on the local driver, which
 * runs real Spark daemons. Page objects live in ./pages; screenshots land in test-results/screenshots.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import type { ClusterDriver } from '../../src/core/driver.js';
import { createDriver, serve, type RunningServer } from '../../src/server/serve.js';
import { parseServeConfig } from '../../src/server/serve-config.js';
import { collectPageErrors, ensureConsoleBuilt, launchChromium, screenshot } from './browser.js';
import { ClusterDetailsPage } from './pages/cluster-details-page.js';
import { ClusterListPage } from './pages/cluster-list-page.js';

const SPARK_START_MS = 180_000;
/** Built with `oshinko image build` on top of the default image, as a user would. */
const CUSTOM_IMAGE = 'team/spark-ml:1';

const home = await mkdtemp(join(tmpdir(), 'oshinko-console-e2e-'));
// The daemons inherit the server's environment: java, Python and a home are found through it.
const config = parseServeConfig(
  { driver: 'local', port: '0', home },
  {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    JAVA_HOME: process.env.JAVA_HOME,
    SPARK_HOME: process.env.SPARK_HOME,
  },
);

/** Builds a custom local image with the CLI (in process); the store needs no server, so this works any time. */
async function buildCustomImage(from: string): Promise<void> {
  const stderr = new PassThrough();
  let errors = '';
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await run(
    ['image', 'build', CUSTOM_IMAGE, '--from', from, '--conf', 'spark.oshinko.flavor=ml', '--home', home],
    {
      stdout: new PassThrough(),
      stderr,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SPARK_HOME: process.env.SPARK_HOME },
    },
  );
  if (code !== 0) throw new Error(`oshinko image build ${CUSTOM_IMAGE} failed (${code}): ${errors}`);
}

/**
 * The local driver needs a Spark runtime (`npm run setup`, which `npm test` runs). A driver that cannot start fails
 * the suite with its reason: a broken driver must never read as a skipped suite.
 */
async function localDriver(): Promise<ClusterDriver> {
  try {
    return await createDriver(config);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the local driver cannot start (npm run setup installs its Spark runtime): ${reason}`, {
      cause: error,
    });
  }
}

describe('web console end to end', () => {
  let server: RunningServer | undefined;
  let baseUrl = '';
  let client: OshinkoClient;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let errors: string[];
  let list: ClusterListPage;
  let defaultImage: string;
  let customImage: string;

  beforeAll(async () => {
    const driver = await localDriver();
    await ensureConsoleBuilt();
    server = await serve({ ...config, logLevel: 'warn' }, driver);
    baseUrl = server.url;
    client = new OshinkoClient(baseUrl, { timeoutMs: 60_000 });
    const info = await client.info();
    defaultImage = info.application['default-cluster-image'];
    await buildCustomImage(defaultImage);
    customImage = CUSTOM_IMAGE;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 960 } });
    page = await context.newPage();
    errors = collectPageErrors(page);
    list = new ClusterListPage(page, baseUrl);
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server !== undefined) {
      for (const cluster of await client.listClusters().catch(() => [])) {
        await client.deleteCluster(cluster.name).catch(() => undefined);
      }
      await server.close();
    }
    await rm(home, { recursive: true, force: true });
  }, 120_000);

  it('starts empty and offers to deploy a cluster', async () => {
    await list.open();
    await expect.poll(() => list.emptyState.isVisible()).toBe(true);
    await screenshot(page, 'empty-list');
  });

  it(
    'deploys a cluster with the default settings',
    async () => {
      await list.open();
      const dialog = await list.openDeployDialog();
      expect(await dialog.advancedToggle.getAttribute('aria-expanded')).toBe('false');
      await dialog.setName('e2e-default');
      await screenshot(page, 'deploy-dialog');
      await dialog.deploy();
      await list.waitForStatus('e2e-default', 'Running', SPARK_START_MS);
      expect(await list.workers('e2e-default').innerText()).toBe('1/1');
      expect(await list.image('e2e-default').innerText()).toBe(defaultImage);
      expect(await list.customBadge('e2e-default').count()).toBe(0);
      await list.dismissToasts();
      await screenshot(page, 'cluster-list');
    },
    SPARK_START_MS + 30_000,
  );

  it(
    'deploys a custom image chosen in the advanced section and shows it in the list and the details',
    async () => {
      await list.open();
      const dialog = await list.openDeployDialog();
      await dialog.setName('e2e-custom');
      await dialog.openAdvanced();
      expect(await dialog.imageInput.getAttribute('placeholder')).toBe(defaultImage);
      expect(await dialog.imageChoices()).toEqual(expect.arrayContaining([defaultImage, customImage]));
      await screenshot(page, 'deploy-dialog-image-choices');
      // Escape closes the image menu, not the dialog.
      await page.keyboard.press('Escape');
      await page.getByRole('listbox', { name: 'Local images' }).waitFor({ state: 'hidden' });
      expect(await dialog.root.isVisible()).toBe(true);
      await dialog.chooseImage(customImage);
      expect(await dialog.imageInput.inputValue()).toBe(customImage);
      expect(await dialog.root.locator('[data-test=custom-image-hint]').isVisible()).toBe(true);
      await dialog.scrollToTop();
      await screenshot(page, 'deploy-dialog-advanced');
      await dialog.deploy();

      await list.waitForStatus('e2e-custom', 'Running', SPARK_START_MS);
      expect(await list.customBadge('e2e-custom').isVisible()).toBe(true);
      expect(await list.image('e2e-custom').innerText()).toBe(customImage);
      await list.dismissToasts();
      await screenshot(page, 'cluster-list-custom');
      await list.filter('CUSTOM');
      await expect.poll(() => list.rowNames()).toEqual(['e2e-custom']);
      await list.filter('');
      await expect.poll(async () => (await list.rowNames()).sort()).toEqual(['e2e-custom', 'e2e-default']);

      await list.openDetails('e2e-custom');
      const details = new ClusterDetailsPage(page, baseUrl);
      expect(await details.title.innerText()).toBe('e2e-custom');
      expect(await details.image.innerText()).toBe(customImage);
      expect(await details.customBadge.isVisible()).toBe(true);
      expect(await details.imageSource.innerText()).toBe('set in the deploy request');
      await expect
        .poll(() => details.podImages.allInnerTexts(), { timeout: 30_000 })
        .toEqual([customImage, customImage]);
      const cluster = await client.getCluster('e2e-custom');
      const sparkHome = (await client.listImages()).find((image) => image.ref === customImage)?.sparkHome;
      expect(sparkHome).toBeDefined();
      await expect
        .poll(() => details.sparkSubmit.inputValue())
        .toBe(
          `${sparkHome ?? ''}/bin/spark-submit --master ${cluster.masterUrl} --deploy-mode client my_app.py`,
        );
      await expect.poll(() => details.logText.innerText(), { timeout: 30_000 }).toMatch(/Master|Spark|INFO/);
      await screenshot(page, 'cluster-details');
    },
    SPARK_START_MS + 60_000,
  );

  it('shows validation errors for a bad name and a bad image reference and sends nothing', async () => {
    await list.open();
    const before = (await client.listClusters()).length;
    const dialog = await list.openDeployDialog();
    await dialog.setName('Bad_Name');
    expect(await dialog.error('name').innerText()).toMatch(/must start with a lowercase letter/);
    await dialog.openAdvanced();
    await dialog.typeImage('Spark:latest');
    expect(await dialog.error('sparkImage').innerText()).toMatch(/must be lowercase/);
    await dialog.submit();
    expect(await dialog.root.isVisible()).toBe(true);
    expect(await dialog.nameInput.inputValue()).toBe('Bad_Name');
    await screenshot(page, 'deploy-dialog-errors');

    // A well-formed reference the local image store lacks: the server says so next to the image field.
    await dialog.setName('e2e-missing-image');
    await dialog.typeImage('no-such-image:1.0');
    await dialog.submit();
    await dialog.error('sparkImage').waitFor();
    expect(await dialog.error('sparkImage').innerText()).toContain('no-such-image:1.0');
    expect(await dialog.imageInput.inputValue()).toBe('no-such-image:1.0');
    expect(await dialog.nameInput.inputValue()).toBe('e2e-missing-image');
    await dialog.cancel();
    expect((await client.listClusters()).length).toBe(before);
  });

  it(
    'scales a cluster',
    async () => {
      await list.open();
      await list.scale('e2e-default', 2);
      await expect.poll(() => list.workers('e2e-default').innerText(), { timeout: 10_000 }).toMatch(/\/2$/);
      await list.waitForStatus('e2e-default', 'Running', SPARK_START_MS);
      expect(await list.workers('e2e-default').innerText()).toBe('2/2');
      expect((await client.getCluster('e2e-default')).workers).toEqual({ desired: 2, ready: 2 });
      await list.dismissToasts();
      await screenshot(page, 'cluster-list-scaled');
    },
    SPARK_START_MS + 30_000,
  );

  it('deletes clusters after confirmation', async () => {
    await list.open();
    const confirmation = await list.askToDelete('e2e-default');
    await screenshot(page, 'delete-dialog');
    await confirmation.locator('[data-test=delete-cancel]').click();
    expect(await list.row('e2e-default').isVisible()).toBe(true);

    await list.delete('e2e-default');
    await list.row('e2e-default').waitFor({ state: 'detached', timeout: 30_000 });
    await list.delete('e2e-custom');
    await list.emptyState.waitFor({ timeout: 30_000 });
    expect(await client.listClusters()).toEqual([]);
  }, 90_000);

  it('fits a narrow screen', async () => {
    await client.createCluster({ name: 'e2e-narrow', config: { workerCount: 0 } });
    await page.setViewportSize({ width: 390, height: 844 });
    await list.open();
    await list.row('e2e-narrow').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'cluster-list-narrow');
    await page.setViewportSize({ width: 1280, height: 960 });
  });

  it('logged no errors in the browser console', () => {
    expect(errors).toEqual([]);
  });
});
