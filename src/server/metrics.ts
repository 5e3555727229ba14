import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClusterService } from '../core/cluster-service.js';

/** Prometheus metrics of one app instance; a registry per app keeps tests and servers independent. */
export function registerMetrics(app: FastifyInstance, service: ClusterService): Registry {
  const registry = new Registry();
  const requests = new Counter({
    name: 'oshinko_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'oshinko_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const backendErrors = new Counter({
    name: 'oshinko_backend_errors_total',
    help: 'Errors of the cluster backend (Kubernetes API or local runtime) by driver',
    labelNames: ['driver'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'oshinko_clusters',
    help: 'Clusters by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const cluster of await service.list()) this.inc({ status: cluster.status });
      } catch {
        backendErrors.inc({ driver: service.driverKind });
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode === 503 || reply.statusCode === 504)
      backendErrors.inc({ driver: service.driverKind });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  return registry;
}
