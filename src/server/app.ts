import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ImageList, MAX_PATH_PARAM_LENGTH, RULE_KEYWORD, ServerInfo } from '../api/schemas.js';
import type { ClusterService } from '../core/cluster-service.js';
import { BackendUnavailableError, NotFoundError } from '../core/errors.js';
import { carriesToken, registerBearerAuth } from './auth.js';
import { systemClock, type Clock } from '../core/clock.js';
import { registerDeadline } from './deadline.js';
import { errorHandler, errorResponses } from './error-handler.js';
import { registerMetrics } from './metrics.js';
import { frameworkErrors, registerRouterErrors } from './router-errors.js';
import { clusterRoutes } from './routes/clusters.js';

export interface AppOptions {
  readonly service: ClusterService;
  readonly version: string;
  /** Directory of the built console (index.html and assets); the console is not served when absent. */
  readonly consoleDir?: string | undefined;
  readonly logger?: FastifyServerOptions['logger'];
  readonly bodyLimit?: number | undefined;
  /** Public URL of this server, reported by `GET /` as web-url. */
  readonly webUrl?: string | undefined;
  /** When set, every API call needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** Origins allowed to call the API from a browser; CORS is off when empty. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Longest time the server works on a request before it answers 504 (milliseconds). */
  readonly requestTimeoutMs?: number | undefined;
  /** The request deadline goes by it; default: the real clock. */
  readonly clock?: Clock | undefined;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** A caller's request id is kept when it is short and plain, so it cannot forge or flood log lines. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Builds the HTTP application. It never listens: `serve` does, tests use `inject` or listen themselves. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // The TypeBox type provider types each route from its schema (params, query, body, replies); it is types only:
  // requests are still validated by the Ajv configured here, whose refusals the error handler words.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: requestId,
    // Receiving the request itself (a slow client) gets the same bound as working on it.
    requestTimeout: requestTimeoutMs,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
        // The value and schema of a refusal, so that it is worded by the rule the schema states.
        verbose: true,
        keywords: [RULE_KEYWORD],
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler);
  // Many clients send `Content-Type: application/json` on every request: an empty body with it is no body (a
  // DELETE answers as without the header; a POST or PUT is refused by its schema as having no body).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  registerRouterErrors(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerDeadline(app, requestTimeoutMs, options.clock ?? systemClock);

  // CORS before the token check: a browser's preflight never carries the token, and a 401 must still carry
  // the CORS headers so the console on another origin can read it.
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: [...options.corsOrigins],
      exposedHeaders: ['location', 'x-request-id'],
    });
  }
  if (options.token !== undefined) registerBearerAuth(app, options.token);
  registerMetrics(app, service);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'oshinko REST API',
        version: options.version,
        description:
          'Deploy and manage Apache Spark clusters, each with its own image. Wire-compatible with the upstream Oshinko REST server.',
      },
      tags: [{ name: 'clusters' }, { name: 'server' }, { name: 'images' }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const consoleDir = options.consoleDir;
  const hasConsole = consoleDir !== undefined && existsSync(join(consoleDir, 'index.html'));
  if (hasConsole) {
    await app.register(fastifyStatic, {
      root: consoleDir,
      prefix: '/console/',
      index: false,
      wildcard: true,
    });
  }

  app.get(
    '/',
    {
      config: { errorTitle: 'cannot get server information' },
      schema: {
        tags: ['server'],
        summary: 'Server information; browsers (Accept: text/html) get the web console',
        response: { 200: ServerInfo, ...errorResponses([401, 500, 504]) },
      },
    },
    async (request, reply) => {
      if (hasConsole && (request.headers.accept ?? '').includes('text/html')) {
        return reply.type('text/html; charset=utf-8').sendFile('index.html', consoleDir);
      }
      const { settings } = service;
      const policy = settings.imagePolicy;
      return {
        application: {
          name: 'oshinko',
          version: options.version,
          'web-url': options.webUrl ?? '',
          'web-service-name': 'oshinko',
          'default-cluster-image': settings.defaultImage,
          driver: service.driverKind,
          'custom-images': !policy.allowCustomImages
            ? 'disabled'
            : policy.allowedPatterns.length > 0
              ? 'restricted'
              : 'allowed',
          'allowed-images': [...policy.allowedPatterns],
          'max-workers': settings.maxWorkers,
          'max-clusters': settings.maxClusters,
          details: { ...service.describeDriver() },
        },
      } satisfies ServerInfo;
    },
  );

  await app.register(clusterRoutes, { service });

  app.get(
    '/images',
    {
      config: { errorTitle: 'cannot list images' },
      schema: {
        tags: ['images'],
        summary: 'Local images (local driver only; read-only)',
        response: { 200: ImageList, ...errorResponses([401, 404, 500, 503, 504]) },
      },
    },
    async () => {
      const images = await service.listImages();
      if (images === undefined) {
        throw new NotFoundError(`the ${service.driverKind} driver has no local image store`);
      }
      return {
        images: images.map((image) => ({
          ...image,
          base: image.base ?? null,
          sparkVersion: image.sparkVersion ?? null,
          jars: [...image.jars],
          pyFiles: [...image.pyFiles],
          usedBy: [...image.usedBy],
          conf: { ...image.conf },
          env: { ...image.env },
        })),
      };
    },
  );

  app.get('/healthz', { schema: { hide: true } }, (_request, reply) => reply.send({ status: 'ok' }));
  // Public (probes carry no token): the reason it is not ready, the backend's words, only to a caller that may
  // call the API; the others learn not ready alone.
  const { token } = options;
  app.get('/readyz', { schema: { hide: true }, config: { errorTitle: 'not ready' } }, async (request) => {
    try {
      await service.list();
      return { status: 'ready' };
    } catch (error) {
      const reason = token === undefined || carriesToken(request, token);
      const why = error instanceof Error ? error.message : String(error);
      throw new BackendUnavailableError(
        reason
          ? `the server cannot list clusters: ${why}`
          : 'the server cannot list clusters; a caller with the token is told why',
        { cause: error },
      );
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => reply.send(app.swagger()));
  if (hasConsole) {
    // Client-side routes of the console (e.g. /ui/clusters/x) get its index page.
    app.get('/ui/*', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').sendFile('index.html', consoleDir),
    );
  }
  return app;
}
