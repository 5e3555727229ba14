import { describe, expect, it } from 'vitest';
import { masterHeapMiB, parseResources, quantityValue, workerOffer } from './resources.js';

describe('quantityValue', () => {
  it('reads Kubernetes quantities in base units', () => {
    expect(quantityValue('2')).toBe(2);
    expect(quantityValue('500m')).toBe(0.5);
    expect(quantityValue('1.5')).toBe(1.5);
    expect(quantityValue('1Gi')).toBe(2 ** 30);
    expect(quantityValue('1536Mi')).toBe(1536 * 2 ** 20);
    expect(quantityValue('2G')).toBe(2e9);
    expect(quantityValue('1e3')).toBe(1000);
    for (const bad of ['', 'two', '1GB', '-1', '1 Gi', '0x10', 'Gi'])
      expect(quantityValue(bad)).toBeUndefined();
  });
});

describe('workerOffer', () => {
  it('offers whole cores (at least one) and the memory left after the daemon and 10%', () => {
    expect(workerOffer({ cpu: '1', memory: '1Gi' })).toEqual({ cores: 1, memoryMiB: 409 });
    expect(workerOffer({ cpu: '2500m', memory: '4Gi' })).toEqual({ cores: 2, memoryMiB: 3174 });
    expect(workerOffer({ cpu: '250m' })).toEqual({ cores: 1 });
    expect(workerOffer(undefined)).toEqual({});
  });

  it('gives the master three quarters of its limit as heap', () => {
    expect(masterHeapMiB({ memory: '1Gi' })).toBe(768);
    expect(masterHeapMiB({ cpu: '1' })).toBeUndefined();
  });
});

describe('parseResources', () => {
  const field = 'config.workerResources';
  it('accepts cpu and memory quantities, numbers too', () => {
    expect(parseResources({ cpu: 1, memory: '1Gi' }, field, 'worker')).toEqual({ cpu: '1', memory: '1Gi' });
    expect(parseResources({}, field, 'worker')).toEqual({});
  });

  it('names the field and the value in every refusal', () => {
    const refuse = (value: unknown, role: 'master' | 'worker' = 'worker') => {
      try {
        parseResources(value, role === 'worker' ? field : 'config.masterResources', role);
      } catch (error) {
        return { message: (error as Error).message, field: (error as { field?: string }).field };
      }
      throw new Error('accepted');
    };
    expect(refuse('2')).toEqual({
      message: 'invalid config.workerResources: expected an object such as {"cpu": "1", "memory": "2Gi"}',
      field,
    });
    expect(refuse({ gpu: '1' })).toEqual({
      message: 'invalid config.workerResources.gpu: only cpu and memory can be set',
      field: 'config.workerResources.gpu',
    });
    expect(refuse({ cpu: 'lots' })).toEqual({
      message:
        'invalid config.workerResources.cpu "lots": expected a Kubernetes quantity above zero, e.g. "2" or "500m"',
      field: 'config.workerResources.cpu',
    });
    expect(refuse({ memory: '0' }).field).toBe('config.workerResources.memory');
    expect(refuse({ cpu: '1n' }).message).toBe(
      'invalid config.workerResources.cpu "1n": the smallest CPU is 1m',
    );
    expect(refuse({ memory: '800Mi' }).message).toBe(
      'invalid config.workerResources.memory "800Mi": a worker keeps 512 MiB and 10% for itself and must offer executors at least 256 MiB; give at least 854Mi',
    );
    expect(parseResources({ memory: '854Mi' }, field, 'worker')).toEqual({ memory: '854Mi' });
    expect(refuse({ memory: '128Mi' }, 'master')).toEqual({
      message:
        'invalid config.masterResources.memory "128Mi": the master needs at least 171Mi (a 128 MiB heap)',
      field: 'config.masterResources.memory',
    });
  });
});
