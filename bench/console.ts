/**
 * Console benchmark: the built console served by the real server (Kubernetes driver) whose fake Kubernetes API
 * holds 1000 clusters, loaded in headless Chromium. Measures first contentful paint, the time until all rows are
 * in the page (the list is paginated: the table counts them all and shows its first page), the time to interactive (no long task for 1 s after the rows), the longest main-thread task
 * while the list refreshes, and the bundle size (raw and gzip). Run `npm run build` first.
 *
 *   npm run bench:console [-- --clusters 1000 --repeats 5]
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../test/e2e/browser.js';
import { startChild } from './lib/child.js';
import { fixed, load, machine, summarize, table } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '5' },
  },
});
const clusters = Number(values.clusters);
const repeats = Number(values.repeats);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const dist = here('../console/dist');
const QUIET_MS = 1000;

/** Records long tasks from the start of the page, so that they can be read after the load. */
const RECORD_LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
`;

function bundle(): string[][] {
  const rows: string[][] = [];
  let raw = 0;
  let gzip = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|css|html)$/.test(entry.name)) {
        const content = readFileSync(path);
        const zipped = gzipSync(content, { level: 9 }).length;
        raw += content.length;
        gzip += zipped;
        rows.push([path.slice(dist.length + 1), fixed(content.length / 1024, 1), fixed(zipped / 1024, 1)]);
      }
    }
  };
  walk(dist);
  rows.push(['total', fixed(raw / 1024, 1), fixed(gzip / 1024, 1)]);
  return rows;
}

async function main(): Promise<void> {
  if (!existsSync(join(dist, 'index.html'))) throw new Error('run `npm run build` first (no console/dist)');
  console.log(`# Console benchmark (${machine()}; at the start: ${load()})\n`);
  const fake = await startChild<{ kubeconfig: string }>(here('./rest/fake-kube-child.ts'));
  const server = await startChild<{ url: string }>(here('./rest/server-child.ts'), [fake.info.kubeconfig]);
  // Debian's Chromium, headless, as the console's end-to-end tests run it.
  const browser = await launchChromium();
  try {
    const populated = await fake.ask<{ seconds: number }>({ type: 'populate', count: clusters });
    console.error(`populated ${String(clusters)} clusters (${fixed(populated.seconds, 1)} s)`);
    const url = `${server.info.url}/`;
    const fcp: number[] = [];
    const rowsAt: number[] = [];
    const listCall: number[] = [];
    const renderAfterList: number[] = [];
    const interactive: number[] = [];
    const refreshTask: number[] = [];
    const clickToModal: number[] = [];
    const shownRows: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      // A fresh context each time: nothing cached. The first load is a warm-up of the server and is not counted.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(RECORD_LONG_TASKS);
      await page.goto(url);
      // The list is paginated: it is in the page when the table counts every cluster and shows its first rows.
      await page.waitForFunction(
        (n) =>
          document.querySelector(`[data-test="cluster-table"][data-total="${String(n)}"]`) !== null &&
          document.querySelectorAll('[data-test="cluster-row"]').length > 0,
        clusters,
        { timeout: 120_000, polling: 50 },
      );
      shownRows.push(await page.locator('[data-test="cluster-row"]').count());
      const rows = await page.evaluate(() => performance.now());
      // Interactive: the first moment after the rows from which the main thread had no long task for QUIET_MS.
      await page.waitForTimeout(QUIET_MS + 500);
      const timings = await page.evaluate(() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        const list = performance
          .getEntriesByType('resource')
          .find((entry) => new URL(entry.name).pathname.endsWith('/clusters')) as
          PerformanceResourceTiming | undefined;
        return {
          listStart: list?.requestStart ?? Number.NaN,
          listEnd: list?.responseEnd ?? Number.NaN,
          fcp: paint?.startTime ?? Number.NaN,
          tasks: (window as unknown as { __longTasks: [number, number][] }).__longTasks,
        };
      });
      let ready = rows;
      for (const [start, duration] of timings.tasks) {
        if (start + duration > ready && start < ready + QUIET_MS) ready = start + duration;
      }
      // Responsiveness: how long a click on "Deploy cluster" takes to open its modal with the list on the page.
      const clicked = await page.evaluate(() => performance.now());
      await page.click('[data-test="deploy-button"]');
      await page.waitForSelector('[role="dialog"]');
      const opened = await page.evaluate(() => performance.now());
      await page.keyboard.press('Escape');
      // The list refreshes every 3 s: the longest task of two refreshes.
      const before = await page.evaluate(() => performance.now());
      await page.waitForTimeout(6500);
      const refresh = await page.evaluate(
        (since) =>
          Math.max(
            0,
            ...(window as unknown as { __longTasks: [number, number][] }).__longTasks
              .filter(([start]) => start > since)
              .map(([, duration]) => duration),
          ),
        before,
      );
      await context.close();
      if (i === 0) continue;
      fcp.push(timings.fcp);
      rowsAt.push(rows);
      listCall.push(timings.listEnd - timings.listStart);
      renderAfterList.push(rows - timings.listEnd);
      interactive.push(ready);
      clickToModal.push(opened - clicked);
      refreshTask.push(refresh);
      console.error(
        `load ${String(i)}: fcp ${fixed(timings.fcp, 0)} ms, rows ${fixed(rows, 0)} ms, interactive ${fixed(ready, 0)} ms`,
      );
    }
    const row = (label: string, values: number[]) => {
      const s = summarize(values);
      return [label, String(s.n), fixed(s.median, 0), fixed(s.min, 0), fixed(s.max, 0)];
    };
    console.log(`## Loading the cluster list with ${String(clusters)} clusters (ms from navigation)\n`);
    console.log(
      table(
        ['measure', 'n', 'median', 'min', 'max'],
        [
          row('first contentful paint', fcp),
          row('first GET /clusters (request to response end)', listCall),
          row(
            `list in the page (${String(Math.max(...shownRows))} of ${String(clusters)} rows shown)`,
            rowsAt,
          ),
          row('  of which after the list arrived', renderAfterList),
          row('interactive (1 s without long tasks)', interactive),
          row('click "Deploy cluster" to dialog', clickToModal),
          row('longest task during 2 refreshes', refreshTask),
        ],
      ),
    );
    console.log('\n## Bundle (console/dist)\n');
    console.log(table(['file', 'raw KiB', 'gzip KiB'], bundle()));
  } finally {
    await browser.close();
    await server.stop();
    await fake.stop();
  }
}

await main();
console.log(`\nAt the end: ${load()}.`);
