import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, REPO, startServer, type ServerProcess } from '../cli/cli-process.js';

/**
 * The CLI without a clone: `npm pack` of the checkout, `npm install -g` of the tarball into a temporary prefix
 * (from the npm cache that `npm ci` filled, else from the registry), and the installed `oshinko` run as a user
 * runs it: help, its version, a server, and a client command against that server. The tarball is packed from the
 * built checkout (`--ignore-scripts`: its `prepack`, the build, already ran before the tests).
 */

const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** npm as a user runs it: none of the npm_* settings of an `npm test` that may have started this suite. */
function npmEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].toLowerCase().startsWith('npm_'),
    ),
  );
}

let dir: string;
let tarball: string;
let packed: string[];
let oshinko: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  assertBuilt();
  if (!existsSync(join(REPO, 'console', 'dist', 'index.html'))) {
    throw new Error('the console is not built: run `npm run build` before these tests');
  }
  dir = mkdtempSync(join(tmpdir(), 'oshinko-pack-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO,
    env: npmEnv(),
  });
  const [result] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (result === undefined) throw new Error(`npm pack said nothing: ${stdout}`);
  tarball = join(dir, result.filename);
  packed = result.files.map((file) => file.path);
  const prefix = join(dir, 'prefix');
  const install = (mode: string) =>
    run('npm', ['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', tarball], {
      cwd: dir,
      env: npmEnv(),
    });
  // The cache lacks a package when the registry has a newer one in range than `npm ci` fetched: ask the registry.
  await install('--offline').catch(() => install('--prefer-offline'));
  oshinko = join(prefix, 'bin', 'oshinko');
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('builds before it is packed, and ships what the installed CLI runs and nothing of the checkout', () => {
    expect(packageJson.scripts.prepack).toBe('npm run build');
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/oshinko.js',
        'dist/cli/main.js',
        'dist/server/serve.js',
        'console/dist/index.html',
        'scripts/setup-spark.mjs',
        'package.json',
        'README.md',
      ]),
    );
    expect(
      packed.filter((path) => /^(src|test|console\/src|deploy|scripts\/kube|bench)\//.test(path)),
    ).toEqual([]);
    expect(statSync(tarball).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('needs at run time only its dependencies, never a dev dependency', () => {
    const imports = new Set<string>();
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const child = join(path, entry.name);
        if (entry.isDirectory()) walk(child);
        else if (entry.name.endsWith('.js')) {
          const text = readFileSync(child, 'utf8');
          const statements =
            /(?:^|;)\s*(?:import|export)\s[^'"]*?from\s*'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'\s*\)/gm;
          for (const [, fromName, dynamicName] of text.matchAll(statements)) {
            const name = fromName ?? dynamicName;
            if (name === undefined || name.startsWith('node:')) continue;
            imports.add(
              name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] ?? name),
            );
          }
        }
      }
    };
    walk(join(REPO, 'dist'));
    expect(imports).toContain('fastify');
    expect([...imports].filter((name) => packageJson.dependencies[name] === undefined)).toEqual([]);
  });

  it('installs with npm install -g and runs oshinko --help and --client-version', async () => {
    const help = await run(oshinko, ['--help'], { env: npmEnv() });
    expect(help.stdout).toMatch(/^Usage: oshinko \[options\] \[command\]/);
    const version = await run(oshinko, ['--client-version'], { env: npmEnv() });
    expect(version.stdout.trim()).toBe(packageJson.version);
  });

  it('says where to install the Spark runtime when the local driver has none', async () => {
    const env = npmEnv();
    delete env.SPARK_HOME;
    const failed = await run(
      oshinko,
      ['serve', '--driver', 'local', '--home', join(dir, 'no-runtime'), '--port', '0'],
      {
        env,
        timeout: 30_000,
      },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    const installed = join(dir, 'prefix', 'lib', 'node_modules', 'oshinko');
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain(
      `run \`npm run setup\` in ${installed} to install it, or set SPARK_HOME`,
    );
  });

  it('serves the API and the console with a Spark home given, and oshinko get asks it', async () => {
    const home = join(dir, 'home');
    const sparkHome = join(REPO, '.oshinko', 'runtime', 'pyspark');
    server = await startServer(
      ['--driver', 'local', '--home', home],
      {
        SPARK_HOME: sparkHome,
        ...(process.env.JAVA_HOME === undefined ? {} : { JAVA_HOME: process.env.JAVA_HOME }),
      },
      [oshinko, 'serve'],
    );
    expect(server.output()).toContain(`serving clusters on this machine (local driver, data in ${home})`);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('<div id="root"');
    const get = await run(oshinko, ['get', '-o', 'json', '--server', server.url], { env: npmEnv() });
    expect(JSON.parse(get.stdout)).toEqual([]);
  });
});
