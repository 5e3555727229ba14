import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinDefaults } from '../../src/core/cluster-config.js';
import { renderCluster } from '../../src/drivers/kubernetes/cluster-renderer.js';
import { FakeKubeServer, parseLabelSelector, type KubeObject } from './fake-kube-server.js';
import { pollUntil } from '../support/poll.js';
import { kubeConfigObject } from './kubeconfig.js';

let fake: FakeKubeServer;
beforeEach(async () => {
  fake = await FakeKubeServer.start({ namespaces: ['ns'], podStartMs: 5 });
});
afterEach(async () => {
  await fake.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${fake.bearerToken}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/ns/deployments';

function deployment(
  name: string,
  overrides: Record<string, unknown> = {},
  image = 'docker.io/apache/spark:4.0.1',
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, tier: 'spark' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'spark', image }] } },
      ...overrides,
    },
  };
}

async function settle(check: () => boolean): Promise<void> {
  await pollUntil(
    () => Promise.resolve(check()),
    (settled) => settled,
    () => 'did not settle',
    { timeoutMs: 3000, intervalMs: 10 },
  );
}

describe('fake Kubernetes API server', () => {
  it('requires the bearer token', async () => {
    const response = await fetch(`${fake.url}/api`);
    expect(response.status).toBe(401);
  });

  it('serves discovery with the route API only on OpenShift', async () => {
    const groups = (await call('GET', '/apis')).body.groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(['apps', 'networking.k8s.io']);
    expect((await call('GET', '/apis/route.openshift.io/v1/namespaces/ns/routes')).status).toBe(404);
    const openshift = await FakeKubeServer.start({ openshift: true });
    try {
      const response = await fetch(`${openshift.url}/apis`, {
        headers: { authorization: 'Bearer fake-token' },
      });
      const body = (await response.json()) as { groups: { name: string }[] };
      expect(body.groups.map((g) => g.name)).toContain('route.openshift.io');
    } finally {
      await openshift.close();
    }
  });

  it('rejects what the real API server rejects, with a Status naming the field', async () => {
    const badName = await call('POST', DEPLOYMENTS, deployment('Bad_Name'));
    expect(badName.status).toBe(422);
    expect(badName.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(badName.body.message).toContain('metadata.name');

    const badType = await call('POST', DEPLOYMENTS, deployment('x', { replicas: 'two' }));
    expect(badType.status).toBe(422);
    expect(badType.body.message).toContain('spec.replicas');

    const badLabel = deployment('x');
    badLabel.metadata.labels.tier = 'not a label value!';
    expect((await call('POST', DEPLOYMENTS, badLabel)).status).toBe(422);

    const mismatch = await call(
      'POST',
      DEPLOYMENTS,
      deployment('x', { selector: { matchLabels: { app: 'other' } } }),
    );
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.message).toContain('`selector` does not match template `labels`');

    const badPort = deployment('x');
    Object.assign(badPort.spec.template.spec.containers[0] ?? {}, {
      ports: [{ name: 'far-too-long-port-name', containerPort: 70000 }],
    });
    const ports = await call('POST', DEPLOYMENTS, badPort);
    expect(ports.status).toBe(422);
    expect(ports.body.message).toContain('containerPort');
    expect(ports.body.message).toContain('ports[0].name');

    const noImage = deployment('x', {}, '');
    expect((await call('POST', DEPLOYMENTS, noImage)).status).toBe(422);

    const service = await call('POST', '/api/v1/namespaces/ns/services', {
      metadata: { name: '1-starts-with-digit' },
      spec: { ports: [{ port: 7077 }] },
    });
    expect(service.status).toBe(422);
    const twoUnnamedPorts = await call('POST', '/api/v1/namespaces/ns/services', {
      metadata: { name: 'svc' },
      spec: { ports: [{ port: 1 }, { port: 2 }] },
    });
    expect(twoUnnamedPorts.body.message).toContain('spec.ports[0].name');

    const wrongKind = await call('POST', DEPLOYMENTS, { ...deployment('x'), kind: 'Service' });
    expect(wrongKind.status).toBe(400);
    expect((await call('POST', '/apis/apps/v1/namespaces/nope/deployments', deployment('x'))).status).toBe(
      404,
    );
    expect((await call('POST', DEPLOYMENTS, deployment('x'), 'text/plain')).status).toBe(415);
    expect(fake.objects('deployments')).toEqual([]);
  });

  it('answers 409 and 404 with Status bodies and enforces resourceVersion', async () => {
    const created = await call('POST', DEPLOYMENTS, deployment('web'));
    expect(created.status).toBe(201);
    const meta = created.body.metadata as { uid: string; resourceVersion: string; generation: number };
    expect(meta.uid).toMatch(/-/);
    expect(meta.generation).toBe(1);
    const again = await call('POST', DEPLOYMENTS, deployment('web'));
    expect(again).toMatchObject({
      status: 409,
      body: { reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' },
    });
    const missing = await call('GET', `${DEPLOYMENTS}/nope`);
    expect(missing).toMatchObject({
      status: 404,
      body: { reason: 'NotFound', message: 'deployments.apps "nope" not found' },
    });

    const stale = { ...deployment('web', { replicas: 3 }), metadata: { name: 'web', resourceVersion: '1' } };
    expect((await call('PUT', `${DEPLOYMENTS}/web`, stale)).status).toBe(409);
    // Status changes (pods becoming ready) give the Deployment new resourceVersions, as on a real server.
    await settle(() => fake.objects('deployments')[0]?.status?.readyReplicas === 2);
    const current = (await call('GET', `${DEPLOYMENTS}/web`)).body.metadata as { resourceVersion: string };
    expect(Number(current.resourceVersion)).toBeGreaterThan(Number(meta.resourceVersion));
    const fresh = {
      ...deployment('web', { replicas: 3 }),
      metadata: { name: 'web', resourceVersion: current.resourceVersion },
    };
    const replaced = await call('PUT', `${DEPLOYMENTS}/web`, fresh);
    expect(replaced.status).toBe(200);
    const after = replaced.body.metadata as { uid: string; resourceVersion: string; generation: number };
    expect(after.uid).toBe(meta.uid);
    expect(Number(after.resourceVersion)).toBeGreaterThan(Number(meta.resourceVersion));
    expect(after.generation).toBe(2);
    const immutable = await call(
      'PATCH',
      `${DEPLOYMENTS}/web`,
      { spec: { selector: { matchLabels: { app: 'web', x: 'y' } } } },
      'application/merge-patch+json',
    );
    expect(immutable.status).toBe(422);
  });

  it('lists with label selectors', async () => {
    for (const name of ['a', 'b', 'c']) {
      const body = deployment(name);
      if (name === 'c') body.metadata.labels.tier = 'other';
      await call('POST', DEPLOYMENTS, body);
    }
    const names = async (selector: string) =>
      (
        (await call('GET', `${DEPLOYMENTS}?labelSelector=${encodeURIComponent(selector)}`)).body.items as {
          metadata: { name: string };
        }[]
      ).map((item) => item.metadata.name);
    expect(await names('tier=spark')).toEqual(['a', 'b']);
    expect(await names('tier!=spark')).toEqual(['c']);
    expect(await names('app in (a,c)')).toEqual(['a', 'c']);
    expect(await names('app notin (a,c),tier')).toEqual(['b']);
    expect(await names('!tier')).toEqual([]);
    expect(await names('tier,app==b')).toEqual(['b']);
    expect((await call('GET', `${DEPLOYMENTS}?labelSelector=${encodeURIComponent('a b c')}`)).status).toBe(
      400,
    );
    expect(parseLabelSelector('x=1').every((matches) => matches({ x: '1' }))).toBe(true);
  });

  it('runs pods for Deployments, scales them with patches, and cascades deletes along ownerReferences', async () => {
    await call('POST', DEPLOYMENTS, deployment('web'));
    await settle(
      () =>
        fake.objects('pods').filter((p) => (p.status as { phase?: string }).phase === 'Running').length === 2,
    );
    const [rs] = fake.objects('replicasets');
    expect(rs?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web' });
    for (const pod of fake.objects('pods')) {
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'ReplicaSet',
        name: rs?.metadata.name,
      });
      expect(pod.metadata.labels?.app).toBe('web');
    }
    const status = (await call('GET', `${DEPLOYMENTS}/web`)).body.status as { readyReplicas: number };
    expect(status.readyReplicas).toBe(2);

    expect(
      (await call('PATCH', `${DEPLOYMENTS}/web`, { spec: { replicas: 3 } }, 'application/merge-patch+json'))
        .status,
    ).toBe(200);
    expect(fake.objects('pods')).toHaveLength(3);
    await call(
      'PATCH',
      `${DEPLOYMENTS}/web`,
      [{ op: 'replace', path: '/spec/replicas', value: 1 }],
      'application/json-patch+json',
    );
    expect(fake.objects('pods')).toHaveLength(1);
    await call(
      'PATCH',
      `${DEPLOYMENTS}/web`,
      { spec: { template: { spec: { containers: [{ name: 'spark', image: 'quay.io/x/y:2' }] } } } },
      'application/strategic-merge-patch+json',
    );
    expect(fake.objects('replicasets')).toHaveLength(1);
    expect(fake.objects('pods').map((p) => (p.spec?.containers as { image: string }[])[0]?.image)).toEqual([
      'quay.io/x/y:2',
    ]);

    const deleted = await call('DELETE', `${DEPLOYMENTS}/web`);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(fake.objects('replicasets')).toEqual([]);
    expect(fake.objects('pods')).toEqual([]);

    await call('POST', DEPLOYMENTS, deployment('kept'));
    await call('DELETE', `${DEPLOYMENTS}/kept?propagationPolicy=Orphan`);
    expect(fake.objects('replicasets')).toHaveLength(1);
    expect(fake.objects('replicasets')[0]?.metadata.ownerReferences).toEqual([]);
  });

  it('with podStopMs, lets deleted pods stop first and keeps a Foreground-deleted owner until they are gone', async () => {
    const slow = await FakeKubeServer.start({ namespaces: ['ns'], podStartMs: 5, podStopMs: 150 });
    const ask = (method: string, path: string) =>
      fetch(`${slow.url}${path}`, { method, headers: { authorization: `Bearer ${slow.bearerToken}` } });
    try {
      const created = await fetch(`${slow.url}${DEPLOYMENTS}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slow.bearerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(deployment('web')),
      });
      expect(created.status).toBe(201);
      expect(slow.objects('pods')).toHaveLength(2);

      // Foreground: the Deployment and its ReplicaSet stay, deleting, while the pods stop.
      const answer = (await (
        await ask('DELETE', `${DEPLOYMENTS}/web?propagationPolicy=Foreground`)
      ).json()) as {
        kind: string;
        metadata: { deletionTimestamp?: string; finalizers?: string[] };
      };
      expect(answer).toMatchObject({ kind: 'Deployment', metadata: { finalizers: ['foregroundDeletion'] } });
      expect(answer.metadata.deletionTimestamp).toBeDefined();
      const [web] = slow.objects('deployments');
      expect(web?.metadata.deletionTimestamp).toBeDefined();
      expect(slow.objects('replicasets')[0]?.metadata.deletionTimestamp).toBeDefined();
      const pods = slow.objects('pods');
      expect(pods).toHaveLength(2);
      for (const pod of pods) expect(pod.metadata.deletionTimestamp).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect([
        ...slow.objects('deployments'),
        ...slow.objects('replicasets'),
        ...slow.objects('pods'),
      ]).toEqual([]);

      // Background: the Deployment goes at once, its pods after they stop, and nothing replaces them.
      await fetch(`${slow.url}${DEPLOYMENTS}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slow.bearerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(deployment('bg')),
      });
      await ask('DELETE', `${DEPLOYMENTS}/bg`);
      expect(slow.objects('deployments')).toEqual([]);
      expect(slow.objects('pods')).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(slow.objects('pods')).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('fails image pulls for missing images and serves pod logs', async () => {
    fake.missingImages.add('quay.io/x/missing:1');
    await call('POST', DEPLOYMENTS, deployment('bad', { replicas: 1 }, 'quay.io/x/missing:1'));
    await settle(() =>
      fake.objects('pods').some((p) => JSON.stringify(p.status).includes('ImagePullBackOff')),
    );
    const [pod] = fake.objects('pods');
    const log = await call('GET', `/api/v1/namespaces/ns/pods/${pod?.metadata.name ?? ''}/log`);
    expect(log.status).toBe(400);
    expect(log.body.message).toContain('is waiting to start');
    const events = fake.objects('events').map((e) => `${String(e.reason)}: ${String(e.message)}`);
    expect(events).toContain('BackOff: Back-off pulling image "quay.io/x/missing:1"');
  });

  it('fails the nth matching request when told to', async () => {
    fake.failRequest({ verb: 'create', resource: 'deployments', nth: 2, status: 503, message: 'try later' });
    expect((await call('POST', DEPLOYMENTS, deployment('one'))).status).toBe(201);
    const second = await call('POST', DEPLOYMENTS, deployment('two'));
    expect(second).toMatchObject({ status: 503, body: { message: 'try later' } });
    expect((await call('POST', DEPLOYMENTS, deployment('two'))).status).toBe(201);
    expect(fake.requests.filter((r) => r.verb === 'create' && r.resource === 'deployments')).toHaveLength(3);
  });
});

interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    metadata: { name: string; resourceVersion: string; labels?: Record<string, string> };
    status?: Record<string, unknown>;
    spec?: Record<string, unknown>;
    code?: number;
    reason?: string;
    message?: string;
  };
}

