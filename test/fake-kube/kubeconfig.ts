import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { FakeKubeServer } from './fake-kube-server.js';

export interface KubeconfigShape {
  /**
   * Whether the cluster says `insecure-skip-tls-verify: true` (default). The fake speaks plain http://; without the
   * flag, the kubeconfig is what `kubectl proxy` users have, which kubectl accepts and so must the server.
   */
  readonly insecureSkipTlsVerify?: boolean | undefined;
}

/** The kubeconfig a user would have for the fake server: one cluster, one token user, one context. */
export function kubeconfigFor(
  fake: FakeKubeServer,
  namespace: string | undefined,
  shape: KubeconfigShape = {},
): Record<string, unknown> {
  const skip = shape.insecureSkipTlsVerify ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'fake', cluster: { server: fake.url, ...(skip ? { 'insecure-skip-tls-verify': true } : {}) } },
    ],
    users: [{ name: 'tester', user: { token: fake.bearerToken } }],
    contexts: [
      {
        name: 'fake',
        context: { cluster: 'fake', user: 'tester', ...(namespace === undefined ? {} : { namespace }) },
      },
    ],
    'current-context': 'fake',
  };
}

/** The same, in memory, built the way the client library's `loadFromOptions` expects. */
export function kubeConfigObject(fake: FakeKubeServer, namespace = 'default'): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: fake.bearerToken }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester', namespace }],
    currentContext: 'fake',
  });
  return config;
}

export interface KubeconfigFile {
  readonly path: string;
  remove(): void;
}

/** Writes the kubeconfig to a temporary file, for code that loads it as `--kubeconfig` would. */
export function writeKubeconfig(
  fake: FakeKubeServer,
  namespace: string | undefined,
  shape: KubeconfigShape = {},
): KubeconfigFile {
  const dir = mkdtempSync(join(tmpdir(), 'oshinko-kubeconfig-'));
  const path = join(dir, 'config');
  writeFileSync(path, stringify(kubeconfigFor(fake, namespace, shape)), { mode: 0o600 });
  return {
    path,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
