/**
 * A `fetch` for the CLI's own TLS settings. Node's global fetch takes no CA or verification switch per request
 * (its undici is internal), so a server with `--certificate-authority` or `--insecure-skip-tls-verify` is asked
 * through `node:https`, with the answer handed back as a WHATWG Response (streamed, as fetch's is).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface TlsSettings {
  /** PEM CA bundle trusted instead of the system's; undefined: the system's. */
  readonly ca?: string | undefined;
  readonly rejectUnauthorized: boolean;
}

/** OpenSSL's verification failures: the certificate chain is not one this client trusts. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(key, one);
  }
  return headers;
}

function plainHeaders(init: NonNullable<Parameters<typeof fetch>[1]>['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/** A fetch over node:http(s) with these TLS settings; enough of fetch for the typed client. */
export function tlsFetch(settings: TlsSettings): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const signal = init?.signal ?? undefined;
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(url, {
        method: init?.method ?? 'GET',
        headers: plainHeaders(init?.headers),
        ...(url.protocol === 'https:'
          ? {
              rejectUnauthorized: settings.rejectUnauthorized,
              ...(settings.ca === undefined ? {} : { ca: settings.ca }),
            }
          : {}),
      });
      // As fetch: an abort rejects with the signal's reason (a TimeoutError for AbortSignal.timeout).
      const onAbort = () => {
        req.destroy(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted === true ? (signal.reason as Error) : error);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const empty = status === 204 || status === 304 || req.method === 'HEAD';
        // Later aborts (the body being read) end the body with the signal's reason.
        if (empty) {
          signal?.removeEventListener('abort', onAbort);
          res.resume();
        } else {
          res.on('close', () => signal?.removeEventListener('abort', onAbort));
        }
        resolve(
          new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage ?? '',
            headers: headersOf(res),
          }),
        );
      });
      if (typeof init?.body === 'string') req.write(init.body);
      req.end();
    });
}

/** The TLS code of a fetch failure: fetch puts the socket's error as the cause, node:https throws it as is. */
function tlsCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined && UNTRUSTED.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** Says, on a certificate the client does not trust, which flags make it trusted (or skip the check). */
export function withTlsHint(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      // No cause on the new error: the client words a failure by its cause, which would drop the hint.
      const code = tlsCode(error);
      if (code === undefined) throw error;
      const reason = (error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error))
        .message;
      throw new Error(
        `the server's certificate is not trusted (${reason}): give the CA that signed it with --certificate-authority PATH, or skip the check with --insecure-skip-tls-verify`,
      );
    }
  };
}
