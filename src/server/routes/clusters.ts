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
          ...errorResponses([400, 401, 403, 404, 414, 500, 503, 504]),
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
        description: 'Changes config.masterCount and/or config.workerCount; everything else stays as it is.',
        params: ClusterNameParams,
        body: NewCluster,
        response: {
          202: ClusterResponse,
          ...errorResponses([400, 401, 403, 404, 409, 413, 414, 415, 422, 500, 503, 504]),
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
          ...errorResponses([400, 401, 403, 404, 413, 414, 415, 500, 503, 504]),
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
        params: ClusterNameParams,
        querystring: LogsQuery,
        response: {
          200: Type.String(),
          ...errorResponses([400, 401, 403, 404, 409, 414, 500, 503, 504]),
        },
      },
    },
    async (request, reply) => {
      const tail = request.query.tail === undefined ? DEFAULT_TAIL : Number(request.query.tail);
      const text = await service.logs(request.params.name, request.query.pod, tail);
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );
  done();
};
