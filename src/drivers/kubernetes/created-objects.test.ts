import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Expectation } from './cluster-cache.js';
import { CreatedObjects, type WrittenObject } from './created-objects.js';

/** A ledger whose removals are recorded, and fail as `answers` says (by `<Kind> <name>`). */
function ledger(answers: Record<string, number> = {}) {
  const removed: string[] = [];
  const told: { expectations: readonly Expectation[]; block: boolean }[] = [];
  const created = new CreatedObjects(
    (object: WrittenObject) => {
      const key = `${object.kind} ${object.name}`;
      removed.push(key);
      const status = answers[key];
      return status === undefined
        ? Promise.resolve({})
        : Promise.reject(new ApiException(status, 'failed', '{}', {}));
    },
    {
      seen: (expectations, block) => {
        told.push({ expectations, block });
        return Promise.resolve();
      },
    },
  );
  return { created, removed, told };
}

const answer = (resourceVersion: string) => ({ metadata: { resourceVersion } });

describe('the ledger of what a create made', () => {
  it('rolls back newest first, and tells the cache without waiting for it', async () => {
    const { created, removed, told } = ledger();
    created.record('Deployment', 'a-m', answer('1'));
    created.record('Deployment', 'a-w', answer('2'));
    created.record('Service', 'a', answer('3'));
    created.record('Route', 'a-ui-route', answer('4'));
    expect(await created.rollBack()).toEqual([]);
    expect(removed).toEqual(['Route a-ui-route', 'Service a', 'Deployment a-w', 'Deployment a-m']);
    expect(told).toEqual([
      {
        expectations: [
          { kind: 'deployments', gone: 'a-m' },
          { kind: 'deployments', gone: 'a-w' },
          { kind: 'services', gone: 'a' },
          { kind: 'routes', gone: 'a-ui-route' },
        ],
        block: false,
      },
    ]);
  });

  it('counts an object already gone as removed, and names each one it could not remove', async () => {
    const { created, removed } = ledger({ 'Deployment a-w': 404, 'Service a': 503, 'Deployment a-m': 500 });
    created.record('Deployment', 'a-m', answer('1'));
    created.record('Deployment', 'a-w', answer('2'));
    created.record('Service', 'a', answer('3'));
    expect(await created.rollBack()).toEqual(['Service a', 'Deployment a-m']);
    // A failure does not stop the roll-back: everything is tried.
    expect(removed).toEqual(['Service a', 'Deployment a-w', 'Deployment a-m']);
  });

  it('rolls back an object whose create has no answer (it may exist), but expects no version of it', async () => {
    const { created, removed } = ledger();
    created.record('Deployment', 'a-m');
    expect(created.written).toEqual([]);
    expect(await created.rollBack()).toEqual([]);
    expect(removed).toEqual(['Deployment a-m']);
  });

  it('expects the version of each object the API answered with, in the order they were made', () => {
    const { created } = ledger();
    created.record('Deployment', 'a-m', answer('7'));
    created.record('Ingress', 'a-ui', answer('9'));
    created.record('Service', 'a', {});
    expect(created.written).toEqual([
      { kind: 'deployments', resourceVersion: '7' },
      { kind: 'ingresses', resourceVersion: '9' },
    ]);
  });

  it('leaves alone an object it forgot (one that another delete is removing)', async () => {
    const { created, removed, told } = ledger();
    created.record('Deployment', 'a-m', answer('1'));
    created.record('Service', 'a', answer('2'));
    created.forget('Deployment', 'a-m');
    expect(await created.rollBack()).toEqual([]);
    expect(removed).toEqual(['Service a']);
    expect(told[0]?.expectations).toEqual([{ kind: 'services', gone: 'a' }]);
  });
});
