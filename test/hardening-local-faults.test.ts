/**
 * Local driver faults with real Spark (one worker, kept short): a data directory that cannot be used, a full
 * disk (a tiny tmpfs), and a killed master and worker that the supervisor brings back.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel, OshinkoClient } from '../src/client/oshinko-client.js';
import { run } from '../src/cli/main.js';
import { parseServeConfig } from '../src/server/serve-config.js';
import { serve, type RunningServer } from '../src/server/serve.js';
import { expectEnvelope, http } from './support/http.js';
import { allWorkersReady, startLocalServer, tempHome, waitForCluster } from './support/local-spark.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an unusable data directory', () => {
  it('is refused at start with an error naming the path, from serve and from the CLI', async () => {
    const base = await tempHome('oshinko-baddir-');
    const file = join(base, 'not-a-dir');
    writeFileSync(file, 'x');
    const home = join(file, 'home');
    const config = parseServeConfig(
      { driver: 'local', port: '0', home, logLevel: 'silent' },
      { PATH: process.env.PATH },
    );
    await expect(serve(config)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: `cannot use the data directory ${home} (OSHINKO_HOME, --home): a part of the path is a file, not a directory (ENOTDIR at ${home})`,
    });

    let stderr = '';
    const code = await run(['serve', '--driver', 'local', '--port', '0', '--home', home], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => ((stderr += text), true) },
      env: { PATH: process.env.PATH },
    } as unknown as Parameters<typeof run>[1]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`cannot use the data directory ${home}`);
    expect(stderr).not.toMatch(/\n\s+at /);
    rmSync(base, { recursive: true, force: true });
  });
});

describe('a data directory broken while the server runs', () => {
  it('refuses a create with 503 naming the path, and starts nothing', async () => {
    const home = await tempHome('oshinko-broken-');
    const { server, client } = await startLocalServer(home);
    try {
      // Something replaced the clusters directory with a file (as root, permissions would not stop us).
      rmSync(join(home, 'clusters'), { recursive: true });
      writeFileSync(join(home, 'clusters'), 'not a directory');
      const refused = await http(server.url, 'POST', '/clusters', {
        body: { name: 'x', config: { workerCount: 1 } },
      });
      expect(expectEnvelope(refused, 503).details).toBe(
        `cannot record cluster 'x' in the data directory: a part of the path is a file, not a directory (ENOTDIR at ${join(home, 'clusters', 'x')})`,
      );
      expect(await client.listClusters()).toEqual([]);
      expect(readdirSync(home).sort()).toEqual(['clusters', 'configs', 'images', 'server.lock']);
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

/** A tmpfs of a few MB, if this machine lets us mount one (root in most CI containers). */
function mountTinyDisk(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
  return result.status === 0;
}

/** The processes with a file or working directory under `dir`, as `pid command`. */
function holders(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const links = [readlinkSync(`/proc/${pid}/cwd`)];
      for (const fd of readdirSync(`/proc/${pid}/fd`)) links.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (links.some((link) => link.startsWith(dir))) {
        found.push(
          `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 200)}`,
        );
      }
    } catch (error) {
      // Gone, or not ours to read; anything else is a bug of this helper.
      if (!['ENOENT', 'ESRCH', 'EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? ''))
        throw error;
    }
  }
  return found;
}

/**
 * Unmounts the tiny disk. On a loaded machine a daemon stopped a moment ago may not have let go of it yet: retry for
 * 15 s, then unmount lazily and say who held it, so the mount is never left behind.
 */
