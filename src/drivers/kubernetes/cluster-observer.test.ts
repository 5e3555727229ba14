import { describe, expect, it } from 'vitest';
import { deriveStatus } from '../../core/cluster-status.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import { renderCluster, type RenderContext } from './cluster-renderer.js';
import { observeCluster, observeClusters, podState, type V1Pod } from './cluster-observer.js';
import { masterKey, type RegistrationFacts } from './worker-registration.js';
import { REPORT_END } from './image-check.js';
import type { V1Deployment, V1Route, V1Service } from './kube-types.js';

const IMAGE = 'quay.io/me/spark:1';
const DEFAULT = 'docker.io/apache/spark:4.0.1';
const context: RenderContext = { namespace: 'team', routes: true, openshift: true, ingress: undefined };

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
  ip = '10.0.0.1',
): V1Pod {
  return {
    metadata: { name, labels: { 'oshinko-cluster': cluster, 'oshinko-type': type } },
    spec: { containers: [{ name: 'spark', image: IMAGE }] },
    status: {
      phase: state === 'running' ? 'Running' : 'Pending',
      podIP: state === 'running' ? ip : undefined,
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

  it('names the node when Kubernetes marks a running pod not ready while its containers are (kubelet gone)', () => {
    const running = pod('a-m-1', 'master', 'a', 'running');
    const orphaned: V1Pod = {
      ...running,
      spec: { ...running.spec, containers: running.spec?.containers ?? [], nodeName: 'node-1' },
      status: {
        ...running.status,
        conditions: [
          { type: 'Ready', status: 'False', lastTransitionTime: new Date('2026-01-01T00:01:00Z') },
          { type: 'ContainersReady', status: 'True' },
        ],
      },
    };
    expect(podState(orphaned)).toMatchObject({
      status: 'NodeNotReady',
      ready: false,
      reason:
        "node node-1 is not ready: Kubernetes marked the pod not ready since 2026-01-01T00:01:00.000Z while its containers run (the node's kubelet stopped reporting)",
    });
    expect(
      deriveStatus(
        observeCluster('a', { ...listed('a', 0), ingresses: undefined, pods: [orphaned] }, DEFAULT),
        DEFAULT,
      ),
    ).toMatchObject({
      status: 'Degraded',
    });
    // Not ready because its containers are not: an ordinary readiness failure, no node to blame.
    const unready: V1Pod = {
      ...running,
      status: {
        ...running.status,
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'ContainersReady', status: 'False' },
        ],
      },
    };
    expect(podState(unready)).toMatchObject({ status: 'Running', ready: false });
  });

  it('ignores pods that are neither master nor worker', () => {
    const other = pod('x', 'master', 'a', 'running');
    other.metadata = { name: 'x', labels: {} };
    expect(podState(other)).toBeUndefined();
  });
});

