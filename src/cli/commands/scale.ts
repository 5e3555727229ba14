import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { connect, connectionFlags } from '../connection.js';
import { clusterTable, summaryOf } from '../format.js';
import { parseClusterArg, parseCount, parseDuration } from '../flags.js';
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
import { hasReadyWorkers, waitForCluster } from '../wait.js';
import { MAX_WORKERS_FLAG } from './create.js';

interface ScaleFlags {
  workers?: string;
  masters?: string;
  wait?: boolean;
  timeout: string;
  interval: string;
  output: Output;
  headers: boolean;
}

export function registerScale(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('scale')
    .description('Change the number of workers (and masters) of a cluster; its image and config stay')
    .argument('<name>', 'cluster to scale')
    .option('--workers <n>', 'desired number of workers')
    .option('--masters <n>', 'desired number of masters, 0 or 1')
    .option('--wait', 'wait until exactly that many workers (and the masters) are ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait', '5m')
    .option('--interval <duration>', 'with --wait: how often to ask the server', '1s')
    .addOption(outputOption(CLUSTER_OUTPUTS))
    .addOption(noHeadersOption())
    .addHelpText(
      'after',
      `
Examples:
  oshinko scale spark1 --workers 5
  oshinko scale spark1 --workers 5 --wait --timeout 3m
  oshinko scale spark1 --workers 0 --masters 0    # stop every daemon, keep the cluster
  oshinko scale spark1 --workers 2 -o json`,
    )
    .action((name: string, flags: ScaleFlags, command: Command) => {
      run(async () => {
        const cluster = parseClusterArg(name);
        if (flags.workers === undefined && flags.masters === undefined) {
          throw new InvalidInputError('give --workers N, --masters N or both', { field: '--workers' });
        }
        const counts = {
          ...(flags.workers === undefined
            ? {}
            : { workerCount: parseCount(flags.workers, '--workers', MAX_WORKERS_FLAG) }),
          ...(flags.masters === undefined ? {} : { masterCount: parseCount(flags.masters, '--masters', 1) }),
        };
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const intervalMs = parseDuration(flags.interval, '--interval');
        const { output } = flags;
        const { client } = connect(connectionFlags(command), io);
        let scaled = await client.scaleCluster(cluster, counts);
        if (!forPrograms(output)) {
          io.stdout.write(
            `cluster "${scaled.name}" scaled: master ${scaled.masters.ready}/${scaled.masters.desired}, workers ${scaled.workers.ready}/${scaled.workers.desired} ready (${scaled.status})\n`,
          );
        }
        if (flags.wait === true) {
          // For programs, the progress goes to standard error so that standard output stays one object.
          const progressIo = forPrograms(output) ? { ...io, stdout: io.stderr } : io;
          scaled = await waitForCluster(client, scaled.name, progressIo, {
            timeoutMs,
            intervalMs,
            until: hasReadyWorkers(scaled.workers.desired),
          });
          if (!forPrograms(output)) io.stdout.write(`cluster "${scaled.name}" is ready\n`);
        }
        if (forPrograms(output)) {
          io.stdout.write(printForPrograms(output, { value: scaled, names: [clusterRef(scaled.name)] }));
        } else if (output.kind === 'wide') {
          io.stdout.write(
            clusterTable([summaryOf(scaled)], Date.now(), { wide: true, headers: flags.headers }),
          );
        }
        return 0;
      });
    });
}
