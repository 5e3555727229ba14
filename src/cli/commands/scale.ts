import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { connect, connectionFlags } from '../connection.js';
import { parseClusterName, parseCount } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';
import { MAX_WORKERS_FLAG } from './create.js';

interface ScaleFlags {
  workers?: string;
  masters?: string;
}

export function registerScale(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('scale')
    .description('Change the number of workers (and masters) of a cluster; its image and config stay')
    .argument('<name>', 'cluster to scale')
    .option('--workers <n>', 'desired number of workers')
    .option('--masters <n>', 'desired number of masters, 0 or 1')
    .addHelpText(
      'after',
      `
Examples:
  oshinko scale spark1 --workers 5
  oshinko scale spark1 --workers 0 --masters 0    # stop every daemon, keep the cluster`,
    )
    .action((name: string, flags: ScaleFlags, command: Command) => {
      run(async () => {
        parseClusterName(name);
        if (flags.workers === undefined && flags.masters === undefined) {
          throw new InvalidInputError('give --workers N, --masters N or both', { field: '--workers' });
        }
        const counts = {
          ...(flags.workers === undefined
            ? {}
            : { workerCount: parseCount(flags.workers, '--workers', MAX_WORKERS_FLAG) }),
          ...(flags.masters === undefined ? {} : { masterCount: parseCount(flags.masters, '--masters', 1) }),
        };
        const { client } = connect(connectionFlags(command), io);
        const cluster = await client.scaleCluster(name, counts);
        io.stdout.write(
          `cluster "${cluster.name}" scaled: master ${cluster.masters.ready}/${cluster.masters.desired}, workers ${cluster.workers.ready}/${cluster.workers.desired} ready (${cluster.status})\n`,
        );
        return 0;
      });
    });
}
