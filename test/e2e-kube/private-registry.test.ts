/**
 * A custom image in a private registry, as most users have one: TLS with the site's own CA, logins required
 * (test/e2e-kube/registry.ts runs Debian's docker-registry so on this machine). Without a pull secret the cluster
 * says the registry refused it; with one (the server's default OSHINKO_IMAGE_PULL_SECRETS) it runs; an image
 * rebuilt under the same tag is what a new pod runs with `imagePullPolicy: Always`; a tag the registry lacks and a
 * Secret that does not exist are named as such.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import {
  allRegistered,
  commitDerivedImage,
  daemonPid,
  kubectl,
  podsOf,
  removeImage,
  waitForCluster,
  WORKER_CLASS,
} from './real-cluster.js';
import { servedSuite } from './suite.js';
import { startRegistry, type PrivateRegistry } from './registry.js';

const FLAVOR = '/opt/oshinko/flavor';
const SECRET = 'team-registry';

describe('a custom image in a private registry', () => {
  let registry: PrivateRegistry | undefined;
  const local = `localhost/oshinko-test/private:${Date.now().toString(36)}`;

  const suite = servedSuite('e2e-registry', {
    // The site's pull secret is the server's default: clusters that name none get it.
    env: { OSHINKO_IMAGE_PULL_SECRETS: SECRET },
    prepare: async ({ cluster, namespace }) => {
      registry = await startRegistry(cluster);
      await kubectl(cluster, [
        'create',
        'secret',
        'docker-registry',
        SECRET,
        '-n',
        namespace,
        `--docker-server=${registry.host}`,
        `--docker-username=${registry.username}`,
        `--docker-password=${registry.password}`,
      ]);
    },
    teardown: async () => {
      await registry?.close();
    },
  });

  /** Builds the image with `flavor` in it and pushes it as `team/spark:<tag>`; returns its digest there. */
  async function publish(tag: string, flavor: string): Promise<string> {
    if (registry === undefined) throw new Error('no registry');
    await commitDerivedImage(suite.image, local, { [FLAVOR]: `${flavor}\n` });
    try {
      return await registry.push(local, `team/spark:${tag}`);
    } finally {
      await removeImage(local);
    }
  }

  /** What the worker JVM of a pod sees in its own file system: the image content it really runs. */
  function flavorOf(ip: string): string {
    return readFileSync(`/proc/${String(daemonPid(WORKER_CLASS, ip))}/root${FLAVOR}`, 'utf8').trim();
  }

  it('says the registry refused a pull without credentials, and names a tag the registry lacks', async () => {
    if (registry === undefined) throw new Error('no registry');
    const image = `${registry.host}/team/spark:v1`;
    await publish('v1', 'one');
    const degraded = (seen: ClusterModel) => seen.status === 'Degraded';
    try {
      // `[]` is no pull secret at all, over the server's default.
      await suite.client.createCluster({
        name: 'anonymous',
        config: { sparkImage: image, workerCount: 0, imagePullSecrets: [] },
      });
      await suite.client.createCluster({
        name: 'missing-tag',
        config: { sparkImage: `${registry.host}/team/spark:no-such-tag`, workerCount: 0 },
      });
      const anonymous = await waitForCluster(suite.client, 'anonymous', degraded, 90_000);
      expect(anonymous.config.imagePullSecrets).toEqual([]);
      expect(anonymous.reason).toContain('anonymous-m-');
      expect(anonymous.reason).toContain(image);
      expect(anonymous.reason).toMatch(/401 Unauthorized|unauthorized|authorization failed/i);
      const missing = await waitForCluster(suite.client, 'missing-tag', degraded, 90_000);
      expect(missing.config.imagePullSecrets).toEqual([SECRET]);
      expect(missing.reason).toContain(`${registry.host}/team/spark:no-such-tag`);
      expect(missing.reason).toMatch(/not found/i);
    } finally {
      await suite.client.deleteCluster('anonymous').catch(() => undefined);
      await suite.client.deleteCluster('missing-tag').catch(() => undefined);
    }
  });

  it('refuses a pull secret that does not exist, naming it, and creates nothing', async () => {
    const error = await suite.client
      .createCluster({ name: 'typo', config: { imagePullSecrets: ['team-registy'] } })
      .then(
        () => undefined,
        (failure: unknown) => failure as { api?: { status: number; field?: string }; message: string },
      );
    expect(error?.api).toMatchObject({ status: 422, field: 'config.imagePullSecrets[0]' });
    expect(error?.message).toContain(
      `config.imagePullSecrets[0] names Secret 'team-registy', which does not exist in namespace '${suite.namespace}'`,
    );
    const left = await kubectl(suite.cluster, [
      'get',
      'deployments,services,pods',
      '-n',
      suite.namespace,
      '-l',
      'oshinko-cluster=typo',
      '-o',
      'name',
    ]);
    expect(left.trim()).toBe('');
  });

  it('runs the image with the default pull secret, and a new pod runs the image rebuilt under the same tag', async () => {
    if (registry === undefined) throw new Error('no registry');
    const image = `${registry.host}/team/spark:rebuilt`;
    const first = await publish('rebuilt', 'first build');
    await suite.client.createCluster({
      name: 'private',
      config: { sparkImage: image, workerCount: 1, imagePullPolicy: 'Always' },
    });
    const running = await waitForCluster(suite.client, 'private', allRegistered);
    expect(running.config).toMatchObject({ imagePullSecrets: [SECRET], imagePullPolicy: 'Always' });
    const [worker] = (await podsOf(suite.cluster, suite.namespace, 'private')).filter(
      (pod) => pod.type === 'worker',
    );
    if (worker === undefined) throw new Error('no worker pod');
    expect(flavorOf(worker.ip)).toBe('first build');
    const imageId = async (pod: string) =>
      (
        await kubectl(suite.cluster, [
          'get',
          'pod',
          pod,
          '-n',
          suite.namespace,
          '-o',
          'jsonpath={.status.containerStatuses[0].imageID}',
        ])
      ).trim();
    expect(await imageId(worker.name)).toBe(`${image.replace(/:rebuilt$/, '')}@${first}`);

    // Rebuilt and pushed under the same tag: the running pod keeps what it pulled, a new pod pulls afresh.
    const second = await publish('rebuilt', 'second build');
    expect(second).not.toBe(first);
    await kubectl(suite.cluster, ['delete', 'pod', worker.name, '-n', suite.namespace, '--wait=false']);
    const healed = await waitForCluster(
      suite.client,
      'private',
      (seen) =>
        allRegistered(seen) && seen.pods.some((pod) => pod.type === 'worker' && pod.name !== worker.name),
    );
    const newcomer = healed.pods.find((pod) => pod.type === 'worker' && pod.name !== worker.name);
    if (newcomer === undefined) throw new Error('no new worker');
    expect(flavorOf(newcomer.ip)).toBe('second build');
    expect(await imageId(newcomer.name)).toBe(`${image.replace(/:rebuilt$/, '')}@${second}`);
    await suite.client.deleteCluster('private');
  });
});
