/**
 * What a cluster's pods are given and allowed, on a real Kubernetes: a namespace that enforces the `restricted`
 * Pod Security Standard (the API server's own admission plugin decides, not a check of ours), and per-role CPU and
 * memory, which each worker then offers its master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OshinkoClient } from '../../src/client/oshinko-client.js';
import type { RunningServer } from '../../src/server/serve.js';
import {
  allRegistered,
  baseImageArchive,
  createNamespace,
  kubectl,
  kubectlJson,
  masterJson,
  requireRealCluster,
  startServer,
  waitForCluster,
  type RealCluster,
} from './real-cluster.js';

describe('a namespace that enforces the restricted Pod Security Standard', () => {
  let cluster: RealCluster;
  let namespace: { name: string; remove: () => Promise<void> } | undefined;
  let ns = '';
  let server: RunningServer | undefined;
  let client: OshinkoClient;

  beforeAll(async () => {
    cluster = requireRealCluster();
    const { image } = await baseImageArchive();
    namespace = await createNamespace(cluster, 'e2e-restricted');
    ns = namespace.name;
    await kubectl(cluster, [
      'label',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=latest',
    ]);
    ({ server, client } = await startServer(cluster, ns, image));
  });

  afterAll(async () => {
    await server?.close();
    await namespace?.remove();
  });

  it('refuses a plain pod (the plugin is on), and runs a cluster whose workers offer what they were given', async () => {
    // The admission plugin is really enforcing: a plain pod with default settings is refused.
    const refused = await kubectl(cluster, [
      'run',
      'plain',
      '-n',
      ns,
      '--image=localhost/oshinko/pause:3.10',
      '--image-pull-policy=Never',
    ]).then(
      () => '',
      (error: unknown) => String((error as { stderr?: string }).stderr ?? error),
    );
    expect(refused).toMatch(/violates PodSecurity "restricted:latest"/);

    await client.createCluster({
      name: 'strict',
      config: {
        workerCount: 2,
        workerResources: { cpu: 1, memory: '1Gi' },
        masterResources: { memory: '1Gi' },
      },
    });
    const running = await waitForCluster(client, 'strict', allRegistered);
    expect(running.workers).toEqual({ desired: 2, ready: 2 });
    expect(running.config.workerResources).toEqual({ cpu: '1', memory: '1Gi' });
    // The master's own view: each worker offers what its container was given, by the documented rule
    // (1Gi less 512 MiB for the daemon and 10%: 409 MiB), not the node's 2 cores and all of its memory.
    const master = (await masterJson(cluster, ns, 'strict-ui')) as unknown as {
      workers: { state: string; cores: number; memory: number }[];
    };
    const alive = master.workers.filter((w) => w.state === 'ALIVE');
    expect(alive.map((w) => [w.cores, w.memory])).toEqual([
      [1, 409],
      [1, 409],
    ]);
    // The pods run as the image's non-root user, with nothing but what the standard allows.
    const pods = await kubectlJson<{
      items: {
        metadata: { labels: Record<string, string> };
        spec: {
          securityContext?: { runAsNonRoot?: boolean };
          containers: { resources?: { requests?: object; limits?: object } }[];
        };
      }[];
    }>(cluster, ['get', 'pods', '-n', ns, '-l', 'oshinko-cluster=strict']);
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
      const given =
        pod.metadata.labels['oshinko-type'] === 'worker' ? { cpu: '1', memory: '1Gi' } : { memory: '1Gi' };
      expect(pod.spec.containers[0]?.resources).toEqual({ requests: given, limits: given });
    }
    await client.deleteCluster('strict');
  });
});
