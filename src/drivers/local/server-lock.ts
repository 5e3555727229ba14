import { open, readFile, rm } from 'node:fs/promises';
import { ConfigurationError } from '../../core/errors.js';
import { pidExists } from './processes.js';

/** Locks held by this process, so a second server in the same process is refused too. */
const heldHere = new Set<string>();

export interface ServerLock {
  release(): Promise<void>;
}

/**
 * Makes one server the owner of a data directory: a lock file with the owner's pid, created exclusively. A
 * lock whose process is gone is stale and taken over; a live one refuses the second server.
 */
export async function acquireServerLock(path: string): Promise<ServerLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`);
      await handle.close();
      heldHere.add(path);
      return {
        release: async () => {
          heldHere.delete(path);
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    let pid: number | undefined;
    try {
      pid = (JSON.parse(text) as { pid?: number }).pid;
    } catch {
      pid = undefined;
    }
    const live = pid !== undefined && (pid === process.pid ? heldHere.has(path) : pidExists(pid));
    if (live) {
      throw new ConfigurationError(
        `another oshinko server (pid ${pid}) is using the data directory of ${path}; stop it, or give this one another --home / OSHINKO_HOME`,
      );
    }
    // Stale: its server died without releasing it.
    await rm(path, { force: true });
  }
  throw new ConfigurationError(`cannot lock ${path}: another server keeps taking it`);
}
