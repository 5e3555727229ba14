import { describe, expect, it } from 'vitest';
import { masterRunning, observeCluster } from './cluster-observer.js';
import { STATE_VERSION } from './cluster-state.js';
import type { DaemonSnapshot } from './supervisor.js';
import type { ClusterState, DaemonRecord } from './records.js';

function daemon(name: string, port: number, restarts = 0): DaemonRecord {
  return {
    name,
    type: name.includes('-m-') ? 'master' : 'worker',
    port,
    webPort: port + 1,
    pid: undefined,
    restarts,
    startedAt: undefined,
  };
}

function state(): ClusterState {
  return {
    version: STATE_VERSION,
    uid: 'u1',
    name: 'c',
    config: {
      masterCount: 1,
      workerCount: 2,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'spark:4.3.0',
      exposeWebUI: true,
      metrics: 'false',
    },
    imageSource: 'default',
    storedConfig: undefined,
    createdAt: '2025-01-01T00:00:00.000Z',
    image: { ref: 'spark:4.3.0', kind: 'runtime', sparkHome: '/spark', distribution: '/spark' },
    masterPort: 7077,
    masterWebPort: 8080,
    resources: { workerCores: 1, workerMemory: '1g' },
    daemons: [daemon('c-m-1', 7077), daemon('c-w-1', 7100, 2), daemon('c-w-2', 7200)],
    lost: undefined,
  };
}

function running(name: string, pid: number, status: DaemonSnapshot['status'] = 'Running'): DaemonSnapshot {
  return {
    name,
    type: name.includes('-m-') ? 'master' : 'worker',
    pid,
    status,
    restarts: 0,
    reason: undefined,
    startedAt: undefined,
  };
}

function snapshots(...list: DaemonSnapshot[]): Map<string, DaemonSnapshot> {
  return new Map(list.map((snapshot) => [snapshot.name, snapshot]));
}

describe('observeCluster', () => {
  it('reports each process as a pod, registered when the ALIVE master lists it ALIVE', () => {
    const all = snapshots(running('c-m-1', 10), running('c-w-1', 11), running('c-w-2', 12, 'Starting'));
    const json = {
      status: 'ALIVE',
      workers: [
        { host: '127.0.0.1', port: 7100, state: 'ALIVE' },
        { host: '127.0.0.1', port: 7200, state: 'DEAD' },
      ],
    };
    const events = [
      { time: 't', type: 'Normal' as const, reason: 'Created', message: 'm', object: undefined },
    ];
    const observation = observeCluster(state(), all, json, events);
    expect(observation).toMatchObject({
      name: 'c',
      masterUrl: 'spark://127.0.0.1:7077',
      masterWebUrl: 'http://127.0.0.1:8080',
      masterWebRoute: undefined,
      missing: [],
      lost: undefined,
      events,
    });
    expect(observation).not.toHaveProperty('registrationProblem');
    expect(observation.events).not.toBe(events);
    expect(observation.pods).toEqual([
      {
        name: 'c-m-1',
        type: 'master',
        ip: '127.0.0.1',
        status: 'Running',
        ready: true,
        image: 'spark:4.3.0',
        restarts: 0,
        reason: undefined,
        pid: 10,
      },
      {
        name: 'c-w-1',
        type: 'worker',
        ip: '127.0.0.1',
        status: 'Running',
        ready: true,
        registered: true,
        image: 'spark:4.3.0',
        restarts: 0,
        reason: undefined,
        pid: 11,
      },
      {
        name: 'c-w-2',
        type: 'worker',
        ip: '127.0.0.1',
        status: 'Pending',
        ready: false,
        registered: false,
        image: 'spark:4.3.0',
        restarts: 0,
        reason: undefined,
        pid: 12,
      },
    ]);
  });

  it('says why no worker can be registered: master down, /json/ silent, master not ALIVE', () => {
    const workersOnly = snapshots(running('c-w-1', 11), running('c-w-2', 12));
    expect(masterRunning(state(), workersOnly)).toBe(false);
    expect(observeCluster(state(), workersOnly, undefined, []).registrationProblem).toBe(
      'the master is not running',
    );
    const all = snapshots(running('c-m-1', 10), running('c-w-1', 11), running('c-w-2', 12));
    expect(masterRunning(state(), all)).toBe(true);
    expect(observeCluster(state(), all, undefined, []).registrationProblem).toBe(
      "the master's /json/ did not answer",
    );
    const standby = observeCluster(state(), all, { status: 'STANDBY' }, []);
    expect(standby.registrationProblem).toBe('the master is STANDBY');
    // A master process that runs but is not ALIVE is not ready yet.
    expect(standby.pods[0]).toMatchObject({ ready: false, reason: 'starting' });
    expect(observeCluster(state(), all, {}, []).registrationProblem).toBe('the master is not ALIVE');
  });

  it('shows unsupervised daemons as Stopped, or Lost with their recorded restarts', () => {
    expect(observeCluster(state(), new Map(), undefined, []).pods.map((p) => p.status)).toEqual([
      'Stopped',
      'Stopped',
      'Stopped',
    ]);
    const lost = { ...state(), lost: 'gone' };
    const observation = observeCluster(lost, new Map(), undefined, []);
    expect(observation.lost).toBe('gone');
    expect(observation.pods.map((p) => [p.status, p.restarts, p.pid])).toEqual([
      ['Lost', 0, undefined],
      ['Lost', 2, undefined],
      ['Lost', 0, undefined],
    ]);
  });

  it('passes the supervisor on: restarts, CrashLoopBackOff and its reason', () => {
    const crashing = {
      ...running('c-w-1', 0, 'CrashLoopBackOff'),
      pid: undefined,
      restarts: 3,
      reason: 'exited with code 1; restarting in 4s',
    };
    const pod = observeCluster(state(), snapshots(running('c-m-1', 10), crashing), { status: 'ALIVE' }, [])
      .pods[1];
    expect(pod).toMatchObject({
      status: 'CrashLoopBackOff',
      ready: false,
      registered: false,
      restarts: 3,
      reason: 'exited with code 1; restarting in 4s',
      pid: undefined,
    });
  });
});
