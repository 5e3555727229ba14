import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PATH_PARAM_LENGTH } from '../api/schemas.js';
import { MAX_CLUSTER_NAME_LENGTH } from '../core/cluster-name.js';
import { sendError } from './error-handler.js';

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
 * Answers what the router cannot route, in the error envelope: 405 with `Allow` for a path declared with other
 * methods, else 404. Must be registered before the routes, whose methods it records.
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
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [
      ...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods)),
    ].sort();
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      void sendError(reply, {
        status: 405,
        code: 'invalid',
        title: 'method not allowed',
        details: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      });
      return;
    }
    void sendError(reply, {
      status: 404,
      code: 'not-found',
      title: 'not found',
      details: `no route for ${request.method} ${path}`,
    });
  });
}

/** The router's own refusals (Fastify's `frameworkErrors`): before any route is found, so before any hook. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendError(reply, {
      status: 414,
      code: 'invalid',
      title: 'URI too long',
      details: `a path segment of this server is at most ${MAX_PATH_PARAM_LENGTH} characters long (a cluster name at most ${MAX_CLUSTER_NAME_LENGTH})`,
    });
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void sendError(reply, {
      status: 400,
      code: 'invalid',
      title: 'bad request',
      details: 'the request path is not valid (malformed percent-encoding)',
    });
    return;
  }
  request.log.error({ err: error }, 'router error');
  void sendError(reply, {
    status: 500,
    code: 'internal',
    title: 'request failed',
    details: `internal server error (request id ${request.id})`,
  });
}
