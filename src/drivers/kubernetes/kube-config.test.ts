import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigurationError } from '../../core/errors.js';
import { loadKubeConfig } from './kube-config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oshinko-kc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(namespace: string | undefined, server = 'https://api.example.test:6443'): string {
  const path = join(dir, `config-${String(namespace)}`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) } }],
      'current-context': 'ctx',
    }),
  );
  return path;
}

describe('loadKubeConfig', () => {
  it('takes the namespace from the flag, else from the context', () => {
    const file = kubeconfig('team');
    expect(loadKubeConfig({ kubeconfig: file, namespace: undefined, serviceHost: undefined })).toMatchObject({
      namespace: 'team',
      server: 'https://api.example.test:6443',
      source: `kubeconfig ${file}`,
    });
    expect(loadKubeConfig({ kubeconfig: file, namespace: 'other', serviceHost: undefined }).namespace).toBe(
      'other',
    );
  });

  it('refuses to guess a namespace', () => {
    expect(() =>
      loadKubeConfig({ kubeconfig: kubeconfig(undefined), namespace: undefined, serviceHost: undefined }),
    ).toThrow(/no namespace for clusters: pass --namespace/);
    expect(() =>
      loadKubeConfig({ kubeconfig: kubeconfig('team'), namespace: 'Bad_NS', serviceHost: undefined }),
    ).toThrow(/invalid namespace "Bad_NS"/);
  });

  it('never falls back to localhost: no configuration is a ConfigurationError', () => {
    const error = (() => {
      try {
        loadKubeConfig({
          kubeconfig: undefined,
          namespace: 'x',
          serviceHost: undefined,
          rootDir: dir,
          homeDir: dir,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG/,
    );
  });

  it('names a kubeconfig file that does not exist or is not valid', () => {
    expect(() =>
      loadKubeConfig({ kubeconfig: join(dir, 'nope'), namespace: 'x', serviceHost: undefined }),
    ).toThrow(/kubeconfig ".*nope" does not exist/);
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters: [');
    expect(() => loadKubeConfig({ kubeconfig: broken, namespace: 'x', serviceHost: undefined })).toThrow(
      /cannot read kubeconfig/,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': '' }));
    expect(() => loadKubeConfig({ kubeconfig: empty, namespace: 'x', serviceHost: undefined })).toThrow(
      /has no cluster/,
    );
  });

  it('uses ~/.kube/config when nothing else is given', () => {
    mkdirSync(join(dir, '.kube'));
    writeFileSync(
      join(dir, '.kube', 'config'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://home.example.test' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'mine' } }],
        'current-context': 'ctx',
      }),
    );
    expect(
      loadKubeConfig({
        kubeconfig: undefined,
        namespace: undefined,
        serviceHost: undefined,
        rootDir: dir,
        homeDir: dir,
      }),
    ).toMatchObject({
      namespace: 'mine',
      server: 'https://home.example.test',
    });
  });

  it('merges several kubeconfig files as KUBECONFIG lists them', () => {
    const first = kubeconfig('team');
    const second = join(dir, 'second');
    writeFileSync(
      second,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c2', cluster: { server: 'https://two.example.test' } }],
        users: [{ name: 'u2', user: { token: 't' } }],
        contexts: [{ name: 'ctx2', context: { cluster: 'c2', user: 'u2' } }],
        'current-context': 'ctx2',
      }),
    );
    expect(
      loadKubeConfig({ kubeconfig: `${first}:${second}`, namespace: undefined, serviceHost: undefined }),
    ).toMatchObject({
      namespace: 'team',
      server: 'https://api.example.test:6443',
    });
  });

  it('takes a plain http:// server (kubectl proxy) without insecure-skip-tls-verify, and leaves https alone', async () => {
    const proxied = loadKubeConfig({
      kubeconfig: kubeconfig('team', 'http://127.0.0.1:8001'),
      namespace: undefined,
      serviceHost: undefined,
    });
    // The client library refuses http:// unless TLS verification is off: it is, for this server only, in memory.
    expect(proxied.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
    const options: { agent?: unknown } = {};
    await proxied.kubeConfig.applyToHTTPSOptions(options);
    expect(options.agent).toBeInstanceOf(HttpAgent);

    const secure = loadKubeConfig({
      kubeconfig: kubeconfig('team'),
      namespace: undefined,
      serviceHost: undefined,
    });
    expect(secure.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(false);
  });
});
