import type { ClusterModel, ClusterSummary, OshinkoClient } from '../client/oshinko-client.js';
import { NotFoundError } from '../core/errors.js';
import { clusterHeaders, clusterRow, summaryOf, TableWriter } from './format.js';
import type { CliIo } from './io.js';
import { clusterRef, forPrograms, printForPrograms, type Output } from './output.js';
import { systemClock } from '../core/clock.js';
import type { PollClock } from './wait.js';

/**
 * `get --watch`. The REST API has no watch, so the server is polled at `intervalMs`; as kubectl does, the table
 * is printed once, then one row (or one object, in a program format) each time a cluster changes, until `signal`
 * aborts (Ctrl-C) or, for one cluster, until it is deleted.
 */
export interface WatchOptions {
  readonly output: Output;
  readonly headers: boolean;
  /** Print only the changes, not the table as it stands first (kubectl's `--watch-only`). */
  readonly watchOnly: boolean;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  readonly clock?: PollClock | undefined;
}

/** The status shown on the last row of a cluster that the server no longer reports. */
export const DELETED_STATUS = 'Deleted';

/** Prints clusters as they change, in the chosen format; the table keeps its columns aligned across changes. */
class ChangePrinter<T> {
  private readonly table: TableWriter;
  private headerDone: boolean;

  constructor(
    private readonly io: CliIo,
    private readonly options: WatchOptions,
    private readonly summary: (item: T) => ClusterSummary,
  ) {
    this.table = new TableWriter(clusterHeaders(options.output.kind === 'wide'));
    this.headerDone = !options.headers;
  }

  /** Prints these items; `status` replaces the STATUS of their rows (a deleted cluster's last row). */
  print(items: readonly T[], now: number, status?: string): void {
    if (items.length === 0) return;
    const { output } = this.options;
    if (forPrograms(output)) {
      for (const item of items) {
        const text = printForPrograms(output, {
          value: item,
          names: [clusterRef(this.summary(item).name)],
        });
        this.io.stdout.write(output.kind === 'yaml' ? `---\n${text}` : text);
      }
      return;
    }
    const rows = items.map((item) => {
      const row = clusterRow(this.summary(item), now, output.kind === 'wide');
      if (status !== undefined) row[1] = status;
      return row;
    });
    this.io.stdout.write(this.table.lines(rows, !this.headerDone));
    this.headerDone = true;
  }
}

/** Polls `fetch` and prints what changed; `fetch` answers undefined once the one watched cluster is gone. */
async function watchLoop<T>(
  fetch: () => Promise<readonly T[] | undefined>,
  summary: (item: T) => ClusterSummary,
  io: CliIo,
  options: WatchOptions,
): Promise<'interrupted' | 'gone'> {
  const clock = options.clock ?? systemClock;
  const printer = new ChangePrinter(io, options, summary);
  const seen = new Map<string, { key: string; item: T }>();
  let first = true;
  while (!options.signal.aborted) {
    const items = await fetch();
    if (items === undefined) return 'gone';
    const changed: T[] = [];
    const current = new Set<string>();
    for (const item of items) {
      const { name } = summary(item);
      current.add(name);
      // A table shows the summary, so only a change of it prints a row; a program gets every change of the object.
      const key = JSON.stringify(forPrograms(options.output) ? item : summary(item));
      if (seen.get(name)?.key !== key) changed.push(item);
      seen.set(name, { key, item });
    }
    const deleted: T[] = [];
    for (const [name, { item }] of seen) {
      if (current.has(name)) continue;
      seen.delete(name);
      deleted.push(item);
    }
    if (!first || !options.watchOnly) {
      if (first && items.length === 0 && !forPrograms(options.output)) io.stderr.write('No clusters.\n');
      printer.print(changed, clock.now());
      printer.print(deleted, clock.now(), DELETED_STATUS);
    }
    first = false;
    await clock.sleep(options.intervalMs, options.signal);
  }
  return 'interrupted';
}

/** `get --watch`: every cluster; a deleted one gets a last row with the status `Deleted` (or, for programs, its last object). */
export async function watchClusters(
  client: OshinkoClient,
  io: CliIo,
  options: WatchOptions,
): Promise<number> {
  await watchLoop<ClusterSummary>(
    () => client.listClusters(),
    (cluster) => cluster,
    io,
    options,
  );
  return 0;
}

/** `get NAME --watch`: one cluster, until it is deleted. */
export async function watchCluster(
  client: OshinkoClient,
  name: string,
  io: CliIo,
  options: WatchOptions,
): Promise<number> {
  let known = false;
  const result = await watchLoop<ClusterModel>(
    async () => {
      try {
        const cluster = await client.getCluster(name);
        known = true;
        return [cluster];
      } catch (error) {
        if (known && error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
    summaryOf,
    io,
    options,
  );
  if (result === 'gone') {
    const message = `cluster "${name}" deleted\n`;
    if (forPrograms(options.output)) io.stderr.write(message);
    else io.stdout.write(message);
  }
  return 0;
}
