import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubeServer } from '../fake-kube/fake-kube-server.js';
import { writeKubeconfig, type KubeconfigFile } from '../fake-kube/kubeconfig.js';
import { assertBuilt, REPO, startServer } from '../cli/cli-process.js';
import { tempHome } from '../support/local-spark.js';

/**
 * `npm start` on a machine where kubectl is set up: the server runs clusters here unless the user asks for
 * Kubernetes, and says at start where they run. The script is run as `npm start` runs it, after its build steps.
 */

const START = join(REPO, 'scripts', 'start.mjs');

let fake: FakeKubeServer;
let kubeconfig: KubeconfigFile;
let home: string;

beforeAll(async () => {
  assertBuilt();
  fake = await FakeKubeServer.start();
  kubeconfig = writeKubeconfig(fake, 'spark');
  home = await tempHome('oshinko-npm-start-');
});

afterAll(async () => {
  await fake.close();
  kubeconfig.remove();
  rmSync(home, { recursive: true, force: true });
});

/** The server `npm start -- ARGS` starts with this environment; its first lines, then it stops. */
async function npmStart(args: string[], env: Record<string, string>): Promise<string> {
  const server = await startServer(args, { OSHINKO_HOME: home, KUBECONFIG: kubeconfig.path, ...env }, [
    START,
  ]);
  await server.stop();
  return server.output();
}

describe('npm start', () => {
  it('runs the script that chooses the local driver', () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.start).toMatch(/ && node scripts\/start\.mjs$/);
  });

  it('serves clusters on this machine even when a kubeconfig exists, and says so', async () => {
    const output = await npmStart([], {});
    expect(output).toContain(`serving clusters on this machine (local driver, data in ${home})`);
    expect(output).toContain('oshinko local driver listening on http://127.0.0.1:');
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [['--driver', 'kubernetes'], {}],
    [['--driver=kubernetes'], {}],
    [[], { OSHINKO_DRIVER: 'kubernetes' }],
  ])('serves them on Kubernetes when asked (%j %j), naming the context and namespace', async (args, env) => {
    const output = await npmStart(args, env);
    expect(output).toContain(
      'serving clusters on Kubernetes: context "fake", namespace "spark" (from the kubeconfig context)\n',
    );
    expect(output).toContain('oshinko kubernetes driver listening on');
  });
});

describe('oshinko serve', () => {
  it('keeps finding a kubeconfig on its own, and says where its clusters go and how to keep them here', async () => {
    const server = await startServer([], { OSHINKO_HOME: home, KUBECONFIG: kubeconfig.path });
    await server.stop();
    expect(server.output()).toContain(
      'serving clusters on Kubernetes: context "fake", namespace "spark" (from the kubeconfig context); set --driver local (or OSHINKO_DRIVER=local) to run them on this machine\n',
    );
  });
});
