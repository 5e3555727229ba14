/**
 * What a cluster's pods are given and allowed, on a real Kubernetes: a namespace that enforces the `restricted`
 * Pod Security Standard (the API server's own admission plugin decides, not a check of ours), per-role CPU and
 * memory, which each worker then offers its master, and the image pull policy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  daemonPid,
  MASTER_CLASS,
  allRegistered,
  kubectl,
  kubectlJson,
  masterJson,
  waitForCluster,
} from './real-cluster.js';
import { servedSuite } from './suite.js';

describe('a namespace that enforces the restricted Pod Security Standard', () => {
  const suite = servedSuite('e2e-restricted', {
    prepare: async ({ cluster, namespace }) => {
      await kubectl(cluster, [
        'label',
        'namespace',
        namespace,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/enforce-version=latest',
      ]);
    },
  });

  it('refuses a plain pod (the plugin is on), and runs a cluster whose workers offer what they were given', async () => {
    // The admission plugin is really enforcing: a plain pod with default settings is refused.
    const refused = await kubectl(suite.cluster, [
      'run',
      'plain',
      '-n',
      suite.namespace,
      '--image=localhost/oshinko/pause:3.10',
      '--image-pull-policy=Never',
    ]).then(
      () => '',
      (error: unknown) => String((error as { stderr?: string }).stderr ?? error),
    );
    expect(refused).toMatch(/violates PodSecurity "restricted:latest"/);

    await kubectl(suite.cluster, [
      'create',
      'secret',
      'generic',
      'spark-secrets',
      '-n',
      suite.namespace,
      '--from-literal=token=s3cr3t-1',
    ]);
    await suite.client.createCluster({
      name: 'strict',
      config: {
        workerCount: 2,
        workerResources: { cpu: 1, memory: '1Gi' },
        masterResources: { memory: '1Gi' },
        labels: { team: 'data' },
        env: [
          { name: 'APP_TOKEN', secretKeyRef: { name: 'spark-secrets', key: 'token' } },
          { name: 'APP_MODE', value: 'fast' },
        ],
      },
    });
    const running = await waitForCluster(suite.client, 'strict', allRegistered);
    expect(running.workers).toEqual({ desired: 2, ready: 2 });
    expect(running.config.workerResources).toEqual({ cpu: '1', memory: '1Gi' });
    // The master's own view: each worker offers what its container was given, by the documented rule
    // (1Gi less 512 MiB for the daemon and 10%: 409 MiB), not the node's 2 cores and all of its memory.
    const master = (await masterJson(suite.cluster, suite.namespace, 'strict-ui')) as unknown as {
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
    }>(suite.cluster, ['get', 'pods', '-n', suite.namespace, '-l', 'oshinko-cluster=strict']);
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
      const given =
        pod.metadata.labels['oshinko-type'] === 'worker' ? { cpu: '1', memory: '1Gi' } : { memory: '1Gi' };
      expect(pod.spec.containers[0]?.resources).toEqual({ requests: given, limits: given });
    }
    // The env reaches the Spark daemons themselves: the master JVM's own environment, read from the host (container
    // processes are host processes), has the Secret's value.
    const masterPod = running.pods.find((p) => p.type === 'master');
    const environ = readFileSync(
      `/proc/${String(daemonPid(MASTER_CLASS, masterPod?.ip ?? ''))}/environ`,
      'utf8',
    ).split('\0');
    expect(environ).toContain('APP_TOKEN=s3cr3t-1');
    expect(environ).toContain('APP_MODE=fast');
    const labelled = await kubectl(suite.cluster, [
      'get',
      'pods',
      '-n',
      suite.namespace,
      '-l',
      'team=data',
      '-o',
      'name',
    ]);
    expect(labelled.trim().split('\n')).toHaveLength(3);
    // No pull policy asked: the pods have Kubernetes' default for a tagged image, and the cluster says so.
    expect(running.config.imagePullPolicy).toBe('IfNotPresent');
    await suite.client.deleteCluster('strict');
  });

  it('runs on a node tainted for Spark only with the toleration, and says the taint stops it without', async () => {
    const taint = 'oshinko-test/dedicated=spark:NoSchedule';
    await kubectl(suite.cluster, ['taint', 'node', suite.cluster.nodeName, taint]);
    try {
      await suite.client.createCluster({ name: 'untolerated', config: { workerCount: 0 } });
      await suite.client.createCluster({
        name: 'tolerated',
        config: {
          workerCount: 1,
          tolerations: [
            { key: 'oshinko-test/dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
            {
              key: 'example.com/maintenance',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 30,
            },
          ],
        },
      });
      const running = await waitForCluster(suite.client, 'tolerated', allRegistered);
      expect(running.config.tolerations).toEqual([
        { key: 'oshinko-test/dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' },
        { key: 'example.com/maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      ]);
      const blocked = await waitForCluster(
        suite.client,
        'untolerated',
        (seen) => (seen.reason ?? '').includes('Unschedulable'),
        60_000,
      );
      expect(blocked.status).not.toBe('Running');
      expect(blocked.reason).toMatch(/had untolerated taint/);
    } finally {
      await kubectl(suite.cluster, ['taint', 'node', suite.cluster.nodeName, `${taint}-`]);
      await suite.client.deleteCluster('untolerated').catch(() => undefined);
      await suite.client.deleteCluster('tolerated').catch(() => undefined);
    }
  });

  it('says unschedulable, in the scheduler words, when no node matches the nodeSelector', async () => {
    await suite.client.createCluster({
      name: 'nowhere',
      config: { workerCount: 1, nodeSelector: { disk: 'none-here' } },
    });
    const waiting = await waitForCluster(
      suite.client,
      'nowhere',
      (c) => (c.reason ?? '').includes('Unschedulable'),
      60_000,
    );
    expect(waiting.status).toBe('Creating');
    expect(waiting.reason).toMatch(/didn't match Pod's node affinity\/selector/);
    await suite.client.deleteCluster('nowhere');
  });

  it('honours imagePullPolicy Never: an image the node lacks is Degraded with the kubelet reason, at once', async () => {
    const missing = 'localhost/oshinko-e2e/never-pulled:1';
    const created = await suite.client.createCluster({
      name: 'never',
      config: { workerCount: 1, sparkImage: missing, imagePullPolicy: 'Never' },
    });
    expect(created.config.imagePullPolicy).toBe('Never');
    const degraded = await waitForCluster(suite.client, 'never', (c) => c.status === 'Degraded', 60_000);
    expect(degraded.reason).toMatch(/ErrImageNeverPull/);
    expect(degraded.reason).toContain(missing);
    await suite.client.deleteCluster('never');
  });
});
