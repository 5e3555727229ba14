import { Option, type Command } from 'commander';
import { OshinkoClient } from '../client/oshinko-client.js';
import { parseServerUrl } from './flags.js';
import type { CliIo } from './io.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The global flags every client command understands. */
export interface ConnectionFlags {
  readonly server?: string | undefined;
  readonly token?: string | undefined;
}

export function addConnectionOptions(program: Command): void {
  program
    .addOption(
      new Option('--server <url>', `oshinko server URL (env OSHINKO_SERVER, default ${DEFAULT_SERVER})`),
    )
    .addOption(new Option('--token <token>', 'bearer token for the server (env OSHINKO_TOKEN)'));
}

export interface Connection {
  readonly server: string;
  readonly client: OshinkoClient;
}

/** Builds the client from flags, then environment, then the default; flags win. */
export function connect(flags: ConnectionFlags, io: CliIo, options: { timeoutMs?: number } = {}): Connection {
  const fromEnv = io.env.OSHINKO_SERVER;
  const server =
    flags.server !== undefined
      ? parseServerUrl(flags.server, '--server')
      : fromEnv !== undefined && fromEnv !== ''
        ? parseServerUrl(fromEnv, 'OSHINKO_SERVER')
        : DEFAULT_SERVER;
  const envToken = io.env.OSHINKO_TOKEN;
  const token = flags.token ?? (envToken === '' ? undefined : envToken);
  return { server, client: new OshinkoClient(server, { token, timeoutMs: options.timeoutMs }) };
}

/** The connection flags of a command, wherever on the command line they were given. */
export function connectionFlags(command: Command): ConnectionFlags {
  return command.optsWithGlobals<ConnectionFlags>();
}
