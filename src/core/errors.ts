/**
 * Business errors. Each has a stable `code`; transports map codes to their own vocabulary
 * (HTTP status, CLI exit code) in exactly one place.
 */
export const ERROR_CODES = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'method-not-allowed',
  'unsupported-media-type',
  'unprocessable',
  'too-large',
  'limit',
  'unavailable',
  'timeout',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class OshinkoError extends Error {
  abstract readonly code: ErrorCode;
  /** The request field the error is about, e.g. `config.sparkImage`, so clients can show it in place. */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options?.field;
  }
}

/** The caller sent something malformed: a field with a wrong type, format or range. */
export class InvalidInputError extends OshinkoError {
  readonly code = 'invalid';
}

/** Well-formed input that cannot be acted upon (a stored config that does not exist, an image the store lacks). */
export class UnprocessableError extends OshinkoError {
  readonly code = 'unprocessable';
}

export class NotFoundError extends OshinkoError {
  readonly code = 'not-found';
}

export class ConflictError extends OshinkoError {
  readonly code = 'conflict';
}

export class UnauthorizedError extends OshinkoError {
  readonly code = 'unauthorized';
}

/** Refused by a policy the administrator set (e.g. custom images disabled). */
export class ForbiddenError extends OshinkoError {
  readonly code = 'forbidden';
}

/** The resource has no such operation (an HTTP method its path does not have). */
export class MethodNotAllowedError extends OshinkoError {
  readonly code = 'method-not-allowed';
}

/** A request body in a format the server does not read. */
export class UnsupportedMediaTypeError extends OshinkoError {
  readonly code = 'unsupported-media-type';
}

export class PayloadTooLargeError extends OshinkoError {
  readonly code = 'too-large';
}

/** A configured limit (clusters per server, workers per cluster) would be exceeded. */
export class LimitExceededError extends OshinkoError {
  readonly code = 'limit';
}

/** A backend (Kubernetes API, the local runtime) is not reachable or failed; not the caller's fault. */
export class BackendUnavailableError extends OshinkoError {
  readonly code = 'unavailable';
}

export class TimeoutError extends OshinkoError {
  readonly code = 'timeout';
}

/** The server's own configuration or environment is wrong (missing Java, bad kubeconfig, ...). */
export class ConfigurationError extends OshinkoError {
  readonly code = 'invalid';
}

export function isOshinkoError(value: unknown): value is OshinkoError {
  return value instanceof OshinkoError;
}
