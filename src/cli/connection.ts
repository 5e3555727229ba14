import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DEFAULT_TIMEOUT_MS, OshinkoClient } from '../client/oshinko-client.js';
import { InvalidInputError } from '../core/errors.js';
import { parseDuration, parseServerUrl } from './flags.js';
import type { CliIo } from './io.js';
import { tlsFetch, withTlsHint } from './tls-fetch.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The global flags every client command understands. */
export interface ConnectionFlags {
  readonly server?: string | undefined;
  readonly token?: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly certificateAuthority?: string | undefined;
  readonly insecureSkipTlsVerify?: boolean | undefined;
  readonly requestTimeout?: string | undefined;
}

export function addConnectionOptions(program: Command): void {
  program
    .addOption(
      new Option('--server <url>', `oshinko server URL (env OSHINKO_SERVER, default ${DEFAULT_SERVER})`),
    )
    .addOption(new Option('--token <token>', 'bearer token for the server (env OSHINKO_TOKEN)'))
    .addOption(
      new Option(
        '--token-file <path>',
        'read the bearer token from a file, e.g. a service account token (env OSHINKO_TOKEN_FILE)',
      ),
    )
    .addOption(
      new Option(
        '--certificate-authority <path>',
        "PEM file of the CA(s) that signed the server's certificate (env OSHINKO_CERTIFICATE_AUTHORITY)",
      ),
    )
    .addOption(
      new Option(
        '--insecure-skip-tls-verify',
        "do not check the server's certificate (insecure: anyone on the path can read the token)",
      ),
    )
    .addOption(
      new Option(
        '--request-timeout <duration>',
        `give up on a request after this long, 0 for never (default ${DEFAULT_TIMEOUT_MS / 1000}s)`,
      ),
    );
}

export interface Connection {
  readonly server: string;
  readonly client: OshinkoClient;
}

/** Where a value came from: the flag, else its environment variable; an empty variable counts as unset. */
function fromFlagOrEnv(
  flag: string | undefined,
  flagName: string,
  env: string | undefined,
  envName: string,
): { value: string; source: string } | undefined {
  if (flag !== undefined) return { value: flag, source: flagName };
  if (env !== undefined && env !== '') return { value: env, source: envName };
  return undefined;
}

/** A file's problem in a few words (its errno), never its content. */
function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (error instanceof Error ? error.message : String(error));
}

function readSetting(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${source} ${JSON.stringify(path)}: ${fileProblem(error)}`, {
      field: source,
    });
  }
}

/**
 * The bearer token: `--token` or `--token-file`, else `OSHINKO_TOKEN` or `OSHINKO_TOKEN_FILE`. Giving both of a
 * pair is a mistake (which one was meant?); a file's trailing newline is not part of the token.
 */
export function resolveToken(flags: ConnectionFlags, env: CliIo['env']): string | undefined {
  if (flags.token !== undefined && flags.tokenFile !== undefined) {
    throw new InvalidInputError('give either --token or --token-file, not both', { field: '--token-file' });
  }
  const flagGiven = flags.token !== undefined || flags.tokenFile !== undefined;
  const envToken = flagGiven || env.OSHINKO_TOKEN === '' ? undefined : env.OSHINKO_TOKEN;
  const envFile = flagGiven || env.OSHINKO_TOKEN_FILE === '' ? undefined : env.OSHINKO_TOKEN_FILE;
  if (envToken !== undefined && envFile !== undefined) {
    throw new InvalidInputError('set either OSHINKO_TOKEN or OSHINKO_TOKEN_FILE, not both', {
      field: 'OSHINKO_TOKEN_FILE',
    });
  }
  if (flags.token !== undefined) return flags.token;
  if (envToken !== undefined) return envToken;
  const file = fromFlagOrEnv(flags.tokenFile, '--token-file', envFile, 'OSHINKO_TOKEN_FILE');
  if (file === undefined) return undefined;
  const token = readSetting(file.value, file.source).replace(/\r?\n$/, '');
  if (token.trim() === '') {
    throw new InvalidInputError(`${file.source} ${JSON.stringify(file.value)} is empty`, {
      field: file.source,
    });
  }
  if (/[\r\n]/.test(token)) {
    throw new InvalidInputError(
      `${file.source} ${JSON.stringify(file.value)} has more than one line; a token is one line`,
      { field: file.source },
    );
  }
  return token;
}

/** The PEM CA bundle of `--certificate-authority` (or its env), checked to hold at least one certificate. */
export function resolveCertificateAuthority(flags: ConnectionFlags, env: CliIo['env']): string | undefined {
  const file = fromFlagOrEnv(
    flags.certificateAuthority,
    '--certificate-authority',
    env.OSHINKO_CERTIFICATE_AUTHORITY,
    'OSHINKO_CERTIFICATE_AUTHORITY',
  );
  if (file === undefined) return undefined;
  const pem = readSetting(file.value, file.source);
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem)) {
    throw new InvalidInputError(
      `${file.source} ${JSON.stringify(file.value)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      { field: file.source },
    );
  }
  return pem;
}

/** `--request-timeout`: a duration as kubectl's (`30s`, `2m`, a bare number of seconds), `0` for none. */
export function parseRequestTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (/^\s*0+(?:ms|s|m|h)?\s*$/.test(value)) return 0;
  return parseDuration(value, '--request-timeout');
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
  const token = resolveToken(flags, io.env);
  const ca = resolveCertificateAuthority(flags, io.env);
  const insecure = flags.insecureSkipTlsVerify === true;
  if (insecure && ca !== undefined) {
    throw new InvalidInputError(
      'give either --certificate-authority or --insecure-skip-tls-verify, not both (a CA is of no use when nothing is checked)',
      { field: '--insecure-skip-tls-verify' },
    );
  }
  const timeoutMs = options.timeoutMs ?? parseRequestTimeout(flags.requestTimeout);
  if (insecure) {
    io.stderr.write(
      "warning: --insecure-skip-tls-verify: the server's certificate is not checked; the connection and the token are open to whoever is on the path\n",
    );
  }
  const fetchImpl = withTlsHint(
    ca !== undefined || insecure
      ? tlsFetch({ ca, rejectUnauthorized: !insecure })
      : globalThis.fetch.bind(globalThis),
  );
  return { server, client: new OshinkoClient(server, { token, timeoutMs, fetch: fetchImpl }) };
}

/** The connection flags of a command, wherever on the command line they were given. */
export function connectionFlags(command: Command): ConnectionFlags {
  return command.optsWithGlobals<ConnectionFlags>();
}
