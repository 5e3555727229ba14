/**
 * A cluster this server looks after: its state (persisted by `cluster-state.ts`), a supervisor per daemon and its
 * recent events; and how one recorded by an earlier server is taken back, or found Lost.
 */
import type { ClusterEvent } from '../../core/cluster.js';
import { StateFile } from './cluster-state.js';
import type { DaemonSnapshot, Supervisor } from './supervisor.js';
import type { ClusterImage, ClusterState, DaemonLaunch, DaemonRecord } from './records.js';

const MAX_EVENTS = 50;

export const LOST_MESSAGE =
  'no process of the cluster was running when the server started (the machine restarted or they were killed); delete the cluster and create it again';

export class LiveCluster {
  readonly supervisors = new Map<string, Supervisor>();
  readonly events: ClusterEvent[] = [];
  /** How its daemons start: a kept launch of its image, or spark-class when there is none (launch-cache.ts). */
  launch: DaemonLaunch | undefined;
  private readonly file: StateFile;

  constructor(
    readonly state: ClusterState,
    stateFile: string,
  ) {
    this.file = new StateFile(stateFile);
  }

  get name(): string {
    return this.state.name;
  }

  /** Writes the state as it is now; writes land in the order they were asked for. */
  persist(): Promise<void> {
    return this.file.write(this.state);
  }

  /** Settles when the writes under way are done. */
  settled(): Promise<void> {
    return this.file.settled();
  }

  event(type: ClusterEvent['type'], reason: string, message: string, object?: string): void {
    this.events.push({ time: new Date().toISOString(), type, reason, message, object });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  /** What each supervised daemon is doing now, by name. */
  snapshots(): Map<string, DaemonSnapshot> {
    return new Map([...this.supervisors].map(([name, supervisor]) => [name, supervisor.snapshot()]));
  }
}

/** The image of each cluster, as the driver's table has it (the image store's "used by"). */
export function imagesInUse(clusters: Iterable<LiveCluster>): ClusterImage[] {
  return [...clusters].map((cluster) => ({ cluster: cluster.name, image: cluster.state.image.ref }));
}

/**
 * Takes back a cluster an earlier server left running: each recorded pid that is still its daemon is watched
 * again, and daemons that died meanwhile are restarted. When none survived (a reboot), the cluster is Lost: it is
 * reported, never restarted. `supervise` makes (and registers) the supervisor of a daemon.
 */
export async function adoptCluster(
  cluster: LiveCluster,
  supervise: (daemon: DaemonRecord) => Supervisor,
): Promise<void> {
  const { state } = cluster;
  if (state.lost !== undefined) return;
  const dead: Supervisor[] = [];
  let adopted = 0;
  for (const daemon of state.daemons) {
    const supervisor = supervise(daemon);
    if (daemon.pid !== undefined && (await supervisor.adopt(daemon.pid, daemon.startedAt))) adopted += 1;
    else dead.push(supervisor);
  }
  if (adopted === 0 && state.daemons.length > 0) {
    for (const supervisor of cluster.supervisors.values()) supervisor.detach();
    cluster.supervisors.clear();
    state.lost = LOST_MESSAGE;
    for (const daemon of state.daemons) daemon.pid = undefined;
    cluster.event('Warning', 'Lost', state.lost);
    await cluster.persist();
    return;
  }
  cluster.event('Normal', 'Adopted', `re-adopted ${adopted} running process(es) after a server restart`);
  for (const supervisor of dead) supervisor.restartAfterDowntime();
  await cluster.persist();
}
