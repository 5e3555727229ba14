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
  follow?: boolean;
  previous?: boolean;
  container?: string;
}

/** The containers a cluster's pods have: Spark's in each, the image check's in a master's (Kubernetes). */
export const LOG_CONTAINERS = ['spark', 'image-check'] as const;

/** The pod whose log is wanted: the one named, the master, or the Nth worker (1-based, in name order). */
export function choosePod(cluster: ClusterModel, worker: number | undefined, pod?: string): string {
  if (pod !== undefined) {
    if (cluster.pods.some((p) => p.name === pod)) return pod;
    const names = cluster.pods.map((p) => p.name).sort();
    throw new NotFoundError(
      `cluster "${cluster.name}" has no pod "${pod}"; ${names.length === 0 ? 'it has no pods' : `its pods: ${names.join(', ')}`}`,
      { field: 'POD' },
    );
  }
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
    .description('Print (or follow) the log of a pod of a cluster: the master, a worker, or a pod by name')
    .argument('<name>', 'cluster')
    .argument('[pod]', "a pod of the cluster, as 'oshinko get NAME' lists them (default: the master)")
    .option('--master', "the master's log (the default)")
    .option('--worker <n>', 'the log of worker number n (1 = first worker, in name order)')
    .option('--tail <lines>', 'only the last lines (default 500)')
    .option('-f, --follow', 'keep printing new lines until the pod ends (Ctrl-C to stop)')
    .option('-p, --previous', "the log of the container's previous instance, before its last restart")
    .option(
      '-c, --container <container>',
      "spark (the default), or image-check: the master's init container that checks the image (Kubernetes)",
    )
    .addHelpText(
      'after',
      `
Examples:
  oshinko logs spark1                        # the master
  oshinko logs spark1 --worker 2             # the second worker
  oshinko logs spark1 spark1-w-7c9d-x2x4z    # a pod by name
  oshinko logs spark1 --tail 50 -f           # the last 50 lines, then new ones as they come
  oshinko logs spark1 -c image-check         # what the image check found
  oshinko logs spark1 --worker 1 --previous  # the worker's log before it restarted`,
    )
    .action((name: string, podName: string | undefined, flags: LogsFlags, command: Command) => {
      run(async () => {
        parseClusterName(name);
        const chosen = [
          podName === undefined ? undefined : 'POD',
          flags.master === true ? '--master' : undefined,
          flags.worker === undefined ? undefined : '--worker',
        ].filter((given) => given !== undefined);
        if (chosen.length > 1) {
          throw new InvalidInputError(
            `give one of POD, --master or --worker N, not ${chosen.join(' and ')}`,
            {
              field: chosen[1] ?? '--worker',
            },
          );
        }
        const worker = flags.worker === undefined ? undefined : parseCount(flags.worker, '--worker', 100_000);
        if (worker === 0) {
          throw new InvalidInputError('invalid --worker "0": workers are numbered from 1', {
            field: '--worker',
          });
        }
        const tail = flags.tail === undefined ? undefined : parseCount(flags.tail, '--tail', 999_999);
        const container = flags.container === undefined ? undefined : parseContainer(flags.container);
        if (flags.follow === true && flags.previous === true) {
          throw new InvalidInputError(
            '--follow and --previous do not go together: a previous instance has ended',
            {
              field: '--follow',
            },
          );
        }
        const { client } = connect(connectionFlags(command), io);
        const cluster = await client.getCluster(name);
        const pod = choosePod(cluster, worker, podName);
        const options = {
          pod,
          ...(tail === undefined ? {} : { tail }),
          ...(container === undefined ? {} : { container }),
          ...(flags.previous === true ? { previous: true } : {}),
        };
        if (flags.follow === true) {
          let last = '';
          for await (const chunk of client.followLogs(name, options)) {
            io.stdout.write(chunk);
            last = chunk;
          }
          if (last !== '' && !last.endsWith('\n')) io.stdout.write('\n');
          return 0;
        }
        const text = await client.logs(name, options);
        io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
        return 0;
      });
    });
}

function parseContainer(value: string): string {
  if (!(LOG_CONTAINERS as readonly string[]).includes(value)) {
    throw new InvalidInputError(
      `invalid --container ${JSON.stringify(value)}: expected one of ${LOG_CONTAINERS.join(', ')}`,
      { field: '--container' },
    );
  }
  return value;
}
