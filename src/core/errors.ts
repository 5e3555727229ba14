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

export interface ErrorDetails {
  /** The request field the error is about, e.g. `config.sparkImage`. */
  readonly field?: string | undefined;
  /** The value of that field that was refused, when the refusal is about a value. */
  readonly value?: unknown;
  /** The rule the value broke, in words, without the field or the value ("expected true or false"). */
  readonly rule?: string | undefined;
  readonly cause?: unknown;
}

export abstract class OshinkoError extends Error {
  abstract readonly code: ErrorCode;
  /** The request field the error is about, e.g. `config.sparkImage`, so clients can show it in place. */
  readonly field: string | undefined;
  /** The refused value (see `ErrorDetails.value`); `hasValue` tells an absent value from an undefined one. */
  readonly value: unknown;
  readonly hasValue: boolean;
  /** The rule broken, so that a transport can word the error for what its user typed (a flag, a form field). */
  readonly rule: string | undefined;

  constructor(message: string, options?: ErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options?.field;
    this.hasValue = options !== undefined && 'value' in options;
    this.value = options?.value;
    this.rule = options?.rule;
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

/**
 * A value of a field refused by a rule, worded once from its parts: `invalid <field> <value>: <rule>`, or
 * `invalid <field>: <rule>` when the value is not worth repeating (an object, a list).
 */
export function invalidValue(field: string, value: unknown, rule: string): InvalidInputError {
  return new InvalidInputError(`invalid ${field} ${JSON.stringify(value)}: ${rule}`, { field, value, rule });
}

/** A field refused by a rule, its value not repeated (see `invalidValue`). */
export function invalidField(field: string, rule: string): InvalidInputError {
  return new InvalidInputError(`invalid ${field}: ${rule}`, { field, rule });
}

/** A schema-valid value refused by a rule no schema states (one field against another, a sum): 422. */
export function unprocessableValue(field: string, value: unknown, rule: string): UnprocessableError {
  return new UnprocessableError(`invalid ${field} ${JSON.stringify(value)}: ${rule}`, { field, value, rule });
}

/** As `unprocessableValue`, the value not repeated. */
export function unprocessableField(field: string, rule: string): UnprocessableError {
  return new UnprocessableError(`invalid ${field}: ${rule}`, { field, rule });
}

export function isOshinkoError(value: unknown): value is OshinkoError {
  return value instanceof OshinkoError;
}
