import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubeServer } from '../fake-kube/fake-kube-server.js';
import { writeKubeconfig, type KubeconfigFile } from '../fake-kube/kubeconfig.js';
import { assertBuilt, runCli, startServer, type ServerProcess } from '../cli/cli-process.js';
import { DEPLOY, kubernetesManifests } from './manifests.js';

/**
 * The image's command with the Deployment's environment, run as a process against the fake Kubernetes API:
 * it refuses to start without the token Secret, and with it answers the probes the Deployment declares.
 */

interface Container {
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown; fieldRef?: unknown } }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
}

function imageCommand(): string[] {
  const text = readFileSync(join(DEPLOY, 'Containerfile'), 'utf8');
  const json = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    return JSON.parse(line.slice(name.length + 1)) as string[];
  };
  // ["node", "bin/oshinko.js"] + ["serve", ...]: the arguments after the script are the CLI's.
  return [...json('ENTRYPOINT'), ...json('CMD')].slice(2);
}

function container(): Container {
  const deployment = kubernetesManifests().find(({ object }) => object.kind === 'Deployment')?.object;
  const spec = deployment?.spec as { template: { spec: { containers: Container[] } } };
  const first = spec.template.spec.containers[0];
  if (first === undefined) throw new Error('no container');
  return first;
}

/** The container's environment as the kubelet would set it, with the Secret's value given. */
function containerEnv(token: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container().env) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef !== undefined) {
      if (token !== undefined) env[variable.name] = token;
    } else if (variable.valueFrom?.fieldRef !== undefined) env[variable.name] = 'default';
  }
  return env;
}

let fake: FakeKubeServer;
let kubeconfig: KubeconfigFile;
let server: ServerProcess | undefined;

beforeAll(async () => {
  assertBuilt();
  fake = await FakeKubeServer.start();
  kubeconfig = writeKubeconfig(fake, 'default');
});

afterAll(async () => {
  await server?.stop();
  await fake.close();
  kubeconfig.remove();
});

describe('the server image command with the Deployment environment', () => {
  it('refuses to listen on all interfaces without the token Secret', async () => {
    const result = await runCli(imageCommand(), { ...containerEnv(undefined), KUBECONFIG: kubeconfig.path });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without a token');
  });

  it('with the token, serves the probes and guards the API', async () => {
    // Same command, but on loopback: tests never listen on other interfaces.
    const args = imageCommand()
      .map((arg) => (arg === '0.0.0.0' ? '127.0.0.1' : arg))
      .slice(1);
    server = await startServer(args, { ...containerEnv('s3cret'), KUBECONFIG: kubeconfig.path });
    const probes = container();
    for (const path of [probes.readinessProbe.httpGet.path, probes.livenessProbe.httpGet.path]) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    expect((await fetch(`${server.url}/clusters`)).status).toBe(401);
    const authorized = await fetch(`${server.url}/clusters`, { headers: { authorization: 'Bearer s3cret' } });
    expect(authorized.status).toBe(200);
    expect(fake.requests.some((request) => request.namespace === 'default')).toBe(true);
  });
});
