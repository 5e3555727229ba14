/**
 * Pure planning of a local cluster's processes: the state a new cluster is recorded with, the records of new
 * daemons (names and ports), and which daemons a scale stops and starts. The ports come in; the driver finds them.
 */
import type { ClusterSpec } from '../../core/cluster.js';
import type { ReplicaCounts } from '../../core/driver.js';
import { STATE_VERSION } from './cluster-state.js';
import type { ClusterResources, ClusterState, DaemonRecord, ImageRecord } from './records.js';

/** The record of a cluster's master, `<cluster>-m-1`, on the cluster's fixed ports. */
export function masterRecord(cluster: string, port: number, webPort: number): DaemonRecord {
  return {
    name: `${cluster}-m-1`,
    type: 'master',
    port,
    webPort,
    pid: undefined,
    restarts: 0,
    startedAt: undefined,
  };
}

/** The state a new cluster is recorded with before any process starts: its master, if any, and no worker yet. */
export function newClusterState(
  spec: ClusterSpec,
  image: Pick<ImageRecord, 'ref' | 'kind' | 'sparkHome' | 'distribution'>,
  placed: {
    readonly uid: string;
    readonly createdAt: string;
    readonly masterPort: number;
    readonly masterWebPort: number;
    readonly resources: ClusterResources;
  },
): ClusterState {
  return {
    version: STATE_VERSION,
    uid: placed.uid,
    name: spec.name,
    config: spec.config,
    imageSource: spec.imageSource,
    storedConfig: spec.storedConfig,
    createdAt: placed.createdAt,
    image: {
      ref: image.ref,
      kind: image.kind,
      sparkHome: image.sparkHome,
      distribution: image.distribution,
    },
    masterPort: placed.masterPort,
    masterWebPort: placed.masterWebPort,
    resources: placed.resources,
    daemons:
      spec.config.masterCount > 0 ? [masterRecord(spec.name, placed.masterPort, placed.masterWebPort)] : [],
    lost: undefined,
  };
}

/**
 * `count` new workers `<cluster>-w-<n>`, each on two of `ports` (its own and its web UI's), named with the lowest
 * numbers that none of `existing` has.
 */
export function workerRecords(
  cluster: string,
  existing: readonly DaemonRecord[],
  count: number,
  ports: readonly number[],
): DaemonRecord[] {
  const taken = new Set(existing.map((d) => d.name));
  const out: DaemonRecord[] = [];
  for (let index = 1; out.length < count; index++) {
    const name = `${cluster}-w-${index}`;
    if (taken.has(name)) continue;
    const i = out.length * 2;
    out.push({
      name,
      type: 'worker',
      port: ports[i] ?? 0,
      webPort: ports[i + 1] ?? 0,
      pid: undefined,
      restarts: 0,
      startedAt: undefined,
    });
  }
  return out;
}

export interface ScalePlan {
  /** The daemons that stay. */
  readonly kept: DaemonRecord[];
  readonly stopping: DaemonRecord[];
  /** The master to start, when the cluster had none and is given one. */
  readonly master: DaemonRecord | undefined;
  /** How many workers to add (`workerRecords` names them after `kept`). */
  readonly newWorkers: number;
}

function workerIndex(name: string): number {
  return Number(/-w-(\d+)$/.exec(name)?.[1] ?? 0);
}

/** What a scale to `counts` does: the workers with the highest numbers are the ones that stop. */
export function planScale(state: ClusterState, counts: ReplicaCounts): ScalePlan {
  const stopping: DaemonRecord[] = [];
  const masters = state.daemons.filter((d) => d.type === 'master');
  if (counts.masterCount === 0) stopping.push(...masters);
  const master =
    counts.masterCount !== 0 && masters.length === 0
      ? masterRecord(state.name, state.masterPort, state.masterWebPort)
      : undefined;
  const workers = state.daemons
    .filter((d) => d.type === 'worker')
    .sort((a, b) => workerIndex(a.name) - workerIndex(b.name));
  if (workers.length > counts.workerCount) stopping.push(...workers.slice(counts.workerCount));
  return {
    kept: state.daemons.filter((d) => !stopping.includes(d)),
    stopping,
    master,
    newWorkers: Math.max(0, counts.workerCount - workers.length),
  };
}
