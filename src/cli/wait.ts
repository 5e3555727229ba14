import type { ClusterModel, OshinkoClient } from '../client/oshinko-client.js';
import { systemClock, type Clock } from '../core/clock.js';
import { NotFoundError, TimeoutError } from '../core/errors.js';
import type { CliIo } from './io.js';

/** A cluster that will not come up without someone acting (bad image, missing objects, lost). */
export class ClusterFailedError extends Error {
  constructor(readonly cluster: ClusterModel) {
    super(
      `cluster "${cluster.name}" is ${cluster.status}${cluster.reason === undefined ? '' : `: ${cluster.reason}`}; see 'oshinko get ${cluster.name}' and 'oshinko logs ${cluster.name}'`,
    );
    this.name = 'ClusterFailedError';
  }
}

/** The part of the clock (core/clock.ts) the polling loops use; tests pass one that never sleeps. */
export type PollClock = Pick<Clock, 'now' | 'sleep'>;

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly clock?: PollClock | undefined;
}

const FAILED = new Set<ClusterModel['status']>(['Degraded', 'Incomplete', 'Lost']);

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/**
 * Progress on one line: on a terminal the line is rewritten in place at every poll; otherwise a plain line is
 * printed each time what it says changes, so logs stay readable.
 */
export class ProgressLine {
  private last = '';
  private open = false;

  constructor(private readonly io: CliIo) {}

  update(text: string, elapsed: string): void {
    if (this.io.stdout.isTTY === true) {
      this.io.stdout.write(`\r\x1b[2K${text} (${elapsed})`);
      this.open = true;
    } else if (text !== this.last) {
      this.io.stdout.write(`${text}\n`);
    }
    this.last = text;
  }

  /** Ends the rewritten line so that what follows starts on a fresh line. */
  done(): void {
    if (this.open) this.io.stdout.write('\n');
    this.open = false;
  }
}

function describe(cluster: ClusterModel): string {
  return `cluster "${cluster.name}": ${cluster.status}, master ${cluster.masters.ready}/${cluster.masters.desired}, workers ${cluster.workers.ready}/${cluster.workers.desired} ready`;
}

function isUp(cluster: ClusterModel): boolean {
  return (
    (cluster.status === 'Running' || cluster.status === 'Stopped') &&
    cluster.masters.ready >= cluster.masters.desired &&
    cluster.workers.ready >= cluster.workers.desired
  );
}

/** What `scale --workers N --wait` waits for: the cluster up with exactly N ready workers, none more. */
export function hasReadyWorkers(workers: number): (cluster: ClusterModel) => boolean {
  return (cluster) =>
    isUp(cluster) && cluster.workers.desired === workers && cluster.workers.ready === workers;
}

/**
 * Polls until every master and worker is ready (or until `until` holds); throws on a failed cluster or at the
 * timeout.
 */
export async function waitForCluster(
  client: OshinkoClient,
  name: string,
  io: CliIo,
  options: WaitOptions & { readonly until?: (cluster: ClusterModel) => boolean },
): Promise<ClusterModel> {
  const clock = options.clock ?? systemClock;
  const until = options.until ?? isUp;
  const started = clock.now();
  const progress = new ProgressLine(io);
  try {
    for (;;) {
      const cluster = await client.getCluster(name);
      const elapsed = clock.now() - started;
      progress.update(describe(cluster), seconds(elapsed));
      if (until(cluster)) return cluster;
      if (FAILED.has(cluster.status)) throw new ClusterFailedError(cluster);
      if (elapsed >= options.timeoutMs) {
        throw new TimeoutError(
          `gave up waiting after ${seconds(options.timeoutMs)}: ${describe(cluster)}; it may still come up, see 'oshinko get ${name}'`,
        );
      }
      await clock.sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
    }
  } finally {
    progress.done();
  }
}

/** Polls until the server no longer knows the cluster. */
export async function waitForDeletion(
  client: OshinkoClient,
  name: string,
  io: CliIo,
  options: WaitOptions,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const progress = new ProgressLine(io);
  try {
    for (;;) {
      let cluster: ClusterModel;
      try {
        cluster = await client.getCluster(name);
      } catch (error) {
        if (error instanceof NotFoundError) return;
        throw error;
      }
      const elapsed = clock.now() - started;
      progress.update(
        `cluster "${name}": deleting, ${cluster.pods.length} pod${cluster.pods.length === 1 ? '' : 's'} left`,
        seconds(elapsed),
      );
      if (elapsed >= options.timeoutMs) {
        throw new TimeoutError(
          `gave up waiting after ${seconds(options.timeoutMs)}: cluster "${name}" still has ${cluster.pods.length} pods`,
        );
      }
      await clock.sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
    }
  } finally {
    progress.done();
  }
}
