import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TUnsafe } from '@sinclair/typebox';
import { ErrorBody, RULE_KEYWORD, type NameRule } from '../api/schemas.js';
import { clusterNameProblem, configNameProblem } from '../core/cluster-name.js';
import { isOshinkoError, type ErrorCode, type OshinkoError } from '../core/errors.js';
import { parseImageReference } from '../core/image-ref.js';
import {
  parseAnnotations,
  parseEnv,
  parseLabels,
  parseNodeSelector,
  parseTolerations,
  secretNameProblem,
} from '../core/pod-settings.js';
import { parseResources } from '../core/resources.js';
import { parsePullPolicy, parseRunAsUser } from '../core/setting-values.js';

/** The one place where errors become HTTP statuses; every error answer of the server takes its status from here. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  limit: 422,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

/** Fastify's own refusals of a request, by their code; any other of its 4xx is malformed input. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_NOT_FOUND: 'not-found',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The upstream error title of the route, e.g. "cannot create cluster". */
    errorTitle?: string;
  }
}

/** An Ajv issue; the server's Ajv runs with `verbose`, so each has the value and the schema it failed. */
interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: Record<string, unknown>;
}

const ifString =
  (problem: (value: string) => string | undefined) =>
  (value: unknown): string | undefined =>
    typeof value === 'string' ? problem(value) : undefined;

/** The message of the parser's refusal of `value`, or undefined when it takes it. */
function refusal(parse: (value: unknown) => unknown, value: unknown): string | undefined {
  try {
    parse(value);
    return undefined;
  } catch (error) {
    return isOshinkoError(error) ? (error.rule ?? error.message) : undefined;
  }
}

/** The domain's wording of the rules the schemas state (`x-oshinko-rule`), given the value that broke one. */
const RULE_PROBLEMS: Record<NameRule, (value: unknown) => string | undefined> = {
  'cluster-name': ifString(clusterNameProblem),
  'config-name': ifString((value) => (value === '' ? undefined : configNameProblem(value))),
  image: ifString((value) => {
    const result = parseImageReference(value);
    return value === '' || result.ok ? undefined : result.reason;
  }),
  'env-name': (value) => refusal((name) => parseEnv([{ name, value: '' }], 'env'), value),
  'env-source': (value) =>
    typeof value === 'object' && value !== null && 'name' in value
      ? `give ${String(value.name)} either a value or a secretKeyRef`
      : undefined,
  'secret-name': secretNameProblem,
  'secret-key': (value) =>
    refusal((key) => parseEnv([{ name: 'A', secretKeyRef: { name: 'a', key } }], 'env'), value),
  'label-key': (value) => refusal((key) => parseLabels({ [String(key)]: '' }, 'labels'), value),
  'annotation-key': (value) =>
    refusal((key) => parseAnnotations({ [String(key)]: '' }, 'annotations'), value),
  'selector-key': (value) =>
    refusal((key) => parseNodeSelector({ [String(key)]: '' }, 'nodeSelector'), value),
  'taint-key': (value) =>
    refusal((key) => parseTolerations([{ key, operator: 'Exists' }], 'tolerations'), value),
  'label-value': (value) => refusal((text) => parseLabels({ a: text }, 'labels'), value),
  quantity: (value) =>
    typeof value === 'string' || typeof value === 'number'
      ? refusal((quantity) => parseResources({ cpu: quantity }, 'resources', 'worker'), value)
      : undefined,
  'run-as-user': (value) => refusal((user) => parseRunAsUser(user as number | string, 'runAsUser'), value),
  toleration: (value) => refusal((toleration) => parseTolerations([toleration], 'toleration'), value),
  'taint-operator': (value) =>
    refusal((operator) => parseTolerations([{ key: 'a', operator }], 'toleration'), value),
  'taint-effect': (value) =>
    refusal((effect) => parseTolerations([{ key: 'a', operator: 'Exists', effect }], 'toleration'), value),
  'pull-policy': (value) => refusal((policy) => parsePullPolicy(String(policy), 'imagePullPolicy'), value),
  'one-image': (value) =>
    typeof value === 'object' && value !== null && 'sparkImage' in value && 'imageUrl' in value
      ? `config.sparkImage ${JSON.stringify(value.sparkImage)} and config.imageUrl ${JSON.stringify(value.imageUrl)} name the same field; give one of them`
      : undefined,
};

/** Why a value broke its schema, in the domain's words where the schema states a domain rule. */
function problemOf(issue: ValidationIssue): string | undefined {
  const schema = issue.parentSchema ?? {};
  const rule = schema[RULE_KEYWORD] as NameRule | undefined;
  if (rule !== undefined) {
    const problem = RULE_PROBLEMS[rule](issue.data);
    if (problem !== undefined) return problem;
  }
  const { minimum, maximum } = schema;
  if (Array.isArray(schema.enum)) return `expected ${schema.enum.map(String).join(' or ')}`;
  if (schema.type === 'integer' && typeof minimum === 'number' && typeof maximum === 'number') {
    return `expected an integer from ${minimum} to ${maximum}`;
  }
  return undefined;
}

