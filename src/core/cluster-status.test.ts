import { describe, expect, it } from 'vitest';
import type { ClusterObservation, PodState } from './cluster.js';
import { builtinDefaults } from './cluster-config.js';
import { deriveStatus } from './cluster-status.js';

const DEFAULT = 'docker.io/apache/spark:4.0.1';

function observation(pods: PodState[], overrides: Partial<ClusterObservation> = {}): ClusterObservation {
  return {
    name: 'c',
    config: { ...builtinDefaults(DEFAULT), workerCount: 2 },
    imageSource: 'default',
    storedConfig: undefined,
    createdAt: '2026-01-01T00:00:00Z',
    masterUrl: 'spark://c:7077',
    masterWebUrl: 'http://c-ui:8080',
    masterWebRoute: undefined,
    pods,
    missing: [],
    ...overrides,
  };
}

/** A pod as a driver reports it; a ready worker is registered with the master unless told otherwise. */
const pod = (
  name: string,
  type: PodState['type'],
  status: string,
  ready: boolean,
  registered = ready,
): PodState => ({
  name,
  type,
  ip: ready ? '10.0.0.1' : '',
  status,
  ready,
  image: DEFAULT,
  restarts: 0,
  ...(type === 'worker' ? { registered } : {}),
});

describe('deriveStatus', () => {
  it('is Running when every desired pod is ready', () => {
    const view = deriveStatus(
      observation([
        pod('m', 'master', 'Running', true),
        pod('w1', 'worker', 'Running', true),
        pod('w2', 'worker', 'Running', true),
      ]),
      DEFAULT,
    );
    expect(view).toMatchObject({ status: 'Running', reason: undefined, customImage: false, image: DEFAULT });
    expect(view.workers).toEqual({ desired: 2, ready: 2 });
  });

  it('is Creating while the master or workers are not ready', () => {
    expect(
      deriveStatus(observation([pod('m', 'master', 'ContainerCreating', false)]), DEFAULT),
    ).toMatchObject({
      status: 'Creating',
      reason: 'waiting for the master',
    });
    expect(
      deriveStatus(
        observation([pod('m', 'master', 'Running', true), pod('w1', 'worker', 'Running', true)]),
        DEFAULT,
      ),
    ).toMatchObject({ status: 'Creating', reason: '1/2 workers ready' });
  });

  it('counts a worker as ready only when the master lists it: up but not registered is Creating', () => {
    const view = deriveStatus(
      observation(
        [
          pod('m', 'master', 'Running', true),
          pod('w1', 'worker', 'Running', true, false),
          pod('w2', 'worker', 'Running', true, false),
        ],
        { registrationProblem: 'cannot ask the master: no endpoints' },
      ),
      DEFAULT,
    );
    expect(view).toMatchObject({
      status: 'Creating',
      reason:
        '0/2 workers ready: 2 running, 0 registered with the master (cannot ask the master: no endpoints)',
      workers: { desired: 2, ready: 0 },
    });
    expect(view.pods.filter((p) => p.type === 'worker')).toMatchObject([
      { name: 'w1', ready: false, registered: false, reason: 'not registered with the master' },
      { name: 'w2', ready: false, registered: false, reason: 'not registered with the master' },
    ]);

    const one = deriveStatus(
      observation([
        pod('m', 'master', 'Running', true),
        pod('w1', 'worker', 'Running', true, true),
        pod('w2', 'worker', 'Running', true, false),
      ]),
      DEFAULT,
    );
    expect(one).toMatchObject({
      status: 'Creating',
      reason: '1/2 workers ready: 2 running, 1 registered with the master',
      workers: { desired: 2, ready: 1 },
    });
    expect(one.pods.find((p) => p.name === 'w1')).toMatchObject({ ready: true, registered: true });
  });

  it('does not count a worker whose driver could not tell whether it is registered', () => {
    const unknown: PodState = { ...pod('w1', 'worker', 'Running', true), registered: undefined };
    const view = deriveStatus(
      observation([pod('m', 'master', 'Running', true), unknown], {
        config: { ...builtinDefaults(DEFAULT), workerCount: 1 },
      }),
      DEFAULT,
    );
    expect(view).toMatchObject({ status: 'Creating', workers: { desired: 1, ready: 0 } });
  });

  it('counts a registered worker whose pod is not ready as not ready', () => {
    const view = deriveStatus(
      observation([pod('m', 'master', 'Running', true), pod('w1', 'worker', 'Running', false, true)], {
        config: { ...builtinDefaults(DEFAULT), workerCount: 1 },
      }),
      DEFAULT,
    );
    expect(view).toMatchObject({ status: 'Creating', reason: '0/1 workers ready' });
  });

  it('is Degraded with the reason when a pod cannot pull its image or crashes', () => {
    const view = deriveStatus(
      observation([
        pod('m', 'master', 'ImagePullBackOff', false),
        pod('w1', 'worker', 'CrashLoopBackOff', false),
      ]),
      DEFAULT,
    );
    expect(view.status).toBe('Degraded');
    expect(view.reason).toBe('m: ImagePullBackOff (and 1 more)');
  });

  it('is Incomplete when objects are missing, before anything else', () => {
    expect(
      deriveStatus(
        observation([pod('m', 'master', 'ImagePullBackOff', false)], { missing: ['Service c'] }),
        DEFAULT,
      ),
    ).toMatchObject({ status: 'Incomplete', reason: 'missing Service c' });
  });

  it('is Deleting while a deleted cluster still has objects, before anything else but Lost', () => {
    const deleting = observation([pod('m', 'master', 'Terminating', false)], {
      missing: ['Service c', 'Service c-ui'],
      deleting: '1 pod still stopping',
    });
    expect(deriveStatus(deleting, DEFAULT)).toMatchObject({
      status: 'Deleting',
      reason: '1 pod still stopping',
    });
    expect(deriveStatus({ ...deleting, lost: 'gone' }, DEFAULT).status).toBe('Lost');
  });

  it('is Recovering, saying how the master went, until the workers from before it register again', () => {
    const restarted = 'the master pod was replaced (by m2) at 2026-01-01T00:05:00Z';
    expect(
      deriveStatus(
        observation([pod('m2', 'master', 'ContainerCreating', false)], { masterRestarted: restarted }),
        DEFAULT,
      ),
    ).toMatchObject({
      status: 'Recovering',
      reason: `${restarted}: waiting for the new master; running applications were lost`,
    });
    const view = deriveStatus(
      observation(
        [
          pod('m2', 'master', 'Running', true),
          pod('w1', 'worker', 'Running', true, true),
          pod('w2', 'worker', 'Running', true, false),
        ],
        { masterRestarted: restarted },
      ),
      DEFAULT,
    );
    expect(view).toMatchObject({
      status: 'Recovering',
      reason: `${restarted}: 1/2 workers registered with the new master`,
    });
    // A failing pod still comes first.
    expect(
      deriveStatus(
        observation([pod('m2', 'master', 'CrashLoopBackOff', false)], { masterRestarted: restarted }),
        DEFAULT,
      ).status,
    ).toBe('Degraded');
  });

  it('says in the scheduler words why a pod is not placed', () => {
    const waiting = {
      ...pod('m', 'master', 'Unschedulable', false),
      reason: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
    };
    expect(deriveStatus(observation([waiting]), DEFAULT)).toMatchObject({
      status: 'Creating',
      reason:
        "m: Unschedulable - 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
    });
  });

  it('is Scaling while surplus workers stop, and Stopped with nothing requested', () => {
    const scaling = observation(
      [
        pod('m', 'master', 'Running', true),
        pod('w1', 'worker', 'Running', true),
        pod('w2', 'worker', 'Terminating', false),
      ],
      { config: { ...builtinDefaults(DEFAULT), workerCount: 1 } },
    );
    expect(deriveStatus(scaling, DEFAULT)).toMatchObject({ status: 'Scaling' });
    const stopped = observation([], {
      config: { ...builtinDefaults(DEFAULT), masterCount: 0, workerCount: 0 },
    });
    expect(deriveStatus(stopped, DEFAULT).status).toBe('Stopped');
  });

  it('marks an image that is not the server default as custom', () => {
    const custom = observation([], { config: { ...builtinDefaults('quay.io/me/spark:1'), workerCount: 0 } });
    expect(deriveStatus(custom, DEFAULT)).toMatchObject({ customImage: true, image: 'quay.io/me/spark:1' });
  });

  it('is Degraded naming the image and what it lacks when its check failed, before the pods say anything', () => {
    const view = deriveStatus(
      observation([pod('m', 'master', 'Init:Error', false), pod('w1', 'worker', 'CrashLoopBackOff', false)], {
        imageCheck: { result: 'failed', problem: 'has no /opt/spark/bin/spark-class' },
      }),
      DEFAULT,
    );
    expect(view).toMatchObject({
      status: 'Degraded',
      reason: `image ${DEFAULT} has no /opt/spark/bin/spark-class`,
    });
    expect(view.sparkVersion).toBeUndefined();
  });

  it('reports the versions of a passed check while the cluster is still Creating', () => {
    const view = deriveStatus(
      observation([pod('m', 'master', 'Running', false)], {
        imageCheck: { result: 'passed', versions: { spark: '3.5.3', scala: '2.12.18', java: '17.0.12' } },
      }),
      DEFAULT,
    );
    expect(view).toMatchObject({
      status: 'Creating',
      sparkVersion: '3.5.3',
      scalaVersion: '2.12.18',
      javaVersion: '17.0.12',
    });
    expect(view).not.toHaveProperty('pythonVersion');
  });

  it('is Degraded with how its last run ended when a daemon restarted before it ever served', () => {
    const stuck: PodState = {
      ...pod('w1', 'worker', 'Running', false),
      restarts: 1,
      failedToServe: true,
      reason: 'not serving Spark: restarted 1 time',
    };
    expect(deriveStatus(observation([pod('m', 'master', 'Running', true), stuck]), DEFAULT)).toMatchObject({
      status: 'Degraded',
      reason: 'w1: Running - not serving Spark: restarted 1 time',
    });
    // Once it serves (ready), the restart is history.
    const serving = { ...stuck, ready: true, registered: true };
    expect(
      deriveStatus(observation([pod('m', 'master', 'Running', true), serving]), DEFAULT).status,
    ).not.toBe('Degraded');
  });
});
