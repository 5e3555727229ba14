import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeServer, parseLabelSelector } from './fake-kube-server.js';

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
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('did not settle');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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
    const fresh = {
      ...deployment('web', { replicas: 3 }),
      metadata: { name: 'web', resourceVersion: meta.resourceVersion },
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
