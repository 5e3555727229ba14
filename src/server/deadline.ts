import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import { sendError } from './error-handler.js';

/**
 * Answers 504 when the server has worked on a request for `timeoutMs` without answering. A streamed answer (a
 * followed log) whose headers went out has answered: it runs as long as it runs. The work itself is not
 * cancelled (a create may still finish); the answer says so, and a later GET shows the truth.
 */
export function registerDeadline(app: FastifyInstance, timeoutMs: number, clock: Clock): void {
  const cancels = new WeakMap<object, () => void>();
  app.addHook('onRequest', async (request, reply) => {
    const cancel = clock.after(timeoutMs, () => {
      if (reply.sent || reply.raw.writableEnded || reply.raw.headersSent) return;
      request.log.warn({ timeoutMs }, 'request deadline passed');
      void sendError(reply, {
        code: 'timeout',
        title: request.routeOptions.config.errorTitle ?? 'request failed',
        details: `the server did not finish this request within ${timeoutMs} ms (OSHINKO_REQUEST_TIMEOUT_MS); it may still complete: check the cluster's status before trying again`,
      });
    });
    cancels.set(request, cancel);
  });
  app.addHook('onResponse', (request, _reply, done) => {
    cancels.get(request)?.();
    done();
  });
}
