import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../client/oshinko-client.js';
import { NotFoundError } from '../../core/errors.js';
import { choosePod } from './logs.js';

function pods(...specs: [string, 'master' | 'worker'][]): ClusterModel {
  return {
    name: 'spark1',
    masters: { desired: 1, ready: 1 },
    pods: specs.map(([name, type]) => ({
      name,
      type,
      ip: '',
      status: 'Running',
      ready: true,
      image: 'x',
      restarts: 0,
    })),
  } as unknown as ClusterModel;
}

describe('logs: which pod', () => {
  const cluster = pods(['spark1-w-b', 'worker'], ['spark1-m-a', 'master'], ['spark1-w-a', 'worker']);

  it('is the master by default and the Nth worker in name order', () => {
    expect(choosePod(cluster, undefined)).toBe('spark1-m-a');
    expect(choosePod(cluster, 1)).toBe('spark1-w-a');
    expect(choosePod(cluster, 2)).toBe('spark1-w-b');
  });

  it('says how many workers there are when N is too large', () => {
    expect(() => choosePod(cluster, 3)).toThrow(NotFoundError);
    expect(() => choosePod(cluster, 3)).toThrow(
      'invalid --worker 3: cluster "spark1" has 2 worker pods (1 to 2)',
    );
    expect(() => choosePod(pods(['spark1-w-a', 'worker']), undefined)).toThrow(/has no master pod/);
  });

  it('takes a pod by name, and lists the pods for one the cluster does not have', () => {
    expect(choosePod(cluster, undefined, 'spark1-w-b')).toBe('spark1-w-b');
    expect(() => choosePod(cluster, undefined, 'spark1-w-c')).toThrow(
      'cluster "spark1" has no pod "spark1-w-c"; its pods: spark1-m-a, spark1-w-a, spark1-w-b',
    );
    expect(() => choosePod(pods(), undefined, 'x')).toThrow(
      'cluster "spark1" has no pod "x"; it has no pods',
    );
  });
});
