import { describe, expect, it } from 'vitest';
import { deriveStatus } from '../../core/cluster-status.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import { renderCluster, type RenderContext } from './cluster-renderer.js';
import { observeClusters, podState, type V1Pod } from './cluster-observer.js';
import type { V1Deployment, V1Route, V1Service } from './cluster-renderer.js';

const IMAGE = 'quay.io/me/spark:1';
const DEFAULT = 'docker.io/apache/spark:4.0.1';
const context: RenderContext = { namespace: 'team', routes: true, ingress: undefined };

/** The objects of a rendered cluster as the API would list them (plain JSON, like the client returns). */
function listed(name: string, workers: number) {
  const rendered = renderCluster(
    {
      name,
      config: { ...builtinDefaults(DEFAULT), sparkImage: IMAGE, workerCount: workers },
      imageSource: 'request',
      storedConfig: undefined,
    },
    context,
    `${name}-uid`,
  );
  const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const deployments = [
    rendered.master,
    ...rendered.secondary.filter((o) => o.kind === 'Deployment').map((o) => o.body),
  ];
  return {
    deployments: json<V1Deployment[]>(deployments),
    services: json<V1Service[]>(rendered.secondary.filter((o) => o.kind === 'Service').map((o) => o.body)),
    routes: json<V1Route[]>(rendered.secondary.filter((o) => o.kind === 'Route').map((o) => o.body)),
  };
}

function pod(
  name: string,
  type: 'master' | 'worker',
  cluster: string,
  state: 'running' | 'pull' | 'creating',
): V1Pod {
  return {
    metadata: { name, labels: { 'oshinko-cluster': cluster, 'oshinko-type': type } },
    spec: { containers: [{ name: 'spark', image: IMAGE }] },
    status: {
      phase: state === 'running' ? 'Running' : 'Pending',
      podIP: state === 'running' ? '10.0.0.1' : undefined,
      conditions: state === 'running' ? [{ type: 'Ready', status: 'True' }] : [],
      containerStatuses: [
        {
          name: 'spark',
          image: IMAGE,
          imageID: '',
          ready: state === 'running',
          restartCount: state === 'pull' ? 0 : 2,
          state:
            state === 'running'
              ? { running: {} }
              : state === 'pull'
                ? { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` } }
                : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  };
}

describe('podState', () => {
  it('reports the waiting reason before the phase', () => {
    expect(podState(pod('a-m-1', 'master', 'a', 'pull'))).toEqual({
      name: 'a-m-1',
      type: 'master',
      ip: '',
      status: 'ImagePullBackOff',
      ready: false,
      image: IMAGE,
      restarts: 0,
      reason: `Back-off pulling image "${IMAGE}"`,
    });
    expect(podState(pod('a-w-1', 'worker', 'a', 'running'))).toMatchObject({
      status: 'Running',
      ready: true,
      ip: '10.0.0.1',
      restarts: 2,
    });
  });

  it('ignores pods that are neither master nor worker', () => {
    const other = pod('x', 'master', 'a', 'running');
    other.metadata = { name: 'x', labels: {} };
    expect(podState(other)).toBeUndefined();
  });
});

describe('observeClusters and deriveStatus', () => {
  it('groups objects by cluster and derives Running, Creating and Degraded from pod facts', () => {
    const a = listed('a', 1);
    const b = listed('b', 2);
    const c = listed('c', 1);
    const observations = observeClusters(
      {
        deployments: [...a.deployments, ...b.deployments, ...c.deployments],
        services: [...a.services, ...b.services, ...c.services],
        routes: [...a.routes, ...b.routes, ...c.routes],
        ingresses: undefined,
        pods: [
          pod('a-m-1', 'master', 'a', 'running'),
          pod('a-w-1', 'worker', 'a', 'running'),
          pod('b-m-1', 'master', 'b', 'running'),
          pod('b-w-1', 'worker', 'b', 'running'),
          pod('b-w-2', 'worker', 'b', 'creating'),
          pod('c-m-1', 'master', 'c', 'pull'),
          pod('c-w-1', 'worker', 'c', 'pull'),
        ],
      },
      DEFAULT,
    );
    const views = Object.fromEntries(observations.map((o) => [o.name, deriveStatus(o, DEFAULT)]));
    expect(Object.keys(views).sort()).toEqual(['a', 'b', 'c']);
    expect(views.a?.status).toBe('Running');
    expect(views.a?.image).toBe(IMAGE);
    expect(views.a?.customImage).toBe(true);
    expect(views.a?.masterWebRoute).toBeUndefined(); // a Route without a host (not admitted yet)
    expect(views.b?.status).toBe('Creating');
    expect(views.b?.reason).toBe('1/2 workers ready');
    expect(views.b?.workers).toEqual({ desired: 2, ready: 1 });
    expect(views.c?.status).toBe('Degraded');
    expect(views.c?.reason).toContain('ImagePullBackOff');
    expect(views.c?.reason).toContain('(and 1 more)');
  });

  it('reports missing objects as Incomplete', () => {
    const a = listed('a', 1);
    const [observation] = observeClusters(
      {
        deployments: a.deployments,
        services: a.services.filter((s) => s.metadata?.name !== 'a-ui'),
        routes: [],
        ingresses: undefined,
        pods: [pod('a-m-1', 'master', 'a', 'running'), pod('a-w-1', 'worker', 'a', 'running')],
      },
      DEFAULT,
    );
    if (observation === undefined) throw new Error('no observation');
    expect(observation.missing).toEqual(['Service a-ui', 'Route a-ui-route']);
    expect(deriveStatus(observation, DEFAULT)).toMatchObject({
      status: 'Incomplete',
      reason: 'missing Service a-ui, Route a-ui-route',
    });
  });

  it('takes counts from the Deployments and survives a missing annotation', () => {
    const a = listed('a', 1);
    const worker = a.deployments[1];
    if (worker?.spec === undefined || worker.metadata === undefined) throw new Error('no worker');
    worker.spec.replicas = 4;
    const master = a.deployments[0];
    if (master?.metadata?.annotations === undefined) throw new Error('no master');
    delete master.metadata.annotations['oshinko-config'];
    delete worker.metadata.annotations;
    const [observation] = observeClusters(
      { deployments: a.deployments, services: a.services, routes: a.routes, ingresses: undefined, pods: [] },
      DEFAULT,
    );
    expect(observation?.config.workerCount).toBe(4);
    expect(observation?.config.sparkImage).toBe(IMAGE);
    expect(observation?.imageSource).toBe('default');
  });
});
