import type { Command } from 'commander';
import { VERSION } from '../../version.js';
import { connect, connectionFlags } from '../connection.js';
import type { CliIo, Schedule } from '../io.js';
import { forPrograms, outputOption, printForPrograms, type Output } from '../output.js';

interface VersionFlags {
  output: Output;
  client?: boolean;
}

export function registerVersion(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('version')
    .description("Print the client's and the server's versions, the server's driver and default image")
    .option('--client', "the client's version alone, without asking a server (as kubectl version --client)")
    .addOption(outputOption(['text', 'json', 'yaml']))
    .addHelpText(
      'after',
      `
Examples:
  oshinko version
  oshinko version --server http://oshinko.example:8080 -o json
  oshinko version -o yaml
  oshinko version --client           # the client alone, without asking a server`,
    )
    .action((flags: VersionFlags, command: Command) => {
      run(async () => {
        if (flags.client === true) {
          io.stdout.write(
            forPrograms(flags.output)
              ? printForPrograms(flags.output, { value: { client: VERSION }, names: [] })
              : `client:         ${VERSION}\n`,
          );
          return 0;
        }
        const { client, server } = connect(connectionFlags(command), io);
        if (!forPrograms(flags.output)) io.stdout.write(`client:         ${VERSION}\n`);
        const info = (await client.info()).application;
        if (forPrograms(flags.output)) {
          const out = {
            client: VERSION,
            server: {
              url: server,
              version: info.version,
              driver: info.driver,
              defaultImage: info['default-cluster-image'],
              customImages: info['custom-images'],
            },
          };
          io.stdout.write(printForPrograms(flags.output, { value: out, names: [] }));
          return 0;
        }
        io.stdout.write(
          [
            `server:         ${info.version} (${server})`,
            `driver:         ${info.driver}`,
            `default image:  ${info['default-cluster-image']}`,
            `custom images:  ${info['custom-images']}${info['allowed-images'].length > 0 ? ` (${info['allowed-images'].join(', ')})` : ''}`,
          ].join('\n') + '\n',
        );
        return 0;
      });
    });
}
