import type { Command } from 'commander';
import type { NewCluster } from '../../client/oshinko-client.js';
import { connect, connectionFlags } from '../connection.js';
import { clusterDetails, connectHint } from '../format.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseClusterName, parseConfigName, parseDuration } from '../flags.js';
import { addSettingFlags, settingsFromFlags } from '../setting-flags.js';
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
import { waitForCluster } from '../wait.js';

export { MAX_WORKERS_FLAG } from '../setting-flags.js';

/** The flags of `create`: the stored configuration, the settings' flags (see setting-flags.ts) and --wait's. */
interface CreateFlags extends Readonly<Record<string, unknown>> {
  storedconfig?: string;
  /** The kebab-case spelling of --storedconfig. */
  storedConfig?: string;
  wait?: boolean;
  timeout: string;
  interval: string;
  output?: Output;
  headers?: boolean;
}

/** Turns validated flags into the upstream NewCluster request; unset flags are left to the server. */
export function newClusterRequest(name: string, flags: CreateFlags): NewCluster {
  const config: Record<string, unknown> = {};
  if (flags.storedconfig !== undefined && flags.storedConfig !== undefined) {
    throw new InvalidInputError('give --storedconfig or --stored-config, not both: they are one flag', {
      field: '--stored-config',
    });
  }
  if (flags.storedconfig !== undefined) config.name = parseConfigName(flags.storedconfig, '--storedconfig');
  if (flags.storedConfig !== undefined) config.name = parseConfigName(flags.storedConfig, '--stored-config');
  Object.assign(config, settingsFromFlags(flags));
  return Object.keys(config).length === 0
    ? { name: parseClusterName(name) }
    : { name: parseClusterName(name), config: config };
}

export function registerCreate(program: Command, io: CliIo, run: Schedule): void {
  const command = program
    .command('create')
    .description('Create a Spark cluster (one master, N workers), optionally with its own image')
    .argument('<name>', 'cluster name: lowercase letters, digits and "-", starting with a letter')
    .option('--storedconfig <name>', 'stored cluster configuration to start from')
    .option('--stored-config <name>', 'the same as --storedconfig');
  addSettingFlags(command)
    .option('--wait', 'wait until the master and every worker are ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait', '5m')
    .option('--interval <duration>', 'with --wait: how often to ask the server', '1s')
    .addOption(outputOption(CLUSTER_OUTPUTS))
    .addOption(noHeadersOption())
    .addHelpText(
      'after',
      `
Examples:
  oshinko create spark1
  oshinko create spark1 --workers 3 --wait
  oshinko create etl --image quay.io/my-team/spark:3.5.3-py311 --workers 2 --wait --timeout 10m
  oshinko create small --storedconfig small-clusters --exposeui false
  oshinko create small --stored-config small-clusters --expose-ui false   # the same
  oshinko create spark1 --wait -o jsonpath='{.masterUrl}'
  oshinko create big --worker-cpu 2 --worker-memory 4Gi --node-selector disktype=ssd \\
    --toleration dedicated=spark:NoSchedule --image-pull-secret regcred \\
    --env MODE=fast --env-from-secret TOKEN=creds:token --image-pull-policy Always`,
    )
    .action((name: string, flags: CreateFlags, command: Command) => {
      run(async () => {
        const request = newClusterRequest(name, flags);
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const intervalMs = parseDuration(flags.interval, '--interval');
        const output = flags.output ?? { kind: 'table' };
        const { client } = connect(connectionFlags(command), io);
        const created = await client.createCluster(request);
        if (forPrograms(output)) {
          // Standard output is the cluster alone; the progress of --wait goes to standard error.
          const cluster =
            flags.wait === true
              ? await waitForCluster(
                  client,
                  created.name,
                  { ...io, stdout: io.stderr },
                  { timeoutMs, intervalMs },
                )
              : created;
          io.stdout.write(printForPrograms(output, { value: cluster, names: [clusterRef(cluster.name)] }));
          return 0;
        }
        io.stdout.write(
          `cluster "${created.name}" created with image ${created.image}${created.customImage ? ' (custom)' : ''}\n`,
        );
        if (flags.wait !== true) {
          io.stdout.write(
            clusterDetails(created, Date.now(), true, {
              wide: output.kind === 'wide',
              headers: flags.headers,
            }),
          );
          io.stdout.write(`\nFollow it with: oshinko get ${created.name}\n`);
          return 0;
        }
        const ready = await waitForCluster(client, created.name, io, { timeoutMs, intervalMs });
        io.stdout.write(`cluster "${ready.name}" is ready\n\n${connectHint(ready)}`);
        return 0;
      });
    });
}
