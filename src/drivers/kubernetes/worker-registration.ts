/**
 * Pure: which worker pods the Spark master lists as ALIVE. A worker pod being Ready only means its web UI answers;
 * it is part of the cluster once the master has it in its own JSON (`GET <master web UI>/json/`, `workers[]`).
 * The registration poller fetches that JSON; this module turns it into facts and applies them to the pods.
 */
import type { ClusterObservation, PodState } from '../../core/cluster.js';

/** What the master said when it was last asked, or why it could not be asked. */
export type RegistrationFacts =
  | {
      /** The master pod that was asked (`masterKey`): facts about another master do not count. */
      readonly masterKey: string;
      /** Hosts of the workers the master lists as ALIVE (workers advertise their pod IP: `--host $(POD_IP)`). */
      readonly aliveHosts: ReadonlySet<string>;
    }
  | { readonly masterKey: string; readonly problem: string };

/** What the poller needs to know of a cluster: whom to ask, and whether anything changed since it last asked. */
export interface RegistrationTarget {
  /** The ready master pod; undefined when there is none (then nobody is asked). */
  readonly masterKey: string | undefined;
  /** The hosts of the ready worker pods: once the master lists all of them, the cluster is asked less often. */
  readonly readyWorkerHosts: readonly string[];
  /** Changes whenever the master or a worker pod changes in a way that may change the answer. */
  readonly signature: string;
}

/**
 * The master pod as asked: a new pod, a new IP or a restarted container is a new master, which starts with no
 * workers until they register again.
 */
export function masterKey(pod: PodState): string {
  return `${pod.name}/${pod.ip}/${String(pod.restarts)}`;
}

/** Spark may write an IPv6 host in brackets; pod IPs have none. */
export function hostKey(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the master's /json/: the hosts of its ALIVE workers, or why the answer does not tell (a master that is
 * not ALIVE itself, e.g. STANDBY or RECOVERING, has no workers to count; an answer that is not Spark's JSON).
 */
export function registrationFacts(json: unknown, master: string): RegistrationFacts {
  if (!isRecord(json) || !Array.isArray(json.workers)) {
    return { masterKey: master, problem: "the master's /json/ answer has no list of workers" };
  }
  if (json.status !== undefined && json.status !== 'ALIVE') {
    const status = typeof json.status === 'string' ? json.status : JSON.stringify(json.status);
    return { masterKey: master, problem: `the master is ${status}` };
  }
  const aliveHosts = new Set<string>();
  for (const worker of json.workers as unknown[]) {
    if (!isRecord(worker) || worker.state !== 'ALIVE') continue;
    if (typeof worker.host === 'string' && worker.host !== '') aliveHosts.add(hostKey(worker.host));
  }
  return { masterKey: master, aliveHosts };
}

/** The ready master pod's key, or undefined. With several masters (never more than one here), the first ready. */
function readyMaster(pods: readonly PodState[]): PodState | undefined {
  return pods.find((pod) => pod.type === 'master' && pod.ready);
}

/**
 * Marks each worker pod `registered` or not from the facts, and says why they are unknown when they are. Only
 * facts about the current ready master count.
 */
export function applyRegistration(
  pods: readonly PodState[],
  facts: RegistrationFacts | undefined,
): { pods: PodState[]; problem: string | undefined } {
  const master = readyMaster(pods);
  let alive: ReadonlySet<string> | undefined;
  let problem: string | undefined;
  if (master === undefined) {
    problem = pods.some((pod) => pod.type === 'master') ? 'the master is not ready' : 'there is no master';
  } else if (facts?.masterKey !== masterKey(master)) {
    problem = 'the master has not been asked yet';
  } else if ('problem' in facts) {
    problem = facts.problem;
  } else {
    alive = facts.aliveHosts;
  }
  return {
    pods: pods.map((pod) =>
      pod.type === 'worker'
        ? { ...pod, registered: alive !== undefined && pod.ip !== '' && alive.has(hostKey(pod.ip)) }
        : pod,
    ),
    problem,
  };
}

/** What the poller watches of a cluster's observation. */
export function registrationTarget(observation: ClusterObservation): RegistrationTarget {
  const master = readyMaster(observation.pods);
  const key = master === undefined ? undefined : masterKey(master);
  const workers = observation.pods.filter((pod) => pod.type === 'worker');
  return {
    masterKey: key,
    readyWorkerHosts: workers.filter((pod) => pod.ready && pod.ip !== '').map((pod) => hostKey(pod.ip)),
    signature: [
      key ?? '-',
      ...workers.map((pod) => `${pod.name}/${pod.ip}/${pod.ready ? 'ready' : '-'}`).sort(),
    ].join(' '),
  };
}

/** Whether the facts list every ready worker of the target as ALIVE: the cluster is then asked less often. */
export function allRegistered(target: RegistrationTarget, facts: RegistrationFacts): boolean {
  if ('problem' in facts) return false;
  return target.readyWorkerHosts.every((host) => facts.aliveHosts.has(host));
}