describe('observeClusters and deriveStatus', () => {
  it('groups objects by cluster and derives Running, Creating and Degraded from pod facts', () => {
    // What each master said: both ready workers are registered.
    const registered: Record<string, RegistrationFacts> = {
      a: { masterKey: 'a-m-1/10.0.0.1/2', aliveHosts: new Set(['10.0.0.2']) },
      b: { masterKey: 'b-m-1/10.0.0.3/2', aliveHosts: new Set(['10.0.0.4']) },
    };
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
          pod('a-m-1', 'master', 'a', 'running', '10.0.0.1'),
          pod('a-w-1', 'worker', 'a', 'running', '10.0.0.2'),
          pod('b-m-1', 'master', 'b', 'running', '10.0.0.3'),
          pod('b-w-1', 'worker', 'b', 'running', '10.0.0.4'),
          pod('b-w-2', 'worker', 'b', 'creating'),
          pod('c-m-1', 'master', 'c', 'pull'),
          pod('c-w-1', 'worker', 'c', 'pull'),
        ],
      },
      DEFAULT,
      (cluster) => registered[cluster],
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

  it('counts a ready worker pod only when its master lists it, and says why it cannot tell', () => {
    const a = listed('a', 1);
    const objects = {
      ...a,
      ingresses: undefined,
      pods: [
        pod('a-m-1', 'master', 'a', 'running', '10.0.0.1'),
        pod('a-w-1', 'worker', 'a', 'running', '10.0.0.2'),
      ],
    };
    const observe = (facts: RegistrationFacts | undefined) =>
      deriveStatus(observeCluster('a', objects, DEFAULT, facts), DEFAULT);
    const master = podState(objects.pods[0] ?? pod('x', 'master', 'a', 'running'));
    if (master === undefined) throw new Error('no master');
    const key = masterKey(master);

    expect(observe(undefined)).toMatchObject({
      status: 'Creating',
      reason:
        '0/1 workers ready: 1 running, 0 registered with the master (the master has not been asked yet)',
      workers: { desired: 1, ready: 0 },
    });
    const unregistered = observe({ masterKey: key, aliveHosts: new Set(['10.0.0.9']) });
    expect(unregistered.reason).toBe('0/1 workers ready: 1 running, 0 registered with the master');
    expect(unregistered.pods[1]).toMatchObject({
      name: 'a-w-1',
      ready: false,
      registered: false,
      reason: 'not registered with the master',
    });
    expect(observe({ masterKey: key, problem: "cannot read the master's /json/: 503" }).reason).toContain(
      "(cannot read the master's /json/: 503)",
    );
    // An answer of an earlier master (another pod, or the same one before a restart) does not count.
    expect(observe({ masterKey: 'a-m-0/10.0.0.7/0', aliveHosts: new Set(['10.0.0.2']) }).status).toBe(
      'Creating',
    );
    const running = observe({ masterKey: key, aliveHosts: new Set(['10.0.0.2']) });
    expect(running).toMatchObject({ status: 'Running', workers: { desired: 1, ready: 1 } });
    expect(running.pods[1]).toMatchObject({ ready: true, registered: true });
  });

  it('says the master was replaced while workers from before it are not registered with the new one', () => {
    const at = (pod: V1Pod, created: string, started: string, restarts = 0): V1Pod => ({
      ...pod,
      metadata: { ...pod.metadata, creationTimestamp: new Date(created) },
      status: {
        ...pod.status,
        containerStatuses: (pod.status?.containerStatuses ?? []).map((status) => ({
          ...status,
          restartCount: restarts,
          state: { running: { startedAt: new Date(started) } },
        })),
      },
    });
    const worker = at(
      pod('a-w-1', 'worker', 'a', 'running', '10.0.0.2'),
      '2026-01-01T00:00:01Z',
      '2026-01-01T00:00:04Z',
    );
    const observe = (master: V1Pod, alive: string[]) => {
      const objects = { ...listed('a', 1), ingresses: undefined, pods: [master, worker] };
      const state = podState(master);
      if (state === undefined) throw new Error('no master');
      return deriveStatus(
        observeCluster('a', objects, DEFAULT, { masterKey: masterKey(state), aliveHosts: new Set(alive) }),
        DEFAULT,
      );
    };
    // First start: the worker's container started after the master pod was made; it is simply not registered yet.
    const first = at(pod('a-m-1', 'master', 'a', 'running'), '2026-01-01T00:00:00Z', '2026-01-01T00:00:03Z');
    expect(observe(first, [])).toMatchObject({ status: 'Creating' });
    expect(observe(first, [])).not.toHaveProperty('masterRestarted');
    // A replacement made after the worker was running: Recovering, until the worker registers with it.
    const replaced = at(
      pod('a-m-2', 'master', 'a', 'running'),
      '2026-01-01T00:05:00Z',
      '2026-01-01T00:05:02Z',
    );
    expect(observe(replaced, [])).toMatchObject({
      status: 'Recovering',
      reason:
        'the master pod was replaced (by a-m-2) at 2026-01-01T00:05:00Z: 0/1 workers registered with the new master',
    });
    expect(observe(replaced, ['10.0.0.2'])).toMatchObject({ status: 'Running' });
    expect(observe(replaced, ['10.0.0.2'])).not.toHaveProperty('masterRestarted');
    // The same master pod whose container restarted.
    const restarted = at(first, '2026-01-01T00:00:00Z', '2026-01-01T00:07:00Z', 1);
    expect(observe(restarted, []).reason).toBe(
      'the master container restarted (1 time) at 2026-01-01T00:07:00Z: 0/1 workers registered with the new master',
    );
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

  it('reports a cluster whose Deployments are being deleted as Deleting, with what is left', () => {
    const a = listed('a', 1);
    const terminating = (p: V1Pod): V1Pod => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date('2026-01-01T00:00:00Z') },
    });
    const master = a.deployments[0];
    if (master?.metadata === undefined) throw new Error('no master');
    // Foreground deletion: the Deployments stay, deleting, until their pods are gone; the Services went at once.
    for (const d of a.deployments) if (d.metadata !== undefined) d.metadata.deletionTimestamp = new Date();
    const observe = (pods: V1Pod[]) => {
      const [observation] = observeClusters(
        { deployments: a.deployments, services: [], routes: [], ingresses: undefined, pods },
        DEFAULT,
      );
      if (observation === undefined) throw new Error('no observation');
      return observation;
    };
    const two = observe([
      terminating(pod('a-m-1', 'master', 'a', 'running')),
      terminating(pod('a-w-1', 'worker', 'a', 'running')),
    ]);
    expect(two.deleting).toBe('2 pods still stopping');
    expect(two.config.sparkImage).toBe(IMAGE);
    expect(deriveStatus(two, DEFAULT)).toMatchObject({ status: 'Deleting', reason: '2 pods still stopping' });
    expect(observe([terminating(pod('a-w-1', 'worker', 'a', 'running'))]).deleting).toBe(
      '1 pod still stopping',
    );
    expect(observe([]).deleting).toBe('waiting for Kubernetes to remove its objects');

    // The worker Deployment alone being deleted is someone else's doing: the cluster is not being deleted.
    delete master.metadata.deletionTimestamp;
    expect(observe([]).deleting).toBeUndefined();
  });

  it('reports the UID the pod template really has, or image where it has none', () => {
    const uidOf = (objects: ReturnType<typeof listed>) =>
      observeClusters({ ...objects, ingresses: undefined, pods: [] }, DEFAULT)[0]?.config.runAsUser;
    // OpenShift (the context here) sets none.
    expect(uidOf(listed('a', 1))).toBe('image');
    const a = listed('a', 1);
    for (const deployment of a.deployments) {
      const template = deployment.spec?.template.spec;
      if (template === undefined) throw new Error('no template');
      template.securityContext = { ...template.securityContext, runAsUser: 185 };
    }
    expect(uidOf(a)).toBe(185);
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

describe('the image check and daemons that never serve', () => {
  const started = '2026-01-01T00:00:00Z';

  it('reports the init container that waits (its image pull) as the pod status', () => {
    const waiting = pod('a-m-1', 'master', 'a', 'creating');
    waiting.status = {
      ...waiting.status,
      initContainerStatuses: [
        {
          name: 'image-check',
          image: IMAGE,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: `pull "${IMAGE}": not found` } },
        },
      ],
      containerStatuses: [
        {
          name: 'spark',
          image: IMAGE,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'PodInitializing' } },
        },
      ],
    };
    expect(podState(waiting)).toMatchObject({ status: 'ErrImagePull', reason: `pull "${IMAGE}": not found` });
  });

  it('says what to do when the image runs as a user name that runAsNonRoot cannot verify, in the kubelet words too', () => {
    const kubelet =
      'container has runAsNonRoot and image has non-numeric user (spark), cannot verify user is non-root (pod: "a-m-1_team(u1)", container: image-check)';
    const master = pod('a-m-1', 'master', 'a', 'creating');
    master.status = {
      ...master.status,
      initContainerStatuses: [
        {
          name: 'image-check',
          image: IMAGE,
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'CreateContainerConfigError', message: kubelet } },
        },
      ],
    };
    const worker = pod('a-w-1', 'worker', 'a', 'creating');
    const spark = worker.status?.containerStatuses?.[0];
    if (spark === undefined) throw new Error('no container status');
    spark.state = {
      waiting: { reason: 'CreateContainerConfigError', message: kubelet.replace('image-check', 'spark') },
    };
    const advice =
      "image runs as user 'spark' (not numeric) and runAsNonRoot cannot verify it: set config.runAsUser to its numeric uid (185 for the official Spark images)";
    expect(podState(master)).toMatchObject({
      status: 'CreateContainerConfigError',
      reason: `${advice}; the kubelet says: ${kubelet}`,
    });
    expect(podState(worker)?.reason).toContain(advice);
    const a = listed('a', 1);
    const [observation] = observeClusters(
      {
        deployments: a.deployments,
        services: a.services,
        routes: a.routes,
        ingresses: undefined,
        pods: [master, worker],
      },
      DEFAULT,
    );
    if (observation === undefined) throw new Error('no observation');
    const view = deriveStatus(observation, DEFAULT);
    expect(view.status).toBe('Degraded');
    expect(view.reason).toContain(`a-m-1: CreateContainerConfigError - ${advice}`);
    expect(view.reason).toContain('image has non-numeric user (spark), cannot verify user is non-root');
    // Another configuration error keeps the kubelet's words alone.
    spark.state = { waiting: { reason: 'CreateContainerConfigError', message: 'secret "creds" not found' } };
    expect(podState(worker)?.reason).toBe('secret "creds" not found');
  });

  it('quotes the end of the log of a daemon restarted before it served, or says it printed nothing', () => {
    const restarted = (message: string | undefined): V1Pod => {
      const p = pod('a-w-1', 'worker', 'a', 'creating');
      p.status = {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'spark',
            image: IMAGE,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 2,
            state: { running: {} },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'Error',
                startedAt: new Date(started),
                finishedAt: new Date(Date.parse(started) + 125_000),
                ...(message === undefined ? {} : { message }),
              },
            },
          },
        ],
      };
      return p;
    };
    expect(podState(restarted('starting my server\n\nlistening on nothing\n'))).toMatchObject({
      status: 'Running',
      ready: false,
      failedToServe: true,
      reason:
        'not serving Spark: restarted 2 times, not up since; its last run ended with exit code 137 after 125 s; its log ends: starting my server | listening on nothing',
    });
    expect(podState(restarted(undefined))?.reason).toBe(
      'not serving Spark: restarted 2 times, not up since; its last run ended with exit code 137 after 125 s and printed nothing: the Spark daemon never started (does the image entrypoint run its arguments?)',
    );
    // A daemon that served for minutes and was killed is restarting, not failing to serve.
    const longRun = restarted('x');
    const killed = longRun.status?.containerStatuses?.[0]?.lastState?.terminated;
    if (killed !== undefined) killed.finishedAt = new Date(Date.parse(started) + 600_000);
    expect(podState(longRun)?.failedToServe).toBeUndefined();
    // Waiting to be restarted again (CrashLoopBackOff), however long it ran: its last run is the reason.
    const looping = restarted('Exception in thread "main" java.lang.UnsupportedClassVersionError');
    const loopingStatus = looping.status?.containerStatuses?.[0];
    if (loopingStatus !== undefined) {
      loopingStatus.state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting' } };
      const run = loopingStatus.lastState?.terminated;
      if (run !== undefined) run.finishedAt = new Date(Date.parse(started) + 2_000);
    }
    expect(podState(looping)).toMatchObject({
      status: 'CrashLoopBackOff',
      failedToServe: true,
      reason:
        'not serving Spark: restarted 2 times, not up since; its last run ended with exit code 137 after 2 s; its log ends: Exception in thread "main" java.lang.UnsupportedClassVersionError',
    });
    // Once its startup probe passed (started), an earlier restart is no longer a failure to serve.
    const serving = restarted('x');
    const status = serving.status?.containerStatuses?.[0];
    if (status !== undefined) status.started = true;
    expect(podState(serving)?.failedToServe).toBeUndefined();
  });

  it('takes the check of the newest master pod that has a result', () => {
    const objects = listed('a', 0);
    const master = (name: string, created: string, message: string): V1Pod => {
      const p = pod(name, 'master', 'a', 'running');
      p.metadata = { ...p.metadata, creationTimestamp: new Date(created) };
      p.status = {
        ...p.status,
        initContainerStatuses: [
          {
            name: 'image-check',
            image: IMAGE,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: message.startsWith('missing') ? 1 : 0, message } },
          },
        ],
      };
      return p;
    };
    const passed = `| version 4.3.0\nspark-class /opt/spark/bin/spark-class\nspark-class-exit 0\npython Python 3.11.2\n${REPORT_END}\n`;
    const old = master('a-m-old', '2026-01-01T00:00:00Z', `missing /opt/spark\n${REPORT_END}\n`);
    const newer = master('a-m-new', '2026-01-01T00:01:00Z', passed);
    const observation = observeCluster(
      'a',
      { ...objects, pods: [old, newer], ingresses: undefined },
      DEFAULT,
    );
    expect(observation.imageCheck).toEqual({
      result: 'passed',
      versions: { spark: '4.3.0', python: '3.11.2' },
    });
    expect(deriveStatus(observation, DEFAULT)).toMatchObject({
      sparkVersion: '4.3.0',
      pythonVersion: '3.11.2',
    });
  });
});
