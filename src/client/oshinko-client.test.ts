import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  InvalidInputError,
  LimitExceededError,
  TimeoutError,
  UnprocessableError,
} from '../core/errors.js';
import { apiError, OshinkoClient } from './oshinko-client.js';

const envelope = (status: number, code?: string) => ({
  errors: [
    { status, title: 'cannot create cluster', details: 'refused', ...(code === undefined ? {} : { code }) },
  ],
});

describe('apiError', () => {
  it('rebuilds the error from the code of the body, which tells a limit from other 422s', () => {
    expect(apiError(422, envelope(422, 'limit'))).toBeInstanceOf(LimitExceededError);
    expect(apiError(422, envelope(422, 'unprocessable'))).toBeInstanceOf(UnprocessableError);
    expect(apiError(400, envelope(400, 'invalid'))).toBeInstanceOf(InvalidInputError);
  });

  it('falls back on the status when the body has no code it knows (an upstream server, a proxy)', () => {
    expect(apiError(422, envelope(422))).toBeInstanceOf(UnprocessableError);
    expect(apiError(422, envelope(422, 'something-new'))).toBeInstanceOf(UnprocessableError);
    expect(apiError(504, undefined)).toBeInstanceOf(TimeoutError);
    expect(apiError(502, undefined)).toBeInstanceOf(BackendUnavailableError);
    expect(apiError(422, envelope(422, 'limit')).api).toEqual({
      status: 422,
      title: 'cannot create cluster',
      field: undefined,
    });
  });
});

describe('OshinkoClient', () => {
  /** A server that never answers: the fetch settles only when its signal aborts it, as fetch does. */
  const silentFetch: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => {
        reject(init.signal?.reason as Error);
      });
    });

  it('reports its own timeout as a timeout, not as a server it cannot reach', async () => {
    const client = new OshinkoClient('http://127.0.0.1:1', { fetch: silentFetch, timeoutMs: 50 });
    const error = await client.listClusters().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('did not answer within 50 ms');
  });

  it('reports a connection failure as the server being unreachable', async () => {
    const refusing: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }));
    const client = new OshinkoClient('http://127.0.0.1:1', { fetch: refusing });
    const error = await client.listClusters().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});
