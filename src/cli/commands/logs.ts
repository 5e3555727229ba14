import type { Command } from 'commander';
import type { ClusterModel } from '../../client/oshinko-client.js';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import { connect, connectionFlags } from '../connection.js';
import { parseClusterName, parseCount } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';

interface LogsFlags {
  master?: boolean;
  worker?: string;
  tail?: string;
}

/** The pod whose log is wanted: the master, or the Nth worker (1-based, in name order). */
export function choosePod(cluster: ClusterModel, worker: number | undefined): string {
  if (worker === undefined) {
    const master = cluster.pods.find((pod) => pod.type === 'master');
    if (master === undefined) {
      throw new NotFoundError(
        `cluster "${cluster.name}" has no master pod (it has ${cluster.masters.desired} masters desired)`,
      );
    }
    return master.name;
  }
  const workers = cluster.pods
    .filter((pod) => pod.type === 'worker')
    .map((pod) => pod.name)
    .sort();
  const chosen = workers[worker - 1];
  if (chosen === undefined) {
    throw new NotFoundError(
      workers.length === 0
        ? `cluster "${cluster.name}" has no worker pods`
        : `invalid --worker ${worker}: cluster "${cluster.name}" has ${workers.length} worker pod${workers.length === 1 ? '' : 's'} (1 to ${workers.length})`,
      { field: '--worker' },
    );
  }
  return chosen;
}

export function registerLogs(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('logs')
    .description('Print the log of the master or of one worker of a cluster')
    .argument('<name>', 'cluster')
    .option('--master', "the master's log (the default)")
    .option('--worker <n>', 'the log of worker number n (1 = first worker, in name order)')
    .option('--tail <lines>', 'only the last lines (default 500)')
    .addHelpText(
      'after',
      `
Examples:
  oshinko logs spark1               # the master
  oshinko logs spark1 --worker 2    # the second worker
  oshinko logs spark1 --tail 50`,
    )
    .action((name: string, flags: LogsFlags, command: Command) => {
      run(async () => {
        parseClusterName(name);
        if (flags.master === true && flags.worker !== undefined) {
          throw new InvalidInputError('give either --master or --worker N, not both', { field: '--worker' });
        }
        const worker = flags.worker === undefined ? undefined : parseCount(flags.worker, '--worker', 100_000);
        if (worker === 0) {
          throw new InvalidInputError('invalid --worker "0": workers are numbered from 1', {
            field: '--worker',
          });
        }
        const tail = flags.tail === undefined ? undefined : parseCount(flags.tail, '--tail', 999_999);
        const { client } = connect(connectionFlags(command), io);
        const cluster = await client.getCluster(name);
        const pod = choosePod(cluster, worker);
        const text = await client.logs(name, { pod, ...(tail === undefined ? {} : { tail }) });
        io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
        return 0;
      });
    });
}
