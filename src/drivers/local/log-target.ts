/**
 * Which process's log a log request of the API names, in the local driver's terms: a cluster's process stands for a
 * pod, with one log, no containers besides itself and no separate log of a previous run.
 */
import type { LogRequest } from '../../core/driver.js';
import { NotFoundError, UnprocessableError } from '../../core/errors.js';
import type { ClusterState } from './records.js';

/** The container name clients know from Kubernetes; here it is the process itself. */
const SPARK_CONTAINER = 'spark';

/** The process whose log is asked for (the master when none is named); refuses what a process has not. */
export function logProcess(state: ClusterState, request: LogRequest): string {
  const pod = request.pod ?? state.daemons.find((d) => d.type === 'master')?.name;
  if (pod === undefined || !state.daemons.some((d) => d.name === pod)) {
    throw new NotFoundError(`cluster '${state.name}' has no process '${pod ?? 'master'}'`, { field: 'pod' });
  }
  if (request.container !== undefined && request.container !== SPARK_CONTAINER) {
    throw new UnprocessableError(
      `the local driver runs each Spark daemon as a process, without containers: only container '${SPARK_CONTAINER}' has a log, not '${request.container}'`,
      { field: 'container' },
    );
  }
  if (request.previous === true) {
    throw new UnprocessableError(
      "the local driver keeps no separate log of a process's previous run: each process has one log, appended across restarts, each restart marked by a '--- oshinko ...' line; read it without previous",
      { field: 'previous' },
    );
  }
  return pod;
}
