import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import { tempHome } from '../support/local-spark.js';
import { assertBuilt, runCli, startCli, startServer, type ServerProcess } from './cli-process.js';

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
    // The versions to submit with: the image's Spark and the Python the executors run.
    expect(created.stdout).toMatch(
      /The cluster runs Spark 4\.3\.0 \(Scala 2\.13\), Python 3\.\d+\.\d+: submit with Spark 4\.3\.x/,
    );

    const version = await oshinko('version');
    expect(version.stdout).toMatch(/^driver:\s+local$/m);

    const listed = await oshinko('get');
    expect(listed.stdout).toMatch(/^spark1\s+Running\s+1\/1\s+\S+\s+spark:\/\//m);
    // The local driver's events, as kubectl describe shows events; the names as kubectl prints them.
    const shown = (await oshinko('get', 'spark1', '--nopods')).stdout;
    expect(shown).toMatch(/^ {2}Normal\s+Created\s+\S+\s+-\s+cluster spark1 created with image /m);
    expect(shown).toMatch(/^ {2}Normal\s+Started\s+\S+\s+\S+\s+\S+ started \(pid \d+\)$/m);
    expect((await oshinko('get', '-o', 'name')).stdout).toBe('cluster/spark1\n');
    const cluster = JSON.parse((await oshinko('get', 'spark1', '-o', 'json')).stdout) as ClusterModel;
    expect(cluster.masterUrl).toBe(master);

    const masterLog = await oshinko('logs', 'spark1', '--tail', '200');
    expect(masterLog.code).toBe(0);
    expect(masterLog.stdout).toContain('Master');
    const workerLog = await oshinko('logs', 'spark1', '--worker', '1', '--tail', '200');
    expect(workerLog.code).toBe(0);
    expect(workerLog.stdout).toMatch(/Successfully registered with master/);

    // A pod by name; the local driver has no containers and no previous instance's log, and says so.
    const workerPod = cluster.pods.find((p) => p.type === 'worker')?.name ?? '';
    const byName = await oshinko('logs', 'spark1', workerPod, '--tail', '200');
    expect(byName.stdout).toMatch(/Successfully registered with master/);
    const unknownPod = await oshinko('logs', 'spark1', 'spark1-w-9');
    expect(unknownPod.code).toBe(3);
    expect(unknownPod.stderr).toContain(`has no pod "spark1-w-9"; its pods: `);
    const container = await oshinko('logs', 'spark1', '-c', 'image-check');
    expect(container.code).toBe(2);
    expect(container.stderr).toContain("only container 'spark' has a log, not 'image-check'");
    const previous = await oshinko('logs', 'spark1', '--previous');
    expect(previous.code).toBe(2);
    expect(previous.stderr).toContain("keeps no separate log of a process's previous run");

    // submit: the cluster image's own client (local driver), versions checked, the application's output.
    const app = join(home, 'double.py');
    writeFileSync(
      app,
      [
        'import sys',
        'from pyspark.sql import SparkSession',
        'spark = SparkSession.builder.getOrCreate()',
        'n = int(sys.argv[1])',
        'print("RESULT", spark.sparkContext.parallelize(range(n), 2).map(lambda x: x * 2).sum())',
        'spark.stop()',
        '',
      ].join('\n'),
    );
    const conf = ['--conf', 'spark.driver.host=127.0.0.1', '--conf', 'spark.ui.enabled=false'];
    const submitted = await oshinko('submit', 'spark1', app, '10', ...conf);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toContain('RESULT 90');
    expect(submitted.stderr).toMatch(
      /cluster "spark1" runs Spark 4\.3\.0 \(Scala 2\.13\), Python [\d.]+; submitting with Spark 4\.3\.0, Python/,
    );
    // A client of another Spark is refused before anything is submitted.
    const other = join(home, 'other-spark');
    mkdirSync(join(other, 'bin'), { recursive: true });
    writeFileSync(
      join(other, 'bin', 'spark-submit'),
      '#!/bin/sh\necho "   /___/ .__/\\_,_/_/ /_/\\_\\   version 3.5.1"\necho "Using Scala version 2.12.18, OpenJDK 64-Bit Server VM, 17.0.12"\n',
    );
    chmodSync(join(other, 'bin', 'spark-submit'), 0o755);
    const refused = await oshinko('submit', 'spark1', app, '10', '--spark-home', other);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'error: the versions here do not fit cluster "spark1": Spark 3.5.1 here, 4.3.0 in the cluster (4.3.x needed); Scala 2.12.18 here, 2.13 in the cluster (2.13.x needed).',
    );
    expect(refused.stdout).toBe('');

    // Followed: a line written to the master's log arrives, and the follow ends with the cluster.
    const masterPod = cluster.pods.find((p) => p.type === 'master')?.name ?? '';
    const follow = startCli(['logs', 'spark1', '-f', '--tail', '1'], env);
    await follow.waitForOutput(/\n/);
    appendFileSync(join(home, 'clusters', 'spark1', 'logs', `${masterPod}.log`), 'followed line\n');
    await follow.waitForOutput(/followed line\n/);

    const deleted = await oshinko('delete', 'spark1', '--wait', '--interval', '500ms');
    expect(deleted.code).toBe(0);
    const followed = await follow.exited;
    expect(followed.code).toBe(0);
    expect(followed.stdout.split('\n').filter((line) => line === 'followed line')).toHaveLength(1);
    expect((await oshinko('get', 'spark1')).code).toBe(3);
  }, 300_000);
});
