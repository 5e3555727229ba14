import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.js';

/** Paths that answer without a token: probes (they reveal nothing) and the console's static shell. */
const PUBLIC_PATHS = [/^\/healthz$/, /^\/readyz$/, /^\/console\//, /^\/ui(\/|$)/, /^\/favicon\.ico$/];

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares in constant time: both sides are hashed first, so length differences leak nothing either. */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** Whether the request carries `token` as its bearer token. */
export function carriesToken(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] !== undefined && tokenMatches(token, match[1]);
}

/**
 * Requires `Authorization: Bearer <token>` on every API call. The console's HTML, scripts and styles are
 * public (they hold no data); the console asks for the token and sends it with each API call.
 */
export function registerBearerAuth(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.some((pattern) => pattern.test(path))) return;
    // The console page itself is public; its data comes from API calls that carry the token.
    if (path === '/' && (request.headers.accept ?? '').includes('text/html')) return;
    if (carriesToken(request, token)) return;
    const header = request.headers.authorization ?? '';
    await sendError(reply.header('www-authenticate', 'Bearer realm="oshinko"'), {
      code: 'unauthorized',
      title: 'unauthorized',
      details:
        header === ''
          ? 'this server requires a bearer token: send "Authorization: Bearer <token>" (CLI: --token, --token-file, OSHINKO_TOKEN or OSHINKO_TOKEN_FILE)'
          : 'the bearer token is not valid for this server',
    });
  });
}