async function unmount(dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (spawnSync('umount', [dir]).status !== 0) {
    if (Date.now() > deadline) {
      console.warn(
        `${dir} is still busy after 15 s (${holders(dir).join('; ') || 'no process holds it'}): unmounting lazily`,
      );
      spawnSync('umount', ['-l', dir]);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const isDiskFull = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOSPC';

function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let content = Buffer.alloc(0);
  for (;;) {
    try {
      writeFileSync(filler, Buffer.concat([content, chunk]));
      content = Buffer.concat([content, chunk]);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      // Fill the last bytes too.
      for (let size = chunk.length / 2; size >= 1; size = Math.floor(size / 2)) {
        try {
          writeFileSync(join(dir, `filler-${size}-${Math.random()}`), Buffer.alloc(size));
        } catch (smaller) {
          // Full at this size.
          if (!isDiskFull(smaller)) throw smaller;
        }
      }
      return filler;
    }
  }
}

function emptyDisk(dir: string): void {
  for (const name of readdirSync(dir)) if (name.startsWith('filler')) rmSync(join(dir, name));
}

describe('a full disk, and killed daemons', { timeout: 240_000 }, () => {
  let disk: string;
  let mounted = false;
  let server: RunningServer | undefined;
  let client: OshinkoClient;

  beforeAll(async () => {
    disk = await tempHome('oshinko-disk-');
    mounted = mountTinyDisk(disk);
    ({ server, client } = await startLocalServer(join(disk, 'home')));
  });
  afterAll(async () => {
    if (server !== undefined) {
      for (const cluster of await client.listClusters().catch(() => [])) {
        await client.deleteCluster(cluster.name).catch(() => undefined);
      }
      await server.close();
    }
    if (mounted) await unmount(disk);
    rmSync(disk, { recursive: true, force: true });
  });

  it('refuses a create on a full disk with a clear error, and starts nothing', async (context) => {
    if (!mounted) context.skip('cannot mount a tmpfs here');
    fill(disk);
    try {
      const refused = await http(server?.url ?? '', 'POST', '/clusters', {
        body: { name: 'full', config: { workerCount: 1 } },
      });
      const error = expectEnvelope(refused, 503);
      expect(error.details).toBe(
        `cannot record cluster 'full' in the data directory: the disk is full (ENOSPC at ${join(disk, 'home', 'clusters', 'full', 'cluster.json')})`,
      );
      expect(await client.listClusters()).toEqual([]);
      expect(readdirSync(join(disk, 'home', 'clusters'))).toEqual([]);
    } finally {
      emptyDisk(disk);
    }
  });

  let cluster: ClusterModel;

  it('runs a cluster once there is room again', async () => {
    await client.createCluster({ name: 'full', config: { workerCount: 1 } });
    cluster = await waitForCluster(client, 'full', allWorkersReady, 120_000);
  });

  it('refuses a scale on a full disk and leaves the cluster as it was', async (context) => {
    if (!mounted) context.skip('cannot mount a tmpfs here');
    fill(disk);
    try {
      const refused = await http(server?.url ?? '', 'PUT', '/clusters/full', {
        body: { name: 'full', config: { workerCount: 2 } },
      });
      expect(expectEnvelope(refused, 503).details).toContain(
        "cannot scale cluster 'full'; it was left as it was: the disk is full (ENOSPC",
      );
      const after = await client.getCluster('full');
      expect(after.config.workerCount).toBe(1);
      expect(after.pods.map((p) => p.name)).toEqual(['full-m-1', 'full-w-1']);
    } finally {
      emptyDisk(disk);
    }
  });

  /** Kills one daemon and watches the cluster until it is whole again; returns the states seen meanwhile. */
  async function killAndWatch(pod: string): Promise<{ seen: ClusterModel[]; back: ClusterModel }> {
    const before = await client.getCluster('full');
    const victim = before.pods.find((p) => p.name === pod);
    expect(victim?.pid).toBeGreaterThan(0);
    process.kill(victim?.pid ?? 0, 'SIGKILL');
    const seen: ClusterModel[] = [];
    const deadline = Date.now() + 150_000;
    for (;;) {
      const now = await client.getCluster('full');
      seen.push(now);
      const restarted = now.pods.find((p) => p.name === pod);
      if (allWorkersReady(now) && restarted !== undefined && restarted.pid !== victim?.pid) {
        return { seen, back: now };
      }
      if (Date.now() > deadline) throw new Error(`the cluster did not come back: ${JSON.stringify(now)}`);
      await sleep(200);
    }
  }

  it('shows a killed worker as restarting, and the supervisor brings it back', async () => {
    const { seen, back } = await killAndWatch('full-w-1');
    const down = seen.find((c) => c.pods.some((p) => p.name === 'full-w-1' && p.status === 'Restarting'));
    expect(down?.status).not.toBe('Running');
    expect(down?.pods.find((p) => p.name === 'full-w-1')?.reason).toMatch(/SIGKILL.*restarting in/);
    expect(back.pods.find((p) => p.name === 'full-w-1')?.restarts).toBe(1);
    expect(back.events?.some((e) => e.type === 'Warning' && e.object === 'full-w-1')).toBe(true);
  });

  it('shows a killed master as restarting, and the cluster is whole again', async () => {
    const { seen, back } = await killAndWatch('full-m-1');
    const down = seen.find((c) => c.pods.some((p) => p.name === 'full-m-1' && p.status === 'Restarting'));
    expect(down?.status).not.toBe('Running');
    expect(back.pods.find((p) => p.name === 'full-m-1')?.restarts).toBe(1);
    expect(back.masterUrl).toBe(cluster.masterUrl);
    expect(back.workers).toEqual({ desired: 1, ready: 1 });
  });

  it('deletes the cluster on a full disk', async (context) => {
    if (!mounted) context.skip('cannot mount a tmpfs here');
    fill(disk);
    try {
      expect((await http(server?.url ?? '', 'DELETE', '/clusters/full')).status).toBe(204);
      expect(await client.listClusters()).toEqual([]);
      expect(readdirSync(join(disk, 'home', 'clusters'))).toEqual([]);
    } finally {
      emptyDisk(disk);
    }
  });
});
