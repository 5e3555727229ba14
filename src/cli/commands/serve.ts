import type { Command } from 'commander';
import { LOG_LEVELS, parseServeConfig, SERVE_ENV, type ServeFlags } from '../../server/serve-config.js';
import { serve } from '../../server/serve.js';
import { startupLine } from '../../server/startup-line.js';
import type { CliIo } from '../io.js';

export function registerServe(program: Command, io: CliIo, run: (work: () => Promise<number>) => void): void {
  program
    .command('serve')
    .description('Start the REST server and web console')
    .option(
      '--driver <driver>',
      'where clusters run: kubernetes or local (env OSHINKO_DRIVER; default: kubernetes when a kubeconfig or a pod service account is found, else local)',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1, env OSHINKO_HOST)')
    .option('--port <port>', 'port to listen on (default 8080, env OSHINKO_PORT)')
    .option('--default-image <ref>', 'default cluster image (env OSHINKO_CLUSTER_IMAGE)')
    .option('--kubeconfig <file>', 'kubeconfig file (env KUBECONFIG; in a pod: the service account)')
    .option(
      '--namespace <ns>',
      'namespace for clusters (env OSHINKO_NAMESPACE; default: the kubeconfig context or service account namespace)',
    )
    .option('--home <dir>', 'oshinko data directory for the local driver (env OSHINKO_HOME)')
    .option(
      '--token-file <file>',
      'require the bearer token this file holds on every API call (env OSHINKO_TOKEN_FILE, or the token itself in OSHINKO_TOKEN)',
    )
    .option('--allow-insecure-remote', 'allow listening on a non-loopback address without a token')
    .option('--log-level <level>', `${LOG_LEVELS.join(', ')} (default info, env OSHINKO_LOG_LEVEL)`)
    .addHelpText(
      'after',
      `
It starts with a line saying where clusters run: on Kubernetes, the context and namespace.

Environment (a flag of the same setting wins):
${SERVE_ENV.map(([name, meaning]) => `  ${name.padEnd(32)}${meaning}`).join('\n')}

Examples:
  oshinko serve --driver local                   # clusters on this machine, http://127.0.0.1:8080
  oshinko serve --driver kubernetes --namespace spark
  OSHINKO_CLUSTER_IMAGE=quay.io/me/spark:3.5 oshinko serve --port 9000`,
    )
    .action((flags: ServeFlags, command: Command) => {
      run(async () => {
        // `--token-file` is also the client's global flag, which commander gives the program wherever it stands:
        // here it is the token the server requires, the one its clients send.
        const { tokenFile } = command.optsWithGlobals<ServeFlags>();
        const config = parseServeConfig({ ...flags, tokenFile }, io.env);
        const server = await serve(config);
        io.stderr.write(`${startupLine(config, server.details)}\n`);
        io.stderr.write(`oshinko ${config.driver} driver listening on ${server.url}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        io.stderr.write('shutting down\n');
        await server.close();
        return 0;
      });
    });
}
