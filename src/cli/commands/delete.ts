import type { Command } from 'commander';
import { connect, connectionFlags } from '../connection.js';
import { parseClusterName, parseDuration } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';
import { waitForDeletion } from '../wait.js';

interface DeleteFlags {
  wait?: boolean;
  timeout: string;
  interval: string;
}

export function registerDelete(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('delete')
    .description('Delete a cluster and every object (pods, services, routes) it has')
    .argument('<name>', 'cluster to delete')
    .option('--wait', 'wait until the server no longer reports the cluster')
    .option('--timeout <duration>', 'with --wait: how long to wait', '2m')
    .option('--interval <duration>', 'with --wait: how often to ask the server', '1s')
    .addHelpText(
      'after',
      `
Examples:
  oshinko delete spark1
  oshinko delete spark1 --wait --timeout 1m`,
    )
    .action((name: string, flags: DeleteFlags, command: Command) => {
      run(async () => {
        parseClusterName(name);
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const intervalMs = parseDuration(flags.interval, '--interval');
        const { client } = connect(connectionFlags(command), io);
        await client.deleteCluster(name);
        if (flags.wait === true) await waitForDeletion(client, name, io, { timeoutMs, intervalMs });
        io.stdout.write(`cluster "${name}" deleted\n`);
        return 0;
      });
    });
}
