import type { Command } from 'commander';
import { connect, connectionFlags } from '../connection.js';
import { parseClusterArg, parseDuration } from '../flags.js';
import { EXIT, reportError, type CliIo, type Schedule } from '../io.js';
import { clusterRef, outputOption, type Output } from '../output.js';
import { waitForDeletion } from '../wait.js';

interface DeleteFlags {
  wait?: boolean;
  timeout: string;
  interval: string;
  output?: Output;
}

export function registerDelete(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('delete')
    .description('Delete clusters and every object (pods, services, routes) they have')
    .argument('<name...>', 'clusters to delete (NAME or cluster/NAME)')
    .option('--wait', 'wait until the server no longer reports each cluster')
    .option('--timeout <duration>', 'with --wait: how long to wait for each cluster', '2m')
    .option('--interval <duration>', 'with --wait: how often to ask the server', '1s')
    .addOption(outputOption(['name'], 'text'))
    .addHelpText(
      'after',
      `
Each cluster is deleted even when another one cannot be; the exit code is then that of the first failure.

Examples:
  oshinko delete spark1
  oshinko delete spark1 etl --wait --timeout 1m
  oshinko get -o name | xargs -r oshinko delete     # every cluster
  oshinko delete spark1 -o name                     # prints cluster/spark1`,
    )
    .action((names: string[], flags: DeleteFlags, command: Command) => {
      run(async () => {
        const clusters = [...new Set(names.map(parseClusterArg))];
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const intervalMs = parseDuration(flags.interval, '--interval');
        const byName = flags.output?.kind === 'name';
        const { client } = connect(connectionFlags(command), io);
        let exitCode: number = EXIT.ok;
        const failed = (error: unknown) => {
          const code = reportError(io, error);
          if (exitCode === EXIT.ok) exitCode = code;
        };
        const deleted: string[] = [];
        for (const name of clusters) {
          try {
            await client.deleteCluster(name);
            deleted.push(name);
          } catch (error) {
            failed(error);
          }
        }
        // All are deleted before waiting for any, so that they go down together.
        for (const name of deleted) {
          try {
            if (flags.wait === true) {
              await waitForDeletion(client, name, byName ? { ...io, stdout: io.stderr } : io, {
                timeoutMs,
                intervalMs,
              });
            }
            io.stdout.write(byName ? `${clusterRef(name)}\n` : `cluster "${name}" deleted\n`);
          } catch (error) {
            failed(error);
          }
        }
        return exitCode;
      });
    });
}