interface WatchStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: WatchEvent[];
  /** How the stream ended: 'end' when the server ended it cleanly, 'aborted' when the connection broke. */
  readonly ended: Promise<'end' | 'aborted'>;
  until(check: (events: WatchEvent[]) => boolean): Promise<void>;
  close(): void;
}

/** Opens a watch over real HTTP and collects its events; resolves once the headers are in. */
function watch(path: string, server: FakeKubeServer = fake): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const request = httpGet(
      `${server.url}${path}`,
      { headers: { authorization: `Bearer ${server.bearerToken}` }, agent: false },
      (response) => {
        const events: WatchEvent[] = [];
        let buffer = '';
        let clean = false;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
          }
        });
        response.on('end', () => {
          // A failed watch is answered with one Status, without a newline.
          if (buffer.trim() !== '') events.push(JSON.parse(buffer) as WatchEvent);
          clean = true;
        });
        response.on('error', () => undefined);
        const ended = new Promise<'end' | 'aborted'>((done) => {
          response.on('close', () => {
            done(clean ? 'end' : 'aborted');
          });
        });
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          events,
          ended,
          until: (check) => settle(() => check(events)),
          close: () => request.destroy(),
        });
      },
    );
    request.on('error', reject);
  });
}

const CONFIGMAPS = '/api/v1/namespaces/ns/configmaps';

