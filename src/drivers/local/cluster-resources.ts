/**
 * `config.masterResources` and `config.workerResources` on one machine. A local daemon is a process, not a container:
 * nothing limits it, so the fields say what Spark is told. Each worker offers its master `workerOffer()` cores and
 * memory (the rule of the Kubernetes driver, so one config means the same cluster on both), and the master's heap is
 * `masterHeapMiB()`. Pure: the machine's figures come in.
 */
import type { ClusterConfig } from '../../core/cluster.js';
import { UnprocessableError } from '../../core/errors.js';
import { masterHeapMiB, quantityValue, workerOffer } from '../../core/resources.js';
import type { ClusterResources, DaemonResources } from './records.js';

type ResourceFields = Pick<ClusterConfig, 'masterResources' | 'workerResources'>;

/** The sizes a cluster's daemons get: what its config sets, the server's `defaults` for what it leaves unset. */
export function clusterResources(config: ResourceFields, defaults: DaemonResources): ClusterResources {
  const offer = workerOffer(config.workerResources);
  const heap = masterHeapMiB(config.masterResources);
  const masterMemory = heap === undefined ? defaults.masterMemory : `${String(heap)}m`;
  return {
    workerCores: offer.cores ?? defaults.workerCores,
    workerMemory: offer.memoryMiB === undefined ? defaults.workerMemory : `${String(offer.memoryMiB)}m`,
    ...(masterMemory === undefined ? {} : { masterMemory }),
  };
}

/** What this machine has, as far as the local driver checks a cluster against it. */
export interface Machine {
  readonly memoryBytes: number;
  readonly cores: number;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/**
 * Refuses a master or a worker given more memory than the machine has in all: its heap (master) or its offer
 * (worker) could never be had, and Spark would hand it out all the same. Less than the machine, even added up over
 * the workers, is allowed: executors take memory only when applications ask, as cores, which Spark over-commits too.
 */
export function checkFitsMachine(config: ResourceFields, machine: Machine): void {
  for (const field of ['masterResources', 'workerResources'] as const) {
    const memory = config[field]?.memory;
    const bytes = memory === undefined ? undefined : quantityValue(memory);
    if (memory === undefined || bytes === undefined || bytes <= machine.memoryBytes) continue;
    throw new UnprocessableError(
      `config.${field}.memory ${JSON.stringify(memory)}: more than this machine has (${gib(machine.memoryBytes)}); a local ${field === 'masterResources' ? 'master' : 'worker'} runs on this machine's memory, give at most that`,
      { field: `config.${field}.memory` },
    );
  }
}

/** What a new cluster's events say of the fields that are taken but not enforced here, so none passes unnoticed. */
export function resourceNotes(
  config: ResourceFields,
  resources: ClusterResources,
  machine: Machine,
): string[] {
  const notes: string[] = [];
  const masterCpu = config.masterResources?.cpu;
  if (masterCpu !== undefined) {
    notes.push(
      `config.masterResources.cpu ${JSON.stringify(masterCpu)} is not enforced by the local driver: a local master is a process that shares the machine's ${String(machine.cores)} cores`,
    );
  }
  if (config.workerResources?.cpu !== undefined && resources.workerCores > machine.cores) {
    notes.push(
      `each worker offers ${String(resources.workerCores)} cores, more than this machine's ${String(machine.cores)}: Spark over-commits them, its tasks share the machine's cores`,
    );
  }
  return notes;
}
