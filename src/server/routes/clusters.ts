import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ClusterList, ClusterNameParams, ClusterResponse, LogsQuery, newCluster } from '../../api/schemas.js';
import type { ClusterService } from '../../core/cluster-service.js';
import { errorResponses } from '../error-handler.js';
import { toClusterModel, toClusterSummary } from '../wire.js';

const DEFAULT_TAIL = 500;
/** A 204 has no body, so the reply is sent without a payload; the document says `null` as it always has. */
const NoContent = Type.Unsafe<undefined>(Type.Null());

export interface ClusterRoutesOptions {
  readonly service: ClusterService;
}

/**
 * The cluster resource. Params, query, body and replies are typed from each route's schema. A callback plugin:
 * declaring routes awaits nothing.
 */
export const clusterRoutes: FastifyPluginCallbackTypebox<ClusterRoutesOptions> = (app, { service }, done) => {
  // The schema states this server's limit on workers, so the document shows it and the validator enforces it.
  const NewCluster = newCluster(service.settings.maxWorkers);
  // Followed logs run until the pod ends: a closing server ends them (cleanly: the client sees the end of the
  // answer) rather than wait for them.
  const following = new Set<{ end: () => void }>();
  app.addHook('preClose', (hookDone) => {
    for (const follow of following) follow.end();
    hookDone();
  });
  app.get(
    '/clusters',
    {
      config: { errorTitle: 'cannot list clusters' },
      schema: {
        tags: ['clusters'],
        summary: 'List clusters',
        response: { 200: ClusterList, ...errorResponses([401, 403, 500, 503, 504]) },
      },
    },
    async () => ({ clusters: (await service.list()).map(toClusterSummary) }),
  );

  app.post(
    '/clusters',
    {
      config: { errorTitle: 'cannot create cluster' },
      schema: {
        tags: ['clusters'],
        summary: 'Create a cluster',
        description:
          'Creates a Spark cluster. config.sparkImage (or its alias config.imageUrl) picks the image; without it the stored configuration image or the server default is used.',
        body: NewCluster,
        response: {
          201: ClusterResponse,
          ...errorResponses([400, 401, 403, 409, 413, 415, 422, 500, 503, 504]),
        },
      },
    },
    async (request, reply) => {
      const view = await service.create(request.body);
      return reply
        .status(201)
        .header('location', `/clusters/${view.name}`)
        .send({ cluster: toClusterModel(view) });
    },
  );

  app.get(
    '/clusters/:name',
    {
      config: { errorTitle: 'cannot get cluster' },
      schema: {
        tags: ['clusters'],
        summary: 'Get a cluster',
        params: ClusterNameParams,
        response: {
          200: ClusterResponse,
          ...errorResponses([400, 401, 403, 404, 500, 503, 504]),
        },
      },
    },
    async (request) => ({ cluster: toClusterModel(await service.get(request.params.name)) }),
  );

  app.put(
    '/clusters/:name',
    {
      config: { errorTitle: 'cannot update cluster' },
      schema: {
        tags: ['clusters'],
        summary: 'Scale a cluster',
        description:
          'Changes config.masterCount and/or config.workerCount. Any other field of config must be what the cluster has; one that differs is refused with a 422 naming it, and nothing changes.',
        params: ClusterNameParams,
        body: NewCluster,
        response: {
          202: ClusterResponse,
          ...errorResponses([400, 401, 403, 404, 409, 413, 415, 422, 500, 503, 504]),
        },
      },
    },
    async (request, reply) => {
      const view = await service.update(request.params.name, request.body);
      return reply.status(202).send({ cluster: toClusterModel(view) });
    },
  );

  app.delete(
    '/clusters/:name',
    {
      config: { errorTitle: 'cluster deletion failed' },
      schema: {
        tags: ['clusters'],
        summary: 'Delete a cluster and every object it has',
        params: ClusterNameParams,
        response: {
          204: NoContent,
          ...errorResponses([400, 401, 403, 404, 413, 415, 500, 503, 504]),
        },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.name);
      return reply.status(204).send();
    },
  );

  app.get(
    '/clusters/:name/logs',
    {
      config: { errorTitle: 'cannot get logs' },
      schema: {
        tags: ['clusters'],
        summary: 'The log of one pod (local: process) of a cluster, as text',
        description:
          'The last `tail` lines of the log of `pod` (the master by default), of its `container` (Kubernetes: `spark` or the init container `image-check`), of its previous instance with `previous=true`. With `follow=true` the answer is streamed: new lines follow as they are written, until the pod ends or the client closes the connection.',
        params: ClusterNameParams,
        querystring: LogsQuery,
        response: {
          200: {
            description: 'The log, as plain text',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...errorResponses([400, 401, 403, 404, 409, 422, 500, 503, 504]),
        },
      },
    },
    async (request, reply) => {
      const { pod, container, previous, follow } = request.query;
      const logRequest = {
        pod,
        container,
        previous: previous === 'true',
        tailLines: request.query.tail === undefined ? DEFAULT_TAIL : Number(request.query.tail),
      };
      if (follow !== 'true') {
        const text = await service.logs(request.params.name, logRequest);
        return reply.type('text/plain; charset=utf-8').send(text);
      }
      const stream = await service.followLogs(request.params.name, logRequest);
      // The headers go at once, not with the first line (which may be long in coming): the client then knows
      // the stream is open, and the request deadline, which only answers requests still without headers, stands
      // aside. Fastify destroys the stream when the client goes away.
      stream.once('resume', () => {
        if (!reply.raw.headersSent && !reply.raw.destroyed) reply.raw.flushHeaders();
      });
      const ending = {
        end: () => {
          stream.unpipe(reply.raw);
          stream.destroy();
          reply.raw.end();
        },
      };
      following.add(ending);
      reply.raw.once('close', () => following.delete(ending));
      return (
        reply
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          // The 200 schema says text; Fastify sends a stream as it comes, without serializing it.
          .send(stream as unknown as string)
      );
    },
  );
  done();
};
