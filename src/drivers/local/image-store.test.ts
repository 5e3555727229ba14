import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { LocalImageStore } from './image-store.js';
import { HomeLayout } from './layout.js';

/**
 * A minimal Spark distribution: its bin/spark-class prints the environment and arguments it got, which is what
 * the wrappers of a built image must pass on.
 */
async function fakeDistribution(root: string, version = '9.8.7'): Promise<string> {
  const home = join(root, 'dist');
  await mkdir(join(home, 'bin'), { recursive: true });
  await mkdir(join(home, 'jars'), { recursive: true });
  await mkdir(join(home, 'conf'), { recursive: true });
  await writeFile(join(home, 'jars', `spark-core_2.13-${version}.jar`), '');
  await writeFile(join(home, 'conf', 'spark-defaults.conf'), 'spark.from.base=yes\n');
  await writeFile(join(home, 'conf', 'log4j2.properties'), 'rootLogger.level = warn\n');
  const script = join(home, 'bin', 'spark-class');
  await writeFile(
    script,
    '#!/usr/bin/env bash\n. "$SPARK_CONF_DIR/spark-env.sh"\necho "HOME=$SPARK_HOME CONF=$SPARK_CONF_DIR PYTHONPATH=$PYTHONPATH TZ=$TZ ARGS=$*"\n',
  );
  await chmod(script, 0o755);
  return home;
}

