import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import type { ClusterModel } from '../../client/oshinko-client.js';
import { connect, connectionFlags } from '../connection.js';
import { clusterDetails, clusterTable } from '../format.js';
import { parseClusterName } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'name'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface GetFlags {
  output: OutputFormat;
  nopods?: boolean;
}

function serialize(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

export function registerGet(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('get')
    .description('Show one cluster, or list all clusters')
    .argument('[name]', 'cluster to show; all clusters when omitted')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--nopods', 'leave out the pods of the cluster')
    .addHelpText(
      'after',
      `
The IMAGE column marks a cluster that does not run the server's default image with (custom).

Examples:
  oshinko get                     # every cluster: NAME STATUS WORKERS IMAGE MASTER URL AGE
  oshinko get spark1              # one cluster with its pods
  oshinko get spark1 -o json | jq .workers
  oshinko get -o yaml --nopods`,
    )
    .action((name: string | undefined, flags: GetFlags, command: Command) => {
      run(async () => {
        if (name !== undefined) parseClusterName(name);
        const { client } = connect(connectionFlags(command), io);
        const now = Date.now();
        if (name === undefined) {
          const clusters = await client.listClusters();
          if (flags.output === 'table') {
            io.stdout.write(clusters.length === 0 ? 'No clusters.\n' : clusterTable(clusters, now));
          } else if (flags.output === 'name') {
            io.stdout.write(clusters.map((cluster) => `${cluster.name}\n`).join(''));
          } else {
            io.stdout.write(serialize(clusters, flags.output));
          }
          return 0;
        }
        const cluster = await client.getCluster(name);
        if (flags.output === 'table') {
          io.stdout.write(clusterDetails(cluster, now, flags.nopods === true));
        } else if (flags.output === 'name') {
          io.stdout.write(`${cluster.name}\n`);
        } else if (flags.nopods === true) {
          const withoutPods: Partial<ClusterModel> = { ...cluster };
          delete withoutPods.pods;
          io.stdout.write(serialize(withoutPods, flags.output));
        } else {
          io.stdout.write(serialize(cluster, flags.output));
        }
        return 0;
      });
    });
}
