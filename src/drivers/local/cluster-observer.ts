/**
 * What the local driver reports of a cluster: its processes as pods, and the workers' registration as the
 * master's `/json/` gives it. Pure: the state, the supervisors' snapshots and the master's answer come in.
 */
import type { ClusterEvent, ClusterObservation, PodState } from '../../core/cluster.js';
import { aliveWorkerPorts, LOCAL_HOST, masterUrl, type MasterJson } from './spark-daemons.js';
import type { DaemonSnapshot } from './supervisor.js';
import type { ClusterState } from './records.js';

/** Whether the master process runs: only then is its `/json/` worth asking. */
export function masterRunning(state: ClusterState, snapshots: ReadonlyMap<string, DaemonSnapshot>): boolean {
  const master = state.daemons.find((d) => d.type === 'master');
  return snapshots.get(master?.name ?? '')?.status === 'Running';
}

function podStatus(status: DaemonSnapshot['status']): string {
  return status === 'Starting' ? 'Pending' : status;
}

/**
 * The observation of a cluster. `snapshots` has the supervised daemons (none when the cluster is Lost);
 * `masterJson` is the master's `/json/`, undefined when it was not asked or did not answer.
 */
export function observeCluster(
  state: ClusterState,
  snapshots: ReadonlyMap<string, DaemonSnapshot>,
  masterJson: MasterJson | undefined,
  events: readonly ClusterEvent[],
): ClusterObservation {
  const running = masterRunning(state, snapshots);
  const masterAlive = masterJson?.status === 'ALIVE';
  const aliveWorkers = aliveWorkerPorts(masterJson);
  // As on Kubernetes: a worker process that runs is up; it counts once the master lists it ALIVE (deriveStatus).
  const registrationProblem = !running
    ? 'the master is not running'
    : masterJson === undefined
      ? "the master's /json/ did not answer"
      : masterAlive
        ? undefined
        : `the master is ${masterJson.status ?? 'not ALIVE'}`;
  const pods: PodState[] = state.daemons.map((daemon) => {
    const snapshot = snapshots.get(daemon.name);
    const status =
      snapshot === undefined ? (state.lost === undefined ? 'Stopped' : 'Lost') : podStatus(snapshot.status);
    const up = snapshot?.status === 'Running';
    const master = daemon.type === 'master';
    const ready = up && (!master || masterAlive);
    return {
      name: daemon.name,
      type: daemon.type,
      ip: LOCAL_HOST,
      status,
      ready,
      ...(master ? {} : { registered: masterAlive && aliveWorkers.has(daemon.port) }),
      image: state.image.ref,
      restarts: snapshot?.restarts ?? daemon.restarts,
      reason: snapshot?.reason ?? (up && !ready ? 'starting' : undefined),
      pid: snapshot?.pid,
    };
  });
  return {
    name: state.name,
    config: state.config,
    imageSource: state.imageSource,
    storedConfig: state.storedConfig,
    createdAt: state.createdAt,
    masterUrl: masterUrl(state),
    masterWebUrl: `http://${LOCAL_HOST}:${state.masterWebPort}`,
    masterWebRoute: undefined,
    pods,
    missing: [],
    ...(registrationProblem === undefined ? {} : { registrationProblem }),
    lost: state.lost,
    events: [...events],
  };
}