describe('LocalImageStore', () => {
  let root: string;
  let layout: HomeLayout;
  let store: LocalImageStore;
  let dist: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'oshinko-store-'));
    layout = new HomeLayout(join(root, 'home'));
    store = new LocalImageStore(layout);
    dist = await fakeDistribution(root);
  });

  it('registers the runtime as the default image named after its Spark version', async () => {
    const record = await store.registerDefault(dist);
    expect(record).toMatchObject({
      ref: 'spark:9.8.7',
      kind: 'runtime',
      sparkHome: dist,
      sparkVersion: '9.8.7',
    });
    expect(await store.defaultRef()).toBe('spark:9.8.7');
    const [image] = await store.toLocalImages();
    expect(image).toMatchObject({ ref: 'spark:9.8.7', isDefault: true, base: undefined, usedBy: [] });
  });

  it('says how to fix a missing runtime', async () => {
    await expect(store.registerDefault(join(root, 'nothing'))).rejects.toThrow(/npm run setup.*SPARK_HOME/);
    // The runtime of an installed package: the message names the package's directory, where setup installs it.
    const installed = join(root, 'lib', 'node_modules', 'oshinko');
    await expect(store.registerDefault(join(installed, '.oshinko', 'runtime', 'pyspark'))).rejects.toThrow(
      `run \`npm run setup\` in ${installed} to install it, or set SPARK_HOME to a Spark distribution`,
    );
  });

  it('builds a layered image: wrappers, conf, env and copies of the files, without copying the base', async () => {
    await store.registerDefault(dist);
    const module = join(root, 'probe.py');
    const jar = join(root, 'extra.jar');
    await writeFile(module, 'X = 1\n');
    await writeFile(jar, 'jar');
    const record = await store.build('team/etl:1', {
      from: 'spark:9.8.7',
      pyFiles: [module],
      jars: [jar],
      conf: { 'spark.team': "it's = fine" },
      env: { TZ: "Europe/O'Brien" },
    });
    expect(record).toMatchObject({
      kind: 'built',
      base: 'spark:9.8.7',
      distribution: dist,
      sparkVersion: '9.8.7',
    });
    const dir = layout.imageDir('team/etl:1');
    expect(record.sparkHome).toBe(dir);
    expect(await readdir(join(dir, 'jars'))).toEqual(['extra.jar']);
    expect(await readdir(join(dir, 'python'))).toEqual(['probe.py']);
    expect(await readdir(dir)).not.toContain('dist');

    const defaults = await readFile(join(dir, 'conf', 'spark-defaults.conf'), 'utf8');
    expect(defaults).toContain('spark.from.base=yes');
    expect(defaults).toContain(`spark.driver.extraClassPath=${join(dir, 'jars', 'extra.jar')}`);
    expect(defaults).toContain("spark.team=it's = fine");
    // Nothing for executors: an application takes this conf to any cluster; executors get the image's files and
    // env from their own cluster's workers (spark-env.sh), so they never leak into another image's cluster.
    expect(defaults).not.toMatch(/spark\.executor(Env)?\./);
    expect(await readdir(join(dir, 'conf'))).toContain('log4j2.properties');

    // The wrapper runs the base's script with this image's conf dir; quoting keeps odd values intact.
    const result = spawnSync(join(dir, 'bin', 'spark-class'), ['Main', 'a b'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PYTHONPATH: '/outer' },
    });
    expect(result.stdout.trim()).toBe(
      `HOME=${dist} CONF=${join(dir, 'conf')} PYTHONPATH=${join(dir, 'python')}:/outer TZ=Europe/O'Brien ARGS=Main a b`,
    );
  });

  it('layers on a built image, inheriting its files and settings', async () => {
    await store.registerDefault(dist);
    const module = join(root, 'probe.py');
    await writeFile(module, 'X = 1\n');
    await store.build('team/a:1', { from: 'spark:9.8.7', pyFiles: [module], conf: { 'spark.a': '1' } });
    const b = await store.build('team/b:1', { from: 'team/a:1', conf: { 'spark.b': '2' }, env: { B: '2' } });
    expect(b.pyFiles).toEqual([join(layout.imageDir('team/a:1'), 'python', 'probe.py')]);
    expect(b.conf).toEqual({ 'spark.a': '1', 'spark.b': '2' });
    expect(b.distribution).toBe(dist);
    await expect(store.remove('team/a:1')).rejects.toThrow(/team\/b:1 are built on team\/a:1/);
  });

  it('rejects bad input naming it, and leaves nothing half-created', async () => {
    await store.registerDefault(dist);
    const attempts: [() => Promise<unknown>, unknown, RegExp][] = [
      [() => store.build('Bad Ref', { from: 'spark:9.8.7' }), InvalidInputError, /invalid ref "Bad Ref"/],
      [() => store.build('x:1', { from: 'spark:0.0' }), NotFoundError, /base image "spark:0.0"/],
      [
        () => store.build('x:1', { from: 'spark:9.8.7', jars: [join(root, 'no.jar')] }),
        InvalidInputError,
        /--jar .*no such file/,
      ],
      [
        () => store.build('x:1', { from: 'spark:9.8.7', conf: { 'bad key': 'v' } }),
        InvalidInputError,
        /--conf key "bad key"/,
      ],
      [
        () => store.build('x:1', { from: 'spark:9.8.7', conf: { 'spark.x': 'a\nb' } }),
        InvalidInputError,
        /line breaks/,
      ],
      [
        () => store.build('x:1', { from: 'spark:9.8.7', env: { '1X': 'v' } }),
        InvalidInputError,
        /--env name "1X"/,
      ],
      [
        () => store.build('x:1', { from: 'spark:9.8.7', env: { SPARK_HOME: '/x' } }),
        InvalidInputError,
        /SPARK_HOME/,
      ],
      [() => store.build('spark:9.8.7', { from: 'spark:9.8.7' }), ConflictError, /already exists/],
      [() => store.importImage('y:1', root), InvalidInputError, /no bin\/spark-class/],
    ];
    for (const [attempt, type, message] of attempts) {
      await expect(attempt()).rejects.toBeInstanceOf(type);
      await expect(attempt()).rejects.toThrow(message);
    }
    expect((await store.list()).map((image) => image.ref)).toEqual(['spark:9.8.7']);
    expect((await readdir(layout.images)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('requires an image naming the reference, like a failed pull', async () => {
    await expect(store.require('team/absent:1')).rejects.toBeInstanceOf(UnprocessableError);
    await expect(store.require('team/absent:1')).rejects.toThrow(
      /"team\/absent:1" is not in the local image store/,
    );
  });

  it('imports a Spark home in place and removes it from the store only', async () => {
    const record = await store.importImage('vendor/spark:9', dist);
    expect(record).toMatchObject({ kind: 'imported', sparkHome: dist, sparkVersion: '9.8.7' });
    await expect(store.importImage('vendor/spark:9', dist)).rejects.toBeInstanceOf(ConflictError);
    await store.remove('vendor/spark:9');
    expect(await store.get('vendor/spark:9')).toBeUndefined();
    expect(await readdir(join(dist, 'bin'))).toEqual(['spark-class']);
  });

  it('refuses to remove an image a cluster uses, and the default runtime', async () => {
    await store.registerDefault(dist);
    await store.build('team/used:1', { from: 'spark:9.8.7' });
    await mkdir(layout.clusterDir('etl'), { recursive: true });
    await writeFile(layout.clusterFile('etl'), JSON.stringify({ image: { ref: 'team/used:1' } }));
    await expect(store.remove('team/used:1')).rejects.toThrow(/used by cluster etl/);
    expect((await store.toLocalImages()).find((i) => i.ref === 'team/used:1')?.usedBy).toEqual(['etl']);
    await expect(store.remove('spark:9.8.7')).rejects.toThrow(/default image/);
    await expect(store.remove('team/none:1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('goes by what it is told of the clusters (the driver), not by their state files', async () => {
    await store.registerDefault(dist);
    await store.build('team/used:1', { from: 'spark:9.8.7' });
    await mkdir(layout.clusterDir('recorded'), { recursive: true });
    await writeFile(layout.clusterFile('recorded'), JSON.stringify({ image: { ref: 'spark:9.8.7' } }));
    const told = new LocalImageStore(layout, () =>
      Promise.resolve([{ cluster: 'live', image: 'team/used:1' }]),
    );
    expect((await told.toLocalImages()).map((image) => [image.ref, image.usedBy])).toEqual([
      ['spark:9.8.7', []],
      ['team/used:1', ['live']],
    ]);
    await expect(told.remove('team/used:1')).rejects.toThrow(/used by cluster live/);
  });
});
