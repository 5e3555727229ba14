import { describe, expect, it } from 'vitest';
import { readinessOf } from './api-readiness.js';

/** The body a v1.34 API server sends when etcd is gone (`kubectl get --raw /readyz`), cut short. */
const ETCD_DOWN = [
  '[+]ping ok',
  '[+]log ok',
  '[-]etcd failed: reason withheld',
  '[-]etcd-readiness failed: reason withheld',
  '[+]informer-sync ok',
  '[+]shutdown ok',
  'readyz check failed',
].join('\n');

describe('readinessOf', () => {
  it('is ready on 200', () => {
    expect(readinessOf({ status: 200, body: 'ok' })).toEqual({ state: 'ready' });
  });

  it('names the failing checks, and knows storage from the rest', () => {
    expect(readinessOf({ status: 500, body: ETCD_DOWN })).toEqual({
      state: 'not-ready',
      failed: ['etcd', 'etcd-readiness'],
      storage: true,
      problem:
        'the Kubernetes API server cannot reach its storage (GET /readyz: etcd, etcd-readiness failed)',
    });
    expect(
      readinessOf({ status: 500, body: '[+]etcd ok\n[-]informer-sync failed: reason withheld\n' }),
    ).toEqual({
      state: 'not-ready',
      failed: ['informer-sync'],
      storage: false,
      problem: 'the Kubernetes API server is not ready (GET /readyz answered 500: informer-sync failed)',
    });
    expect(readinessOf({ status: 503, body: 'shutting down\n' })).toMatchObject({
      state: 'not-ready',
      storage: false,
      problem: 'the Kubernetes API server is not ready (GET /readyz answered 503: shutting down)',
    });
  });

  it('takes a refused or missing endpoint as no signal, not as a failure', () => {
    for (const status of [401, 403, 404]) {
      expect(readinessOf({ status, body: '' })).toEqual({
        state: 'unknown',
        why: `GET /readyz answered ${String(status)}`,
      });
    }
  });
});
