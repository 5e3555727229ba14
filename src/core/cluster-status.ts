import type {
  ClusterObservation,
  ClusterPhase,
  ClusterView,
  ImageVersions,
  PodState,
  ReplicaCount,
} from './cluster.js';

/** Waiting reasons that will not resolve by themselves: the cluster is Degraded, not still Creating. */
const FAILING_POD_STATUSES = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'Failed',
  'Crashed',
  'BackOff',
  // The pod's node stopped reporting: nothing on the cluster's side will change that.
  'NodeNotReady',
]);

export function isFailingPod(pod: PodState): boolean {
  return FAILING_POD_STATUSES.has(pod.status) || (pod.failedToServe === true && !pod.ready);
}

function count(pods: readonly PodState[], type: PodState['type'], desired: number): ReplicaCount {
  return { desired, ready: pods.filter((pod) => pod.type === type && pod.ready).length };
}

export const NOT_REGISTERED = 'not registered with the master';

/**
 * A worker is part of the cluster only when the Spark master lists it as ALIVE: a pod whose web UI answers may
 * still have failed to reach the master. So a worker that is up but not `registered` is not ready, and says why.
 */
export function settlePod(pod: PodState): PodState {
  if (pod.type !== 'worker' || !pod.ready || pod.registered === true) return pod;
  return { ...pod, ready: false, reason: NOT_REGISTERED };
}

/**
 * Derives what the API reports from what a driver observed. Pure, shared by every driver, so the same facts
 * always give the same status.
 */
export function deriveStatus(observation: ClusterObservation, defaultImage: string): ClusterView {
  const { config } = observation;
  const pods = observation.pods.map(settlePod);
  const masters = count(pods, 'master', config.masterCount);
  const workers = count(pods, 'worker', config.workerCount);
  const [status, reason] = phase(observation, masters, workers);
  const versions: ImageVersions =
    observation.imageCheck?.result === 'passed' ? observation.imageCheck.versions : {};
  return {
    ...observation,
    pods,
    status,
    reason,
    image: config.sparkImage,
    customImage: config.sparkImage !== defaultImage,
    ...(versions.spark === undefined ? {} : { sparkVersion: versions.spark }),
    ...(versions.scala === undefined ? {} : { scalaVersion: versions.scala }),
    ...(versions.java === undefined ? {} : { javaVersion: versions.java }),
    ...(versions.python === undefined ? {} : { pythonVersion: versions.python }),
    masters,
    workers,
  };
}

function phase(
  observation: ClusterObservation,
  masters: ReplicaCount,
  workers: ReplicaCount,
): [ClusterPhase, string | undefined] {
  if (observation.lost !== undefined) return ['Lost', observation.lost];
  // Objects go one by one while a cluster is deleted: what is missing then is no fault.
  if (observation.deleting !== undefined) return ['Deleting', observation.deleting];
  if (observation.missing.length > 0) return ['Incomplete', `missing ${observation.missing.join(', ')}`];
  // The image cannot run a Spark daemon: nothing else will come up, and this says why before any pod restarts.
  if (observation.imageCheck?.result === 'failed') {
    return ['Degraded', `image ${observation.config.sparkImage} ${observation.imageCheck.problem}`];
  }
  const failing = observation.pods.filter(isFailingPod);
  if (failing.length > 0) {
    const first = failing[0];
    const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
    return [
      'Degraded',
      `${first?.name ?? ''}: ${first?.status ?? ''}${first?.reason ? ` - ${first.reason}` : ''}${more}`,
    ];
  }
  if (masters.desired === 0 && workers.desired === 0)
    return ['Stopped', 'no master and no workers requested'];
  const workerPods = observation.pods.filter((pod) => pod.type === 'worker').length;
  const masterPods = observation.pods.filter((pod) => pod.type === 'master').length;
  if (workerPods > workers.desired || masterPods > masters.desired) {
    return [
      'Scaling',
      `${workers.ready}/${workers.desired} workers ready, ${workerPods - workers.desired} stopping`,
    ];
  }
  // A pod no node can take (a nodeSelector no node matches, not enough CPU): say so, in the scheduler's words. It
  // may still be placed when a node is added, so the cluster is still Creating.
  const unschedulable = observation.pods.find((pod) => pod.status === 'Unschedulable');
  if (unschedulable !== undefined && (masters.ready < masters.desired || workers.ready < workers.desired)) {
    return [
      'Creating',
      `${unschedulable.name}: Unschedulable${unschedulable.reason === undefined ? '' : ` - ${unschedulable.reason}`}`,
    ];
  }
  const restarted = observation.masterRestarted;
  if (masters.ready < masters.desired) {
    return restarted === undefined
      ? ['Creating', 'waiting for the master']
      : ['Recovering', `${restarted}: waiting for the new master; running applications were lost`];
  }
  if (workers.ready < workers.desired) {
    if (restarted !== undefined) {
      return [
        'Recovering',
        `${restarted}: ${workers.ready}/${workers.desired} workers registered with the new master`,
      ];
    }
    const counted = `${workers.ready}/${workers.desired} workers ready`;
    // Observed pods: `ready` there is the daemon being up, before registration is asked.
    const up = observation.pods.filter((pod) => pod.type === 'worker' && pod.ready).length;
    if (up <= workers.ready) return ['Creating', counted];
    const problem = observation.registrationProblem;
    return [
      'Creating',
      `${counted}: ${up} running, ${workers.ready} registered with the master${problem === undefined ? '' : ` (${problem})`}`,
    ];
  }
  return ['Running', undefined];
}
