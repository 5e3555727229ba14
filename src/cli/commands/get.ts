import type { Command } from 'commander';
import type { ClusterModel } from '../../client/oshinko-client.js';
import { InvalidInputError } from '../../core/errors.js';
import { connect, connectionFlags } from '../connection.js';
import { clusterDetails, clusterTable } from '../format.js';
import { parseClusterArg, parseDuration } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';
import {
  CLUSTER_OUTPUTS,
  clusterRef,
  forPrograms,
  noHeadersOption,
  outputOption,
  printForPrograms,
  type Output,
} from '../output.js';
import { watchCluster, watchClusters } from '../watch.js';

interface GetFlags {
  output: Output;
  headers: boolean;
  nopods?: boolean;
  /** False for `--no-pods`, the kebab-case spelling of `--nopods`. */
  pods: boolean;
  watch?: boolean;
  watchOnly?: boolean;
  interval: string;
}

/** Ends the watch at Ctrl-C (exit 0), where the process gives a way to hear it. */
function interruptSignal(io: CliIo): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const release =
    io.onInterrupt?.(() => {
      controller.abort();
    }) ?? (() => undefined);
  return { signal: controller.signal, release };
}

export function registerGet(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('get')
    .description('Show one cluster, or list all clusters')
    .argument('[name]', 'cluster to show; all clusters when omitted')
    .addOption(outputOption(CLUSTER_OUTPUTS))
    .addOption(noHeadersOption())
    .option('--nopods', 'leave out the pods of the cluster')
    .option('--no-pods', 'the same as --nopods')
    .option('-w, --watch', 'after the table, print a row each time a cluster changes, until Ctrl-C')
    .option('--watch-only', 'like --watch, without the table as it stands first')
    .option('--interval <duration>', 'with --watch: how often to ask the server', '2s')
    .addHelpText(
      'after',
      `
The IMAGE column marks a cluster that does not run the server's default image with (custom).
-o wide adds MASTERS, IMAGE SOURCE, WEB UI and REASON. -o name prints cluster/NAME, which the other commands take.
The server has no watch: --watch asks it every --interval and prints only what changed.

Examples:
  oshinko get                     # every cluster: NAME STATUS WORKERS IMAGE MASTER URL AGE
  oshinko get spark1              # one cluster with its pods and events
  oshinko get spark1 -o json | jq .workers
  oshinko get -o yaml --nopods
  oshinko get -o wide --no-headers
  oshinko get -o jsonpath='{range .items[*]}{.name}{"\\t"}{.status}{"\\n"}{end}'
  oshinko get spark1 -o jsonpath='{.masterUrl}'
  oshinko get -w                  # follow every cluster until Ctrl-C
  oshinko get spark1 -w           # follow one cluster until it is deleted`,
    )
    .action((name: string | undefined, flags: GetFlags, command: Command) => {
      run(async () => {
        const cluster = name === undefined ? undefined : parseClusterArg(name);
        if (flags.nopods === true && !flags.pods) {
          throw new InvalidInputError('give --nopods or --no-pods, not both: they are one flag', {
            field: '--no-pods',
          });
        }
        const nopods = flags.nopods === true || !flags.pods;
        const intervalMs = parseDuration(flags.interval, '--interval');
        const { client } = connect(connectionFlags(command), io);
        if (flags.watch === true || flags.watchOnly === true) {
          const { signal, release } = interruptSignal(io);
          const options = {
            output: flags.output,
            headers: flags.headers,
            watchOnly: flags.watchOnly === true,
            intervalMs,
            signal,
          };
          try {
            return cluster === undefined
              ? await watchClusters(client, io, options)
              : await watchCluster(client, cluster, io, options);
          } finally {
            release();
          }
        }
        const now = Date.now();
        const { output } = flags;
        if (cluster === undefined) {
          const clusters = await client.listClusters();
          if (forPrograms(output)) {
            io.stdout.write(
              printForPrograms(output, {
                value: clusters,
                names: clusters.map((c) => clusterRef(c.name)),
                root: { items: clusters },
              }),
            );
          } else if (clusters.length === 0) {
            if (flags.headers) io.stdout.write('No clusters.\n');
          } else {
            io.stdout.write(
              clusterTable(clusters, now, { wide: output.kind === 'wide', headers: flags.headers }),
            );
          }
          return 0;
        }
        const found = await client.getCluster(cluster);
        if (!forPrograms(output)) {
          io.stdout.write(
            clusterDetails(found, now, nopods, {
              wide: output.kind === 'wide',
              headers: flags.headers,
              events: true,
            }),
          );
          return 0;
        }
        const shown: Partial<ClusterModel> = { ...found };
        if (nopods) delete shown.pods;
        io.stdout.write(printForPrograms(output, { value: shown, names: [clusterRef(found.name)] }));
        return 0;
      });
    });
}
