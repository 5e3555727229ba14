import { isOshinkoError, type ErrorCode } from '../core/errors.js';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Calls `handler` on SIGINT or SIGTERM instead of ending the process, until the returned function is called; for
   * commands that end cleanly when interrupted (`get --watch`). Absent in tests, which abort by other means.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unavailable: 5,
  timeout: 6,
  forbidden: 7,
} as const;

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  invalid: EXIT.usage,
  unprocessable: EXIT.usage,
  'too-large': EXIT.usage,
  'method-not-allowed': EXIT.usage,
  'unsupported-media-type': EXIT.usage,
  limit: EXIT.usage,
  unauthorized: EXIT.forbidden,
  forbidden: EXIT.forbidden,
  'not-found': EXIT.notFound,
  conflict: EXIT.conflict,
  unavailable: EXIT.unavailable,
  timeout: EXIT.timeout,
  internal: EXIT.failure,
};

/** The one place where errors become CLI messages and exit codes. */
export function reportError(io: CliIo, error: unknown): number {
  if (isOshinkoError(error)) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_BY_CODE[error.code];
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}

/** How a command hands its work to `run`, which awaits it and turns its result or error into the exit code. */
export type Schedule = (work: () => Promise<number>) => void;