function configMap(name: string, labels: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } };
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata.name}`);
}

function expectIncreasingVersions(events: WatchEvent[]): void {
  const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
}

/** What an informer would hold after these events, by name. */
function replay(events: WatchEvent[]): Map<string, WatchEvent['object']> {
  const cache = new Map<string, WatchEvent['object']>();
  for (const event of events) {
    if (event.type === 'DELETED') cache.delete(event.object.metadata.name);
    else if (event.type === 'ADDED' || event.type === 'MODIFIED')
      cache.set(event.object.metadata.name, event.object);
  }
  return cache;
}

describe('fake Kubernetes API server: watches', () => {
  it('streams ADDED, MODIFIED and DELETED for a Deployment and the pods its controller makes', async () => {
    const deployments = await watch(`${DEPLOYMENTS}?watch=true`);
    const pods = await watch('/api/v1/namespaces/ns/pods?watch=1');
    expect(deployments.status).toBe(200);
    expect(deployments.headers['content-type']).toBe('application/json');
    expect(deployments.headers['transfer-encoding']).toBe('chunked');
    expect(fake.openWatches()).toBe(2);
    expect(fake.openWatches('pods')).toBe(1);

    await call('POST', DEPLOYMENTS, deployment('web'));
    await deployments.until((events) =>
      events.some((e) => (e.object.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2),
    );
    expect(deployments.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web' } } });
    expect(deployments.events.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true);
    const running = (events: WatchEvent[]) =>
      [...replay(events).values()].filter((p) => p.status?.phase === 'Running').length;
    await pods.until((events) => running(events) === 2);
    expect(pods.events.filter((e) => e.type === 'ADDED')).toHaveLength(2);

    await call('PATCH', `${DEPLOYMENTS}/web`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
    await pods.until((events) => running(events) === 3);
    await deployments.until((events) =>
      events.some((e) => e.type === 'MODIFIED' && e.object.spec?.replicas === 3),
    );

    await call('DELETE', `${DEPLOYMENTS}/web`);
    await deployments.until((events) => events.at(-1)?.type === 'DELETED');
    await pods.until((events) => replay(events).size === 0);
    expect(pods.events.filter((e) => e.type === 'DELETED')).toHaveLength(3);
    const deleted = deployments.events.at(-1);
    // The last state of the object, with the resourceVersion of its deletion.
    expect(deleted?.object.spec?.replicas).toBe(3);
    expect(Number(deleted?.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(deployments.events.at(-2)?.object.metadata.resourceVersion),
    );
    expectIncreasingVersions(deployments.events);
    expectIncreasingVersions(pods.events);
    expect(fake.requests.filter((r) => r.verb === 'watch').map((r) => r.resource)).toEqual([
      'deployments',
      'pods',
    ]);
  });

  it('sends what exists first, then changes, and an informer fed by it matches a list', async () => {
    await call('POST', DEPLOYMENTS, deployment('one', { replicas: 1 }));
    await call('POST', CONFIGMAPS, configMap('b', {}));
    await call('POST', CONFIGMAPS, configMap('a', {}));
    const pods = await watch('/api/v1/namespaces/ns/pods?watch=true&resourceVersion=0');
    const configMaps = await watch(`${CONFIGMAPS}?watch=true`);
    expect(summary(configMaps.events)).toEqual(['ADDED a', 'ADDED b']);
    await call('POST', DEPLOYMENTS, deployment('two', { replicas: 2 }));
    const ready = () =>
      fake.objects('pods').filter((p) => (p.status as { phase?: string }).phase === 'Running').length === 3;
    await settle(ready);
    const list = (await call('GET', '/api/v1/namespaces/ns/pods')).body as {
      metadata: { resourceVersion: string };
      items: WatchEvent['object'][];
    };
    await pods.until((events) => {
      const last = events.at(-1)?.object.metadata.resourceVersion;
      return (
        last !== undefined &&
        Number(last) >= Math.max(...list.items.map((p) => Number(p.metadata.resourceVersion)))
      );
    });
    expect(new Map(list.items.map((p) => [p.metadata.name, p]))).toEqual(replay(pods.events));
  });

  it('resumes from a resourceVersion with exactly the events after it', async () => {
    await call('POST', CONFIGMAPS, configMap('before', {}));
    const listed = (await call('GET', CONFIGMAPS)).body.metadata as { resourceVersion: string };
    const live = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=${listed.resourceVersion}`);
    await call('POST', CONFIGMAPS, configMap('x', {}));
    await call('PATCH', `${CONFIGMAPS}/before`, { data: { k: 'v2' } }, 'application/merge-patch+json');
    await call('POST', DEPLOYMENTS, deployment('other', { replicas: 0 }));
    await call('DELETE', `${CONFIGMAPS}/x`);
    await live.until((events) => events.length === 3);
    expect(summary(live.events)).toEqual(['ADDED x', 'MODIFIED before', 'DELETED x']);

    const resumed = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=${listed.resourceVersion}`);
    await resumed.until((events) => events.length === 3);
    expect(resumed.events).toEqual(live.events);
    const fromMiddle = live.events[0]?.object.metadata.resourceVersion ?? '';
    const later = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=${fromMiddle}`);
    await later.until((events) => events.length === 2);
    expect(later.events).toEqual(live.events.slice(1));

    // A resourceVersion from the future starts from now.
    const future = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=999999999`);
    await call('POST', CONFIGMAPS, configMap('after', {}));
    await future.until((events) => events.length === 1);
    expect(summary(future.events)).toEqual(['ADDED after']);
    expect((await watch(`${CONFIGMAPS}?watch=true&resourceVersion=abc`)).status).toBe(400);
  });

  it('answers 410 Expired for a resourceVersion older than the history kept', async () => {
    await call('POST', CONFIGMAPS, configMap('a', {}));
    const listed = (await call('GET', CONFIGMAPS)).body.metadata as { resourceVersion: string };
    fake.expireWatchHistory();
    const expired = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=${listed.resourceVersion}`);
    expect(expired.status).toBe(200);
    expect(await expired.ended).toBe('end');
    expect(expired.events).toHaveLength(1);
    expect(expired.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 },
    });
    expect(expired.events[0]?.object.message).toMatch(
      new RegExp(`^too old resource version: ${listed.resourceVersion} \\(\\d+\\)$`),
    );
    // Relisting gives a resourceVersion that can be watched from.
    const relisted = (await call('GET', CONFIGMAPS)).body.metadata as { resourceVersion: string };
    const watching = await watch(`${CONFIGMAPS}?watch=true&resourceVersion=${relisted.resourceVersion}`);
    await call('POST', CONFIGMAPS, configMap('b', {}));
    await watching.until((events) => events.length === 1);
    expect(summary(watching.events)).toEqual(['ADDED b']);

    const small = await FakeKubeServer.start({ namespaces: ['ns'], watchHistory: 4 });
    try {
      for (let i = 0; i < 12; i++) small.seed('configmaps', 'ns', configMap(`c${String(i)}`, {}));
      const first = small.objects('configmaps').find((c) => c.metadata.name === 'c0');
      const old = await watch(
        `${CONFIGMAPS}?watch=true&resourceVersion=${first?.metadata.resourceVersion ?? ''}`,
        small,
      );
      await old.until((events) => events.length === 1);
      expect(old.events[0]?.object.code).toBe(410);
      const recent = small.objects('configmaps').find((c) => c.metadata.name === 'c9');
      const resumed = await watch(
        `${CONFIGMAPS}?watch=true&resourceVersion=${recent?.metadata.resourceVersion ?? ''}`,
        small,
      );
      await resumed.until((events) => events.length === 2);
      expect(summary(resumed.events)).toEqual(['ADDED c10', 'ADDED c11']);
    } finally {
      await small.close();
    }
  });

  it('filters by label selector, sending DELETED and ADDED as objects leave and enter it', async () => {
    const selected = await watch(
      `${CONFIGMAPS}?watch=true&labelSelector=${encodeURIComponent('tier=spark')}`,
    );
    const all = await watch(`${CONFIGMAPS}?watch=true`);
    await call('POST', CONFIGMAPS, configMap('a', { tier: 'spark' }));
    await call('POST', CONFIGMAPS, configMap('b', { tier: 'other' }));
    const relabel = (name: string, tier: string) =>
      call(
        'PATCH',
        `${CONFIGMAPS}/${name}`,
        { metadata: { labels: { tier } } },
        'application/merge-patch+json',
      );
    await relabel('a', 'other');
    await relabel('b', 'spark');
    await call('PATCH', `${CONFIGMAPS}/b`, { data: { k: 'v2' } }, 'application/merge-patch+json');
    await call('DELETE', `${CONFIGMAPS}/b`);
    await call('POST', CONFIGMAPS, configMap('z', { tier: 'spark' }));
    await selected.until((events) => events.at(-1)?.object.metadata.name === 'z');
    await all.until((events) => events.at(-1)?.object.metadata.name === 'z');
    expect(summary(selected.events)).toEqual([
      'ADDED a',
      'DELETED a',
      'ADDED b',
      'MODIFIED b',
      'DELETED b',
      'ADDED z',
    ]);
    expect(summary(all.events)).toEqual([
      'ADDED a',
      'ADDED b',
      'MODIFIED a',
      'MODIFIED b',
      'MODIFIED b',
      'DELETED b',
      'ADDED z',
    ]);
    // Leaving the selector: the object as it was (still selected), with the resourceVersion of the change.
    expect(selected.events[1]?.object.metadata.labels).toEqual({ tier: 'spark' });
    expect(selected.events[1]?.object.metadata.resourceVersion).toBe(
      all.events[2]?.object.metadata.resourceVersion,
    );
    expect(selected.events[2]?.object.metadata.labels).toEqual({ tier: 'spark' });
    expectIncreasingVersions(selected.events);
    expect(fake.requests.filter((r) => r.verb === 'watch').map((r) => r.labelSelector)).toEqual([
      'tier=spark',
      undefined,
    ]);
    expect((await watch(`${CONFIGMAPS}?watch=true&labelSelector=${encodeURIComponent('a b')}`)).status).toBe(
      400,
    );
  });

  it('sends bookmarks only when allowed', async () => {
    const quick = await FakeKubeServer.start({ namespaces: ['ns'], watchBookmarkMs: 20 });
    try {
      const plain = await watch(`${DEPLOYMENTS}?watch=true`, quick);
      const marked = await watch(`${DEPLOYMENTS}?watch=true&allowWatchBookmarks=true`, quick);
      await marked.until((events) => events.length >= 3);
      quick.seed('configmaps', 'ns', configMap('moves-the-version', {}));
      const current = quick.objects('configmaps')[0]?.metadata.resourceVersion;
      await marked.until((events) => events.at(-1)?.object.metadata.resourceVersion === current);
      for (const event of marked.events) {
        const { resourceVersion } = event.object.metadata;
        expect(resourceVersion).toMatch(/^\d+$/);
        expect(event).toEqual({
          type: 'BOOKMARK',
          object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion } },
        });
      }
      expect(plain.events).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  it('ends a watch cleanly after timeoutSeconds', async () => {
    const started = Date.now();
    const stream = await watch(`${CONFIGMAPS}?watch=true&timeoutSeconds=1`);
    expect(await stream.ended).toBe('end');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.openWatches()).toBe(0);
  });

  it('drops open watches abruptly when told to, and on close', async () => {
    const one = await watch(`${CONFIGMAPS}?watch=true`);
    const two = await watch('/api/v1/namespaces/ns/pods?watch=true&allowWatchBookmarks=true');
    expect(fake.dropWatches()).toBe(2);
    expect(await one.ended).toBe('aborted');
    expect(await two.ended).toBe('aborted');
    expect(fake.openWatches()).toBe(0);

    const other = await FakeKubeServer.start({ namespaces: ['ns'] });
    const three = await watch(`${CONFIGMAPS}?watch=true&allowWatchBookmarks=true`, other);
    await other.close();
    expect(await three.ended).toBe('aborted');
    expect(other.openWatches()).toBe(0);
  });

  it('fails watches when told to, as other verbs', async () => {
    fake.failRequest({ verb: 'watch', resource: 'pods', status: 503, message: 'try later' });
    const failed = await watch('/api/v1/namespaces/ns/pods?watch=true&labelSelector=oshinko-cluster');
    expect(failed.status).toBe(503);
    expect(await failed.ended).toBe('end');
    expect(failed.events).toEqual([
      expect.objectContaining({ kind: 'Status', code: 503, message: 'try later' }),
    ]);
    const next = await watch('/api/v1/namespaces/ns/pods?watch=true&labelSelector=oshinko-cluster');
    expect(next.status).toBe(200);
    expect(fake.requests.filter((r) => r.verb === 'watch')).toEqual([
      { verb: 'watch', resource: 'pods', namespace: 'ns', name: undefined, labelSelector: 'oshinko-cluster' },
      { verb: 'watch', resource: 'pods', namespace: 'ns', name: undefined, labelSelector: 'oshinko-cluster' },
    ]);
    expect(fake.requests.some((r) => r.verb === 'list')).toBe(false);
  });
});

