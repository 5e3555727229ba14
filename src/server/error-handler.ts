import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../api/schemas.js';
import { isOshinkoError, type ErrorCode } from '../core/errors.js';

/** The one place where errors become HTTP statuses and the upstream error envelope. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  limit: 422,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The upstream error title of the route, e.g. "cannot create cluster". */
    errorTitle?: string;
  }
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns an Ajv issue into a message that names the field, as users write it (`config.workerCount`). */
export function describeValidationIssue(
  issue: ValidationIssue,
  context: string,
): { field: string; details: string } {
  const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const prefix = context === 'body' ? '' : `${context}.`;
  if (issue.keyword === 'additionalProperty' || issue.keyword === 'additionalProperties') {
    const extra = String(issue.params.additionalProperty);
    const field = `${prefix}${base ? `${base}.` : ''}${extra}`;
    return { field, details: `unknown field ${field}` };
  }
  if (issue.keyword === 'required') {
    const missing = String(issue.params.missingProperty);
    const field = `${prefix}${base ? `${base}.` : ''}${missing}`;
    return { field, details: `${field} is required` };
  }
  const field = `${prefix}${base}` || context;
  return { field, details: `invalid ${field}: ${issue.message ?? 'does not match the schema'}` };
}

/** One error answer: the upstream envelope's fields plus our stable `code`. */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly details: string;
  readonly field?: string | undefined;
}

/** The upstream error envelope with one error: every error answer of the server is built here. */
export function errorBody(answer: ErrorAnswer): ErrorBody {
  const { status, code, title, details, field } = answer;
  return { errors: [{ status, title, details, ...(field === undefined ? {} : { field }), code }] };
}

export function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.status(answer.status).type('application/json').send(errorBody(answer));
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const title = request.routeOptions.config.errorTitle ?? 'request failed';
  if (isOshinkoError(error)) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500) request.log.error({ err: error }, 'backend error');
    void sendError(reply, { status, code: error.code, title, details: error.message, field: error.field });
    return;
  }
  if (error.validation && error.validation.length > 0) {
    if (error.validationContext === 'body' && request.body === undefined) {
      const details = 'this request needs a JSON request body and has none';
      void sendError(reply, { status: 400, code: 'invalid', title, details, field: 'body' });
      return;
    }
    const first = error.validation[0] as unknown as ValidationIssue;
    const { field, details } = describeValidationIssue(first, error.validationContext ?? 'body');
    void sendError(reply, { status: 400, code: 'invalid', title, details, field });
    return;
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors: body too large, malformed JSON, unsupported media type.
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const details = tooLarge
      ? 'the request body is larger than this server accepts'
      : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'send the request body as application/json'
        : error.message;
    void sendError(reply, { status, code: tooLarge ? 'too-large' : 'invalid', title, details });
    return;
  }
  request.log.error({ err: error }, 'unexpected error');
  void sendError(reply, {
    status: 500,
    code: 'internal',
    title,
    details: `internal server error (request id ${request.id}); the server log has the details`,
  });
}
