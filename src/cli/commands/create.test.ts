import { describe, expect, it } from 'vitest';
import { newClusterRequest } from './create.js';

const DEFAULTS = { timeout: '5m', interval: '1s' };

describe('create: flags to request', () => {
  it('sends only what was given, under the upstream field names', () => {
    expect(newClusterRequest('spark1', DEFAULTS)).toEqual({ name: 'spark1' });
    expect(
      newClusterRequest('spark1', {
        ...DEFAULTS,
        workers: '3',
        masters: '0',
        image: 'quay.io/me/spark:3.5',
        storedconfig: 'small',
        masterconfig: 'master-conf',
        workerconfig: 'worker-conf',
        exposeui: 'false',
        metrics: 'prometheus',
      }),
    ).toEqual({
      name: 'spark1',
      config: {
        name: 'small',
        masterCount: 0,
        workerCount: 3,
        sparkImage: 'quay.io/me/spark:3.5',
        sparkMasterConfig: 'master-conf',
        sparkWorkerConfig: 'worker-conf',
        exposeWebUI: 'false',
        metrics: 'prometheus',
      },
    });
  });

  it('keeps zero workers as zero', () => {
    expect(newClusterRequest('spark1', { ...DEFAULTS, workers: '0' }).config?.workerCount).toBe(0);
  });
});