/** An oshinko cluster as the driver renders it, created in the fake. */
function sparkCluster(name: string, workers: number): void {
  const spec = {
    name,
    config: { ...builtinDefaults('docker.io/apache/spark:4.0.1'), workerCount: workers },
    imageSource: 'default' as const,
    storedConfig: undefined,
  };
  const context = { namespace: 'ns', routes: false, openshift: false, ingress: undefined };
  const master = fake.seed('deployments', 'ns', renderCluster(spec, context, 'x').master);
  const { secondary } = renderCluster(spec, context, master.metadata.uid);
  for (const object of secondary) {
    fake.seed(object.kind === 'Deployment' ? 'deployments' : 'services', 'ns', { ...object.body });
  }
}

const PROXY = '/api/v1/namespaces/ns/services/sp-ui:spark-webui/proxy/json/';

const podsOf = (type: string): KubeObject[] =>
  fake.objects('pods', 'ns').filter((p) => p.metadata.labels?.['oshinko-type'] === type);

const isReady = (pod: KubeObject) =>
  JSON.stringify(pod.status?.conditions ?? []).includes('"type":"Ready","status":"True"');

describe('fake Kubernetes API server: the service proxy to a Spark master', () => {
  it('answers 503 "no endpoints available" while no pod behind the Service is ready', async () => {
    fake.unschedulable.add('oshinko-cluster=sp,oshinko-type=master');
    sparkCluster('sp', 1);
    await settle(() => podsOf('worker').every(isReady));
    const answer = await call('GET', PROXY);
    expect(answer).toEqual({
      status: 503,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'no endpoints available for service "sp-ui:spark-webui"',
        reason: 'ServiceUnavailable',
        code: 503,
      },
    });
    expect(fake.requests.at(-1)).toEqual({
      verb: 'proxy',
      resource: 'services',
      namespace: 'ns',
      name: 'sp-ui:spark-webui',
      labelSelector: undefined,
    });
    const [master] = podsOf('master');
    expect(master?.spec?.nodeName).toBeUndefined();
    expect(master?.status?.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }),
    ]);
  });

  it("serves the master's /json/, listing its ready workers as ALIVE by pod IP, as Spark does", async () => {
    sparkCluster('sp', 2);
    await settle(() => fake.objects('pods', 'ns').length === 3 && fake.objects('pods', 'ns').every(isReady));
    const response = await fetch(`${fake.url}${PROXY}`, {
      headers: { authorization: `Bearer ${fake.bearerToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/json;charset=utf-8');
    const json = (await response.json()) as { status: string; workers: Record<string, unknown>[] };
    expect(json.status).toBe('ALIVE');
    const ips = podsOf('worker').map((p) => p.status?.podIP);
    expect(json.workers.map((w) => w.host).sort()).toEqual([...ips].sort());
    expect(json.workers[0]).toMatchObject({ state: 'ALIVE', cores: 2 });
    expect(typeof json.workers[0]?.port).toBe('number');
    expect(json.workers[0]?.webuiaddress).toBe(`http://${String(json.workers[0]?.host)}:8081`);
    // By port number too, and other paths of the UI are not simulated.
    expect((await call('GET', '/api/v1/namespaces/ns/services/sp-ui:8080/proxy/json')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/ns/services/sp-ui:8080/proxy/')).status).toBe(404);
  });

  it('lists no worker that cannot reach its master, and their logs say so', async () => {
    fake.setWorkersRegistered('sp', false);
    sparkCluster('sp', 1);
    await settle(() => fake.objects('pods', 'ns').length === 2 && fake.objects('pods', 'ns').every(isReady));
    expect((await call('GET', PROXY)).body).toMatchObject({ status: 'ALIVE', workers: [] });
    const worker = podsOf('worker')[0]?.metadata.name ?? '';
    const log = await fetch(`${fake.url}/api/v1/namespaces/ns/pods/${worker}/log`, {
      headers: { authorization: `Bearer ${fake.bearerToken}` },
    });
    expect(await log.text()).toContain('WARN Worker: Failed to connect to master sp:7077');
    fake.setWorkersRegistered('sp', true);
    expect((await call('GET', PROXY)).body).toMatchObject({ workers: [{ state: 'ALIVE' }] });
  });

  it('answers 404 for a Service that does not exist, 503 for a port it lacks, and fails when told to', async () => {
    sparkCluster('sp', 0);
    expect(await call('GET', '/api/v1/namespaces/ns/services/nope:80/proxy/json/')).toMatchObject({
      status: 404,
      body: { message: 'services "nope" not found' },
    });
    expect(await call('GET', '/api/v1/namespaces/ns/services/sp-ui:nope/proxy/json/')).toMatchObject({
      status: 503,
      body: { message: 'no service port "nope" found for service "sp-ui"' },
    });
    fake.failRequest({
      verb: 'proxy',
      status: 502,
      message: 'error trying to reach service: dial tcp: i/o timeout',
    });
    expect(await call('GET', PROXY)).toMatchObject({
      status: 502,
      body: { message: 'error trying to reach service: dial tcp: i/o timeout' },
    });
  });

  it('answers the log of a pod on no node with an empty 204 without a content type, as the API server does', async () => {
    fake.unschedulable.add('app=pending');
    await call('POST', DEPLOYMENTS, deployment('pending', { replicas: 1 }));
    const [pod] = fake.objects('pods', 'ns');
    const response = await fetch(`${fake.url}/api/v1/namespaces/ns/pods/${pod?.metadata.name ?? ''}/log`, {
      headers: { authorization: `Bearer ${fake.bearerToken}` },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('content-type')).toBeNull();
    expect(await response.text()).toBe('');
    expect(fake.objects('events', 'ns').map((e) => e.reason)).toContain('FailedScheduling');
  });
});

describe('fake Kubernetes API server: the client library informer', () => {
  it('lists then watches, resumes after a dropped watch and relists after 410 Expired', async () => {
    const config = kubeConfigObject(fake, 'ns');
    const core = config.makeApiClient(CoreV1Api);
    const informer = makeInformer(
      config,
      CONFIGMAPS,
      () => core.listNamespacedConfigMap({ namespace: 'ns', labelSelector: 'tier=spark' }),
      'tier=spark',
    );
    // The library leaves restarting after a broken connection to its user.
    informer.on('error', () => {
      setTimeout(() => void informer.start(), 10);
    });
    const names = () =>
      informer
        .list()
        .map((c) => c.metadata?.name)
        .sort();
    const lists = () => fake.requests.filter((r) => r.verb === 'list').length;
    try {
      await informer.start();
      await settle(() => fake.openWatches('configmaps') === 1);
      await call('POST', CONFIGMAPS, configMap('a', { tier: 'spark' }));
      await call('POST', CONFIGMAPS, configMap('b', { tier: 'other' }));
      await settle(() => names().join() === 'a');

      expect(fake.dropWatches()).toBe(1);
      await call('POST', CONFIGMAPS, configMap('c', { tier: 'spark' }));
      await settle(() => names().join() === 'a,c');
      expect(lists()).toBe(1);

      fake.expireWatchHistory();
      await settle(() => fake.openWatches('configmaps') === 1);
      expect(fake.dropWatches()).toBe(1);
      await call('DELETE', `${CONFIGMAPS}/a`);
      await call('POST', CONFIGMAPS, configMap('d', { tier: 'spark' }));
      await settle(() => names().join() === 'c,d');
      expect(lists()).toBe(2);
    } finally {
      await informer.stop();
    }
  });
});
