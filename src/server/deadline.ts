import type { FastifyInstance } from 'fastify';
import { sendError } from './error-handler.js';

/**
 * Answers 504 when the server has worked on a request for `timeoutMs` without answering. A streamed answer (a
 * followed log) whose headers went out has answered: it runs as long as it runs. The work itself is not
 * cancelled (a create may still finish); the answer says so, and a later GET shows the truth.
 */
export function registerDeadline(app: FastifyInstance, timeoutMs: number): void {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  app.addHook('onRequest', async (request, reply) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.writableEnded || reply.raw.headersSent) return;
      request.log.warn({ timeoutMs }, 'request deadline passed');
      void sendError(reply, {
        code: 'timeout',
        title: request.routeOptions.config.errorTitle ?? 'request failed',
        details: `the server did not finish this request within ${timeoutMs} ms (OSHINKO_REQUEST_TIMEOUT_MS); it may still complete: check the cluster's status before trying again`,
      });
    }, timeoutMs);
    timer.unref();
    timers.set(request, timer);
  });
  app.addHook('onResponse', (request, _reply, done) => {
    clearTimeout(timers.get(request));
    done();
  });
}