/** Turns an Ajv issue into a message that names the field, as users write it (`config.workerCount`). */
export function describeValidationIssue(
  issue: ValidationIssue,
  context: string,
): { field: string; details: string } {
  const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const prefix = context === 'body' ? '' : `${context}.`;
  const rule = issue.parentSchema?.[RULE_KEYWORD] as NameRule | undefined;
  // A refused key of a map (`propertyNames`): the field is the key's.
  const key = (issue as { propertyName?: unknown }).propertyName ?? issue.params.propertyName;
  const at = typeof key === 'string' ? `${base}.${key}` : rule === 'one-image' ? `${base}.sparkImage` : base;
  const ruleProblem = rule === undefined ? undefined : RULE_PROBLEMS[rule](issue.data);
  if (ruleProblem !== undefined && (issue.keyword === 'required' || issue.keyword === 'not')) {
    // A rule between fields (a toleration's, the image's two names) or a reserved name: in the parser's words.
    const field = `${prefix}${at}` || context;
    return { field, details: `invalid ${field}: ${ruleProblem}` };
  }
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
  const field = `${prefix}${at}` || context;
  const problem = problemOf(issue);
  if (problem !== undefined)
    return { field, details: `invalid ${field} ${JSON.stringify(issue.data)}: ${problem}` };
  return { field, details: `invalid ${field}: ${issue.message ?? 'does not match the schema'}` };
}

/** One error answer: the upstream envelope's fields plus our stable `code`, which chooses the status. */
export interface ErrorAnswer {
  readonly code: ErrorCode;
  readonly title: string;
  readonly details: string;
  readonly field?: string | undefined;
}

/** The upstream error envelope with one error: every error answer of the server is built here. */
export function errorBody(answer: ErrorAnswer): ErrorBody {
  const { code, title, details, field } = answer;
  const status = HTTP_STATUS[code];
  return { errors: [{ status, title, details, ...(field === undefined ? {} : { field }), code }] };
}

export function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.status(HTTP_STATUS[answer.code]).type('application/json').send(errorBody(answer));
}

/** A domain error as the error answer of a request whose operation has `title`. */
export function sendOshinkoError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OshinkoError,
  title = request.routeOptions.config.errorTitle ?? 'request failed',
): FastifyReply {
  if (HTTP_STATUS[error.code] >= 500) request.log.error({ err: error }, 'backend error');
  return sendError(reply, { code: error.code, title, details: error.message, field: error.field });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const title = request.routeOptions.config.errorTitle ?? 'request failed';
  if (isOshinkoError(error)) {
    void sendOshinkoError(request, reply, error, title);
    return;
  }
  if (error.validation && error.validation.length > 0) {
    if (error.validationContext === 'body' && request.body === undefined) {
      const details = 'this request needs a JSON request body and has none';
      void sendError(reply, { code: 'invalid', title, details, field: 'body' });
      return;
    }
    const first = error.validation[0] as unknown as ValidationIssue;
    const { field, details } = describeValidationIssue(first, error.validationContext ?? 'body');
    void sendError(reply, { code: 'invalid', title, details, field });
    return;
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors: body too large, malformed JSON, unsupported media type.
    const code = FASTIFY_CODES[error.code] ?? 'invalid';
    const details =
      code === 'too-large'
        ? 'the request body is larger than this server accepts'
        : code === 'unsupported-media-type'
          ? 'send the request body as application/json'
          : error.message;
    void sendError(reply, { code, title, details });
    return;
  }
  request.log.error({ err: error }, 'unexpected error');
  void sendError(reply, {
    code: 'internal',
    title,
    details: `internal server error (request id ${request.id}); the server log has the details`,
  });
}

/** What each error status of the API means, as the OpenAPI document says it. */
const ERROR_MEANING = {
  400: 'Malformed input: a field of the wrong type, format or range, named in `field`',
  401: 'No or wrong bearer token (when the server has a token)',
  403: "Refused by the server's image policy, or the server's Kubernetes service account lacks a permission",
  404: 'No such cluster (or pod)',
  409: 'A cluster of that name exists, or the cluster changed while the request was served',
  413: 'The request body is larger than OSHINKO_BODY_LIMIT',
  415: 'A request body that is not application/json',
  422: 'Well-formed but not possible: a stored configuration, Spark config ConfigMap, pull Secret or local image that does not exist, a change a running cluster cannot take, a bad stored value (code "unprocessable"), or more clusters than OSHINKO_MAX_CLUSTERS (code "limit")',
  500: 'An unexpected error; the body has a request id to find it in the server log, never internals',
  503: 'The backend (Kubernetes API, local runtime) is unavailable',
  504: 'Not finished within OSHINKO_REQUEST_TIMEOUT_MS (it may still complete), or the Kubernetes API did not answer in time',
} as const;
export type ErrorStatus = keyof typeof ERROR_MEANING;

/**
 * The error responses of an operation for its OpenAPI document: the envelope, with what each status means. Typed
 * per status, so a route's reply type is its success schema or the envelope, never `unknown`.
 */
export function errorResponses<const S extends ErrorStatus>(
  statuses: readonly S[],
): Record<S, TUnsafe<ErrorBody>> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      Type.Unsafe<ErrorBody>({ ...ErrorBody, description: ERROR_MEANING[status] }),
    ]),
  ) as Record<S, TUnsafe<ErrorBody>>;
}
