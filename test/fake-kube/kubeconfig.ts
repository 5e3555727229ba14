import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { FakeKubeServer } from './fake-kube-server.js';

/** The kubeconfig a user would have for the fake server: one cluster, one token user, one context. */
export function kubeconfigFor(fake: FakeKubeServer, namespace: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // The fake speaks plain HTTP, which the client library allows only with TLS verification off.
    clusters: [{ name: 'fake', cluster: { server: fake.url, 'insecure-skip-tls-verify': true } }],
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
export function writeKubeconfig(fake: FakeKubeServer, namespace: string | undefined): KubeconfigFile {
  const dir = mkdtempSync(join(tmpdir(), 'oshinko-kubeconfig-'));
  const path = join(dir, 'config');
  writeFileSync(path, stringify(kubeconfigFor(fake, namespace)), { mode: 0o600 });
  return {
    path,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
