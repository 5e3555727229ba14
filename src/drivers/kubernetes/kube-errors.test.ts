import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { kubeError, optional } from './kube-errors.js';

const status = (code: number, message: string) =>
  new ApiException(code, 'failed', JSON.stringify({ kind: 'Status', message }), {});

describe('Kubernetes API errors as domain errors', () => {
  it.each([
    [
      403,
      'forbidden',
      "cannot list pods: Kubernetes answered 403: no (the server's service account lacks a permission)",
    ],
    [404, 'not-found', 'cannot list pods: Kubernetes answered 404: no'],
    [409, 'conflict', 'cannot list pods: Kubernetes answered 409: no'],
    [400, 'unprocessable', 'cannot list pods: Kubernetes answered 400: no'],
    [422, 'unprocessable', 'cannot list pods: Kubernetes answered 422: no'],
    [500, 'unavailable', 'cannot list pods: Kubernetes answered 500: no'],
  ])('maps %i to %s, keeping what Kubernetes answered as the cause', (code, domain, message) => {
    const answer = status(code, 'no');
    const error = kubeError('cannot list pods', answer);
    expect([error.code, error.message]).toEqual([domain, message]);
    expect(error.cause).toBe(answer);
  });

  it('says a request given up is a timeout, and an unreachable API why it is unreachable', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(kubeError('cannot list pods', timeout).code).toBe('timeout');
    expect(kubeError('cannot list pods', timeout).cause).toBe(timeout);
    const refused = new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6443') });
    const error = kubeError('cannot list pods', refused);
    expect([error.code, error.message]).toEqual([
      'unavailable',
      'cannot list pods: cannot reach the Kubernetes API: connect ECONNREFUSED 127.0.0.1:6443',
    ]);
    expect(error.cause).toBe(refused);
  });

  it('passes domain errors through, and makes a 404 undefined where absence is an answer', async () => {
    const domain = new ConflictError('taken');
    expect(kubeError('cannot create', domain)).toBe(domain);
    expect(await optional('cannot read', () => Promise.reject<string>(status(404, 'gone')))).toBeUndefined();
    await expect(optional('cannot read', () => Promise.reject(status(403, 'no')))).rejects.toThrow(
      "cannot read: Kubernetes answered 403: no (the server's service account lacks a permission)",
    );
    // Only Kubernetes' 404 is absence: a domain error is passed on as it is.
    const missing = new NotFoundError('no such thing');
    await expect(optional('cannot read', () => Promise.reject(missing))).rejects.toBe(missing);
  });
});
