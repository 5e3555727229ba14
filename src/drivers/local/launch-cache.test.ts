import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LaunchCache, type LaunchProfile } from './launch-cache.js';
import { launchKey } from './launch-key.js';

let root: string;
let spark: string;
let env: Record<string, string>;

async function fakeJdk(dir: string, modules: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'lib'), { recursive: true });
  await writeFile(join(dir, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(dir, 'lib', 'modules'), modules);
  await writeFile(join(dir, 'release'), 'JAVA_VERSION="17.0.15"\n');
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oshinko-launch-'));
  spark = join(root, 'spark');
  await mkdir(join(spark, 'jars'), { recursive: true });
  await mkdir(join(spark, 'conf'), { recursive: true });
  await writeFile(join(spark, 'jars', 'spark-core_2.13-4.3.0.jar'), 'core');
  await fakeJdk(join(root, 'jdk'), 'modules');
  env = { JAVA_HOME: join(root, 'jdk'), SPARK_DAEMON_MEMORY: '256m', PATH: '/usr/bin' };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const runtime = () => ({ kind: 'runtime' as const, sparkHome: spark, distribution: spark });

describe('launchKey', () => {
  it('is the same for the same image, JDK and environment (PATH and other variables aside)', async () => {
    const key = await launchKey(runtime(), env);
    expect(key).toMatch(/^[0-9a-f]{20}$/);
    expect(await launchKey(runtime(), { ...env, PATH: '/elsewhere', OSHINKO_CLUSTER: 'x' })).toBe(key);
  });

  it('changes with what an archive or a command depends on', async () => {
    const key = await launchKey(runtime(), env);
    // The daemons' options and memory.
    expect(await launchKey(runtime(), { ...env, SPARK_DAEMON_JAVA_OPTS: '-Dx=1' })).not.toBe(key);
    expect(await launchKey(runtime(), { ...env, SPARK_DAEMON_MEMORY: '512m' })).not.toBe(key);
    // Another JDK.
    await fakeJdk(join(root, 'jdk2'), 'modules');
    expect(await launchKey(runtime(), { ...env, JAVA_HOME: join(root, 'jdk2') })).not.toBe(key);
    // The same JDK updated in place (its module image changed).
    await writeFile(join(root, 'jdk', 'lib', 'modules'), 'modules, updated');
    const updated = await launchKey(runtime(), env);
    expect(updated).not.toBe(key);
    // A jar more on the class path, and the image's spark-env.sh.
    await writeFile(join(spark, 'jars', 'extra.jar'), 'extra');
    const withJar = await launchKey(runtime(), env);
    expect(withJar).not.toBe(updated);
    await writeFile(join(spark, 'conf', 'spark-env.sh'), 'SPARK_DIST_CLASSPATH=/x.jar\n');
    expect(await launchKey(runtime(), env)).not.toBe(withJar);
  });

  it("covers a built image's own jars and conf", async () => {
    const image = join(root, 'image');
    await mkdir(join(image, 'jars'), { recursive: true });
    await mkdir(join(image, 'conf'), { recursive: true });
    const built = { kind: 'built' as const, sparkHome: image, distribution: spark };
    const key = await launchKey(built, env);
    expect(key).not.toBe(await launchKey(runtime(), env));
    await writeFile(join(image, 'jars', 'driver.jar'), 'jdbc');
    expect(await launchKey(built, env)).not.toBe(key);
  });

  it('fails, naming the places, when there is no java', async () => {
    await expect(launchKey(runtime(), { PATH: join(root, 'nothing') })).rejects.toThrow(
      /java was found neither in JAVA_HOME nor on PATH/,
    );
  });
});

describe('LaunchCache.find', () => {
  const profile = (key: string, archives: LaunchProfile['archives']): LaunchProfile => ({
    format: 2,
    key,
    sparkHome: spark,
    createdAt: '2026-01-01T00:00:00.000Z',
    commands: {
      master: ['/jdk/bin/java', 'org.apache.spark.deploy.master.Master'],
      worker: ['/jdk/bin/java', 'org.apache.spark.deploy.worker.Worker'],
    },
    archives,
    archiveProblem: archives === undefined ? 'the worker wrote no archive' : undefined,
    executorArchive: archives === undefined ? undefined : 'executor.jsa',
    executorArchiveProblem: archives === undefined ? 'the run that makes the archives failed' : undefined,
  });

  it('finds nothing before a launch is kept', async () => {
    const cache = new LaunchCache(join(root, 'cache'), { makeArchives: true });
    const found = await cache.find(runtime(), env);
    expect(found.launch).toBeUndefined();
    expect(found.state).toBe('none');
  });

  it('gives a kept launch with its archives as absolute paths', async () => {
    const cache = new LaunchCache(join(root, 'cache'), { makeArchives: true });
    const key = await launchKey(runtime(), env);
    await mkdir(join(root, 'cache', key), { recursive: true });
    await writeFile(
      join(root, 'cache', key, 'launch.json'),
      JSON.stringify(profile(key, { master: 'master.jsa', worker: 'worker.jsa' })),
    );
    const found = await cache.find(runtime(), env);
    expect(found.state).toBe('ready');
    expect(found.launch?.archives).toEqual({
      master: join(root, 'cache', key, 'master.jsa'),
      worker: join(root, 'cache', key, 'worker.jsa'),
    });
    expect(found.launch?.executorArchive).toBe(join(root, 'cache', key, 'executor.jsa'));
    expect(found.executorProblem).toBeUndefined();
    expect(found.launch?.commands.master.at(-1)).toBe('org.apache.spark.deploy.master.Master');
    // Once the class path changes, the kept launch is not this image's any more.
    await writeFile(join(spark, 'jars', 'extra.jar'), 'extra');
    expect((await cache.find(runtime(), env)).launch).toBeUndefined();
  });

  it('gives the commands without archives, and why, when the archive run failed', async () => {
    const cache = new LaunchCache(join(root, 'cache'), { makeArchives: true });
    const key = await launchKey(runtime(), env);
    await mkdir(join(root, 'cache', key), { recursive: true });
    await writeFile(join(root, 'cache', key, 'launch.json'), JSON.stringify(profile(key, undefined)));
    const found = await cache.find(runtime(), env);
    expect(found.state).toBe('failed');
    expect(found.problem).toBe('the worker wrote no archive');
    expect(found.launch?.archives).toBeUndefined();
    expect(found.launch?.executorArchive).toBeUndefined();
    expect(found.executorProblem).toBe('the run that makes the archives failed');
  });

  it('ignores a launch kept in another format or under another key', async () => {
    const cache = new LaunchCache(join(root, 'cache'), { makeArchives: true });
    const key = await launchKey(runtime(), env);
    await mkdir(join(root, 'cache', key), { recursive: true });
    const file = join(root, 'cache', key, 'launch.json');
    await writeFile(file, JSON.stringify({ ...profile(key, undefined), format: 0 }));
    expect((await cache.find(runtime(), env)).launch).toBeUndefined();
    await writeFile(file, JSON.stringify(profile('another', undefined)));
    expect((await cache.find(runtime(), env)).launch).toBeUndefined();
    await writeFile(file, '{ torn');
    expect((await cache.find(runtime(), env)).launch).toBeUndefined();
  });
});

describe('LaunchCache.recover', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** A detached process whose command line names `marker`, as an archive run's JVM names its staging directory. */
  async function detached(marker: string): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1000)', '--', marker],
      { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(child);
    // Running node, not still the fork of this process.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    return child;
  }

  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else
        child.once('exit', () => {
          resolve();
        });
    });

  it("stops the JVMs a killed server's archive run left running, and removes its staging directory", async () => {
    const cacheDir = join(root, 'cache');
    const staging = join(cacheDir, '.staging-4242-0a1b2c3d');
    await mkdir(staging, { recursive: true });
    const master = await detached(`-XX:ArchiveClassesAtExit=${staging}/master.jsa`);
    const worker = await detached(`-XX:ArchiveClassesAtExit=${staging}/worker.jsa`);
    // A recorded pid now used by another program (no staging directory in its command line) is left alone.
    const other = await detached('-Dsomething=else');
    await writeFile(join(staging, 'run.json'), JSON.stringify({ pids: [master.pid, worker.pid, other.pid] }));
    // A kept launch beside it stays.
    await mkdir(join(cacheDir, 'kept'), { recursive: true });

    const stopped = await new LaunchCache(cacheDir, { makeArchives: true }).recover();

    expect(stopped.sort()).toEqual([master.pid, worker.pid].sort());
    await Promise.all([exited(master), exited(worker)]);
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
    await expect(access(staging)).rejects.toThrow();
    await expect(access(join(cacheDir, 'kept'))).resolves.toBeUndefined();
  });

  it('removes a staging directory without a run file, and does nothing without a cache', async () => {
    const cacheDir = join(root, 'cache');
    const staging = join(cacheDir, '.staging-4242-deadbeef');
    await mkdir(staging, { recursive: true });
    expect(await new LaunchCache(cacheDir, { makeArchives: true }).recover()).toEqual([]);
    await expect(access(staging)).rejects.toThrow();
    expect(await new LaunchCache(join(root, 'none'), { makeArchives: true }).recover()).toEqual([]);
  });
});
