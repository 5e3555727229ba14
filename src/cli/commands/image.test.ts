import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalImageStore } from '../../drivers/local/image-store.js';
import { launchKey } from '../../drivers/local/launch-key.js';
import { HomeLayout } from '../../drivers/local/layout.js';
import { daemonEnv, DEFAULT_RESOURCES } from '../../drivers/local/spark-daemons.js';
import { parsePairs } from '../flags.js';
import { run } from '../main.js';

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run(args, { stdout, stderr, env: { PATH: process.env.PATH, ...env } });
  return { code, stdout: out, stderr: err };
}

describe('oshinko image', () => {
  it('parses KEY=VALUE flags, keeping "=" in values', () => {
    expect(parsePairs(['a=1', 'b=x=y', 'c='], '--conf')).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(() => parsePairs(['novalue'], '--env')).toThrow('invalid --env "novalue": expected KEY=VALUE');
  });

  it('builds, lists and removes images in the store of --home, with usage errors naming the input', async () => {
    const root = await mkdtemp(join(tmpdir(), 'oshinko-cli-image-'));
    const home = join(root, 'home');
    // A Spark home is a directory with bin/spark-class; this one is only registered, never run.
    const sparkHome = join(root, 'spark');
    await mkdir(join(sparkHome, 'bin'), { recursive: true });
    await mkdir(join(sparkHome, 'jars'), { recursive: true });
    await writeFile(join(sparkHome, 'bin', 'spark-class'), '#!/bin/sh\n');
    await writeFile(join(sparkHome, 'jars', 'spark-core_2.13-3.5.1.jar'), '');
    const env = { SPARK_HOME: sparkHome };

    const bad = await cli(
      ['image', 'build', 'team/x:1', '--from', 'spark:3.5.1', '--conf', 'oops', '--home', home],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --conf "oops"');

    const missingBase = await cli(['image', 'build', 'team/x:1', '--from', 'nope:1', '--home', home], env);
    expect(missingBase.code).toBe(3);
    expect(missingBase.stderr).toContain('base image "nope:1"');

    const built = await cli(
      ['image', 'build', 'team/x:1', '--from', 'spark:3.5.1', '--env', 'A=1', '--home', home],
      env,
    );
    expect(built).toMatchObject({ code: 0, stderr: '' });

    const imported = await cli(['image', 'import', 'vendor/spark:3', sparkHome, '--home', home], env);
    expect(imported.code).toBe(0);

    const listed = await cli(['image', 'ls', '--home', home], env);
    expect(listed.stdout).toMatch(/spark:3\.5\.1 \(default\)/);
    expect(listed.stdout).toMatch(/team\/x:1\s+spark:3\.5\.1\s+3\.5\.1\s+-\s+not yet\s/);
    const json = JSON.parse((await cli(['image', 'ls', '--json', '--home', home], env)).stdout) as {
      images: { ref: string; env: Record<string, string>; classDataArchive: string }[];
    };
    expect(json.images.map((image) => image.ref)).toEqual(['spark:3.5.1', 'team/x:1', 'vendor/spark:3']);
    expect(json.images[1]?.env).toEqual({ A: '1' });
    expect(json.images.map((image) => image.classDataArchive)).toEqual(['none', 'none', 'none']);
    // --json is -o json; the other formats of -o, as for clusters.
    expect((await cli(['image', 'ls', '-o', 'json', '--home', home], env)).stdout).toBe(
      (await cli(['image', 'ls', '--json', '--home', home], env)).stdout,
    );
    expect((await cli(['image', 'ls', '-o', 'name', '--home', home], env)).stdout).toBe(
      'image/spark:3.5.1\nimage/team/x:1\nimage/vendor/spark:3\n',
    );
    const refs = await cli(['image', 'ls', '-o', 'jsonpath={.images[*].sparkVersion}', '--home', home], env);
    expect(refs.stdout).toBe('3.5.1 3.5.1 3.5.1');
    const wide = await cli(['image', 'ls', '-o', 'wide', '--no-headers', '--home', home], env);
    expect(wide.stdout).not.toContain('REF');
    expect(wide.stdout).toMatch(/^team\/x:1\s+spark:3\.5\.1\s+3\.5\.1\s+-\s+not yet\s+\d+s\s+0\s+0\s+\//m);
    const both = await cli(['image', 'ls', '--json', '-o', 'yaml', '--home', home], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --json or -o, not both');

    // Once a server kept the launch of team/x:1 with archives (in the environment the CLI runs in), ls says so.
    const layout = new HomeLayout(home);
    const record = await new LocalImageStore(layout).require('team/x:1');
    const key = await launchKey(
      record,
      daemonEnv(record, DEFAULT_RESOURCES, { PATH: process.env.PATH, ...env }),
    );
    await mkdir(join(layout.launchCache, key), { recursive: true });
    await writeFile(
      join(layout.launchCache, key, 'launch.json'),
      JSON.stringify({
        format: 2,
        key,
        sparkHome: record.sparkHome,
        createdAt: new Date().toISOString(),
        commands: { master: ['java', 'M'], worker: ['java', 'W'] },
        archives: { master: 'master.jsa', worker: 'worker.jsa' },
        executorArchive: 'executor.jsa',
      }),
    );
    const withArchive = await cli(['image', 'ls', '--home', home], env);
    expect(withArchive.stdout).toMatch(/team\/x:1\s+spark:3\.5\.1\s+3\.5\.1\s+-\s+yes\s/);
    expect(withArchive.stdout).toMatch(/vendor\/spark:3\s+-\s+3\.5\.1\s+-\s+not yet\s/);

    expect((await cli(['image', 'rm', 'team/x:1', '--home', home], env)).code).toBe(0);
    const again = await cli(['image', 'rm', 'team/x:1', '--home', home], env);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('team/x:1 is not in the local image store');
  });
});
