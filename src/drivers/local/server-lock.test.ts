import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireServerLock } from './server-lock.js';

describe('server lock', () => {
  it('refuses a second owner while the first holds it, and frees it on release', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'oshinko-lock-')), 'server.lock');
    const lock = await acquireServerLock(path);
    await expect(acquireServerLock(path)).rejects.toThrow(`another oshinko server (pid ${process.pid})`);
    await lock.release();
    const again = await acquireServerLock(path);
    await again.release();
  });

  it('takes over a stale lock whose process is gone', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'oshinko-lock-')), 'server.lock');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    await writeFile(path, JSON.stringify({ pid: Number(gone.stdout) }));
    const lock = await acquireServerLock(path);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});
