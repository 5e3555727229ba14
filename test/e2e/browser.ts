import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Newest modification time of the console sources (its own files and the shared client and rules). */
async function newestSource(): Promise<number> {
  let newest = 0;
  for (const dir of ['console/src', 'console', 'src/client', 'src/core', 'src/api']) {
    for (const entry of await readdir(join(REPO, dir), {
      withFileTypes: true,
      recursive: dir !== 'console',
    })) {
      if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

async function consoleIsFresh(): Promise<boolean> {
  const index = join(REPO, 'console', 'dist', 'index.html');
  return existsSync(index) && (await stat(index)).mtimeMs >= (await newestSource());
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

const BUILD_LOCK = join(REPO, 'test-results', '.console-build-lock');
const STALE_LOCK_MS = 120_000;

/**
 * Builds the console when it is missing or older than its sources (npm test builds first; vitest alone may not).
 * Test files run in parallel workers: a lock directory lets one build while the others wait, so no server
 * serves a half-emptied dist.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (await consoleIsFresh()) return;
  await mkdir(dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (error) {
      // Another worker holds the lock (EEXIST); it may let go between here and the stat (ENOENT): ask again.
      if (errorCode(error) !== 'EEXIST') throw error;
      const age =
        Date.now() -
        (await stat(BUILD_LOCK).then(
          (s) => s.mtimeMs,
          (gone: unknown) => {
            if (errorCode(gone) !== 'ENOENT') throw gone;
            return Date.now();
          },
        ));
      if (age > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (await consoleIsFresh()) return;
    const { build } = await import('vite');
    await build({ configFile: join(REPO, 'console', 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

/**
 * Collects what goes wrong in the page: errors it logs, uncaught exceptions and server errors (5xx). Chromium
 * also logs every 4xx answer as "Failed to load resource"; those are the API refusing bad input on purpose
 * (the tests provoke them) and are left out.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`HTTP ${response.status()} from ${response.url()}`);
  });
  return errors;
}

/**
 * Saves a screenshot of the whole page. PatternFly scrolls inside its main container, not the document, so the
 * viewport is made as tall as that content for the shot and then restored.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize();
  const needed = await page.evaluate(() => {
    const main = document.querySelector('.pf-v6-c-page__main');
    return main === null ? 0 : main.scrollHeight - main.clientHeight + window.innerHeight;
  });
  const grow = viewport !== null && needed > viewport.height;
  if (grow) await page.setViewportSize({ width: viewport.width, height: Math.ceil(needed) });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  if (grow) await page.setViewportSize(viewport);
}
