import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import { tempHome } from '../support/local-spark.js';
import { assertBuilt, runCli, startServer, type ServerProcess } from './cli-process.js';

/** The built CLI as a process against a server process with the local driver: real Spark daemons. */

let home: string;
let server: ServerProcess;
let env: Record<string, string>;

function oshinko(...args: string[]) {
  return runCli(args, env, 300_000);
}

beforeAll(async () => {
  assertBuilt();
  home = await tempHome('oshinko-cli-local-');
  server = await startServer(['--driver', 'local', '--home', home], {
    ...(process.env.JAVA_HOME === undefined ? {} : { JAVA_HOME: process.env.JAVA_HOME }),
  });
  env = { OSHINKO_SERVER: server.url };
});

afterAll(async () => {
  await runCli(['delete', 'spark1'], env);
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('oshinko CLI against a local-driver server (real Spark)', () => {
  it('creates a cluster, waits for it, shows it, reads its logs and deletes it', async () => {
    const created = await oshinko(
      'create',
      'spark1',
      '--workers',
      '1',
      '--wait',
      '--timeout',
      '4m',
      '--interval',
      '500ms',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('cluster "spark1": Running, master 1/1, workers 1/1 ready');
    const master = /Spark master: (spark:\/\/\S+)/.exec(created.stdout)?.[1];
    expect(master).toMatch(/^spark:\/\/[\w.-]+:\d+$/);
    expect(created.stdout).toContain(`spark-submit --master ${master ?? ''}`);

    const version = await oshinko('version');
    expect(version.stdout).toMatch(/^driver:\s+local$/m);

    const listed = await oshinko('get');
    expect(listed.stdout).toMatch(/^spark1\s+Running\s+1\/1\s+\S+\s+spark:\/\//m);
    const cluster = JSON.parse((await oshinko('get', 'spark1', '-o', 'json')).stdout) as ClusterModel;
    expect(cluster.masterUrl).toBe(master);

    const masterLog = await oshinko('logs', 'spark1', '--tail', '200');
    expect(masterLog.code).toBe(0);
    expect(masterLog.stdout).toContain('Master');
    const workerLog = await oshinko('logs', 'spark1', '--worker', '1', '--tail', '200');
    expect(workerLog.code).toBe(0);
    expect(workerLog.stdout).toMatch(/Successfully registered with master/);

    const deleted = await oshinko('delete', 'spark1', '--wait', '--interval', '500ms');
    expect(deleted.code).toBe(0);
    expect((await oshinko('get', 'spark1')).code).toBe(3);
  }, 300_000);
});
