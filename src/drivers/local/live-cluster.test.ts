import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATE_VERSION } from './cluster-state.js';
import { HomeLayout } from './layout.js';
import { adoptCluster, imagesInUse, LiveCluster, LOST_MESSAGE } from './live-cluster.js';
import { pidExists } from './processes.js';
import { Supervisor, type DaemonSpec } from './supervisor.js';
import type { ClusterState, DaemonRecord } from './records.js';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop(500)));
});

function daemon(name: string, pid: number | undefined): DaemonRecord {
  return { name, type: 'worker', port: 1, webPort: 2, pid, restarts: 0, startedAt: undefined };
}

async function liveCluster(daemons: DaemonRecord[], lost?: string): Promise<[LiveCluster, HomeLayout]> {
  const layout = new HomeLayout(await mkdtemp(join(tmpdir(), 'oshinko-live-')));
  await mkdir(layout.clusterDir('c'), { recursive: true });
  const state: ClusterState = {
    version: STATE_VERSION,
    uid: `u${String(process.pid)}${String(Date.now())}`,
    name: 'c',
    config: {
      masterCount: 0,
      workerCount: daemons.length,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'team/x:1',
      exposeWebUI: true,
      metrics: 'false',
    },
    imageSource: 'request',
    storedConfig: undefined,
    createdAt: new Date().toISOString(),
    image: { ref: 'team/x:1', kind: 'imported', sparkHome: '/s', distribution: '/s' },
    masterPort: 1,
    masterWebPort: 2,
    resources: { workerCores: 1, workerMemory: '1g' },
    daemons,
    lost,
  };
  return [new LiveCluster(state, layout.clusterFile('c')), layout];
}

/** Each daemon is played by a Node process whose command line carries its marker. */
function supervisorOf(cluster: LiveCluster, layout: HomeLayout, record: DaemonRecord): Supervisor {
  const marker = `mark-${cluster.state.uid}-${record.name}`;
  const spec: DaemonSpec = {
    name: record.name,
    type: record.type,
    command: process.execPath,
    args: ['-e', 'setInterval(() => {}, 1000)', marker],
    env: process.env,
    cwd: layout.clusterDir('c'),
    logFile: layout.logFile('c', record.name),
    marker,
  };
  const supervisor = new Supervisor(spec, {
    onChange: (snapshot) => {
      record.pid = snapshot.pid;
      record.restarts = snapshot.restarts;
    },
    onEvent: (type, reason, message) => {
      cluster.event(type, reason, message, record.name);
    },
  });
  cluster.supervisors.set(record.name, supervisor);
  supervisors.push(supervisor);
  return supervisor;
}

describe('adoptCluster', () => {
  it('finds a cluster none of whose processes survived Lost, records it and supervises nothing', async () => {
    // A pid that is no daemon of this cluster: ours, whose command line lacks the marker.
    const [cluster, layout] = await liveCluster([daemon('c-w-1', process.pid), daemon('c-w-2', undefined)]);
    await adoptCluster(cluster, (record) => supervisorOf(cluster, layout, record));
    expect(cluster.state.lost).toBe(LOST_MESSAGE);
    expect(cluster.state.daemons.map((d) => d.pid)).toEqual([undefined, undefined]);
    expect(cluster.supervisors.size).toBe(0);
    expect(cluster.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'Lost']]);
    const recorded = JSON.parse(await readFile(layout.clusterFile('c'), 'utf8')) as ClusterState;
    expect(recorded.lost).toBe(LOST_MESSAGE);

    // The next server leaves a Lost cluster as it is.
    const [again] = await liveCluster(recorded.daemons, recorded.lost);
    await adoptCluster(again, () => {
      throw new Error('a Lost cluster is not supervised');
    });
    expect(again.events).toEqual([]);
  });

  it('watches the survivors again and restarts the daemons that died meanwhile', async () => {
    const [cluster, layout] = await liveCluster([daemon('c-w-1', undefined), daemon('c-w-2', undefined)]);
    const marker = `mark-${cluster.state.uid}-c-w-1`;
    const survivor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
      detached: true,
      stdio: 'ignore',
    });
    const pid = survivor.pid ?? 0;
    const [first, second] = cluster.state.daemons;
    if (first === undefined || second === undefined) throw new Error('two daemons expected');
    first.pid = pid;
    second.pid = 999_999_999;
    try {
      await adoptCluster(cluster, (record) => supervisorOf(cluster, layout, record));
      expect(cluster.state.lost).toBeUndefined();
      expect(cluster.supervisors.get('c-w-1')?.snapshot()).toMatchObject({ status: 'Running', pid });
      expect(cluster.supervisors.get('c-w-2')?.snapshot()).toMatchObject({ status: 'Running', restarts: 1 });
      expect(pidExists(second.pid)).toBe(true);
      expect(cluster.events.map((e) => e.reason)).toEqual(['Adopted', 'Restarting', 'Started']);
      const recorded = JSON.parse(await readFile(layout.clusterFile('c'), 'utf8')) as ClusterState;
      expect(recorded.daemons.map((d) => d.pid)).toEqual([pid, second.pid]);
    } finally {
      survivor.kill('SIGKILL');
    }
  });
});

describe('imagesInUse', () => {
  it("is the image of each cluster of the driver's table", async () => {
    const [cluster] = await liveCluster([]);
    expect(imagesInUse([cluster])).toEqual([{ cluster: 'c', image: 'team/x:1' }]);
  });
});
