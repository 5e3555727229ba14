import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PATH_PARAM_LENGTH } from '../api/schemas.js';
import { MAX_CLUSTER_NAME_LENGTH } from '../core/cluster-name.js';
import {
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  type OshinkoError,
} from '../core/errors.js';
import { sendError, sendOshinkoError } from './error-handler.js';

/** Turns a route pattern (`/clusters/:name`, `/docs/*`) into a regular expression over request paths. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}/?$`);
}

/**
 * Answers what the router cannot route, in the error envelope: a method-not-allowed error with `Allow` for a path
 * declared with other methods, else a not-found error. Must be registered before the routes, whose methods it
 * records.
 */
export function registerRouterErrors(app: FastifyInstance): void {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    // A route of every path (the CORS preflight's `*`) says nothing about which paths exist.
    if (route.url === '*' || route.url === '/*') return;
    const methods = [route.method].flat();
    // Fastify answers HEAD for every GET route.
    if (methods.includes('GET')) methods.push('HEAD');
    routes.push({ pattern: patternOf(route.url), methods });
  });
  const unrouted = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [
      ...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods)),
    ].sort();
    if (allowed.length > 0) {
      const error = new MethodNotAllowedError(
        `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      );
      return sendOshinkoError(
        request,
        reply.header('allow', allowed.join(', ')),
        error,
        'method not allowed',
      );
    }
    return sendOshinkoError(
      request,
      reply,
      new NotFoundError(`no route for ${request.method} ${path}`),
      'not found',
    );
  };
  // Before the body is read: Fastify would otherwise refuse a method that may have a body (QUERY, PATCH...)
  // without a Content-Type before the not-found handler sees it. After the token check (an onRequest hook).
  app.addHook('preParsing', async (request, reply, payload) => {
    if (request.is404) unrouted(request, reply);
    return payload;
  });
  app.setNotFoundHandler(unrouted);
}

/** The router's own refusals of a request, as the domain errors they are. */
function routerError(error: FastifyError): OshinkoError | undefined {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new InvalidInputError(
      `a path segment of this server is at most ${MAX_PATH_PARAM_LENGTH} characters long (a cluster name at most ${MAX_CLUSTER_NAME_LENGTH})`,
      { field: 'path' },
    );
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return new InvalidInputError('the request path is not valid (malformed percent-encoding)', {
      field: 'path',
    });
  }
  return undefined;
}

/** The router's own refusals (Fastify's `frameworkErrors`): before any route is found, so before any hook. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  const refusal = routerError(error);
  if (refusal !== undefined) {
    void sendOshinkoError(request, reply, refusal, 'bad request');
    return;
  }
  request.log.error({ err: error }, 'router error');
  void sendError(reply, {
    code: 'internal',
    title: 'request failed',
    details: `internal server error (request id ${request.id})`,
  });
}
