import type { ClusterModel, OshinkoClient } from '../../src/client/oshinko-client.js';
import { pollUntil, type PollOptions } from './poll.js';

/** A wait for a cluster to reach a state, `timeoutMs` defaulting to the pace of the backend it was made for. */
export type WaitForCluster = (
  client: OshinkoClient,
  name: string,
  done: (cluster: ClusterModel) => boolean,
  timeoutMs?: number,
) => Promise<ClusterModel>;

/**
 * The one wait for a cluster: polls it until `done` holds and fails with the last state seen (a read that fails ends
 * the wait). `pace` is the backend's: the fake Kubernetes settles in tens of milliseconds, real Spark in minutes.
 */
export function clusterWaiter(pace: PollOptions): WaitForCluster {
  return (client, name, done, timeoutMs = pace.timeoutMs) =>
    pollUntil(
      () => client.getCluster(name),
      done,
      (last) =>
        `cluster ${name} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      { timeoutMs, intervalMs: pace.intervalMs },
    );
}
