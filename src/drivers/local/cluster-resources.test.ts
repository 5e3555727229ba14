import { describe, expect, it } from 'vitest';
import { checkFitsMachine, clusterResources, resourceNotes } from './cluster-resources.js';
import { DEFAULT_RESOURCES } from './spark-daemons.js';

const machine = { memoryBytes: 8 * 2 ** 30, cores: 2 };

describe('clusterResources', () => {
  it("offers the Kubernetes rule's cores and memory, and sizes the master's heap", () => {
    expect(
      clusterResources(
        { workerResources: { cpu: '1', memory: '1Gi' }, masterResources: { memory: '1Gi' } },
        DEFAULT_RESOURCES,
      ),
    ).toEqual({ workerCores: 1, workerMemory: '409m', masterMemory: '768m' });
  });

  it("keeps the server's default for whatever the config leaves unset", () => {
    expect(clusterResources({}, DEFAULT_RESOURCES)).toEqual({ workerCores: 1, workerMemory: '1g' });
    expect(clusterResources({ workerResources: { cpu: '2.5' } }, DEFAULT_RESOURCES)).toEqual({
      workerCores: 2,
      workerMemory: '1g',
    });
    expect(
      clusterResources({ workerResources: { memory: '2Gi' } }, { ...DEFAULT_RESOURCES, workerCores: 4 }),
    ).toEqual({ workerCores: 4, workerMemory: '1331m' });
    expect(
      clusterResources({ masterResources: { cpu: '2' } }, { ...DEFAULT_RESOURCES, masterMemory: '512m' }),
    ).toEqual({ workerCores: 1, workerMemory: '1g', masterMemory: '512m' });
  });
});

describe('checkFitsMachine', () => {
  it("refuses a worker or master with more memory than the machine, naming the field and the machine's figure", () => {
    expect(() => {
      checkFitsMachine({ workerResources: { memory: '16Gi' } }, machine);
    }).toThrow(/^config\.workerResources\.memory "16Gi": more than this machine has \(8\.0 GiB\)/);
    expect(() => {
      checkFitsMachine({ masterResources: { memory: '9G' } }, machine);
    }).toThrow(expect.objectContaining({ code: 'unprocessable', field: 'config.masterResources.memory' }));
  });

  it('accepts up to the whole machine per daemon, and any cores', () => {
    expect(() => {
      checkFitsMachine(
        { workerResources: { cpu: '64', memory: '8Gi' }, masterResources: { cpu: '8', memory: '1Gi' } },
        machine,
      );
    }).not.toThrow();
  });
});

describe('resourceNotes', () => {
  it("says that the master's CPU is not enforced, and when workers offer more cores than the machine has", () => {
    const config = { masterResources: { cpu: '2' }, workerResources: { cpu: '4' } };
    const notes = resourceNotes(config, clusterResources(config, DEFAULT_RESOURCES), machine);
    expect(notes).toEqual([
      'config.masterResources.cpu "2" is not enforced by the local driver: a local master is a process that shares the machine\'s 2 cores',
      "each worker offers 4 cores, more than this machine's 2: Spark over-commits them, its tasks share the machine's cores",
    ]);
    expect(resourceNotes({}, clusterResources({}, DEFAULT_RESOURCES), machine)).toEqual([]);
  });
});
