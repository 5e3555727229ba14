import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { SERVE_ENV } from '../server/serve-config.js';
import { run } from './main.js';
import { buildProgram } from './main.js';

/**
 * The help of every command, rendered as a user sees it (`oshinko ... --help`): each environment variable it
 * names must be one that oshinko reads, and each command shows examples.
 */

/** The variables the client commands read (connection, `submit`, `image`), besides the server's settings. */
const CLIENT_ENV = [
  'OSHINKO_SERVER',
  'OSHINKO_TOKEN',
  'OSHINKO_TOKEN_FILE',
  'OSHINKO_CERTIFICATE_AUTHORITY',
  'OSHINKO_HOME',
  'SPARK_HOME',
];
/** What a help text may cite as an environment variable. */
const ENV_NAME = /\b(?:OSHINKO_[A-Z0-9_]*[A-Z0-9]|KUBECONFIG|[A-Z]+_HOME|PYSPARK_[A-Z_]+)\b/g;

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** The command paths of the tree, the root's included, as a user types them: [], ['create'], ['image', 'ls'] ... */
function commandPaths(): string[][] {
  const program = buildProgram({ stdout: sink().stream, stderr: sink().stream, env: {} }, () => undefined);
  const help = program.createHelp();
  const walk = (command: Command, path: string[]): string[][] => [
    path,
    ...help
      .visibleCommands(command)
      .filter((child) => child.name() !== 'help')
      .flatMap((child) => walk(child, [...path, child.name()])),
  ];
  return walk(program, []);
}

async function helpOf(path: string[]): Promise<string> {
  const out = sink();
  const err = sink();
  const code = await run([...path, '--help'], { stdout: out.stream, stderr: err.stream, env: {} });
  expect({ code, stderr: err.text() }).toEqual({ code: 0, stderr: '' });
  return out.text();
}

/** Every source file of the CLI: a client variable counts only when the CLI really reads it. */
function cliSources(dir = new URL('.', import.meta.url).pathname): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) =>
      entry.isDirectory()
        ? cliSources(join(dir, entry.name))
        : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
          ? readFileSync(join(dir, entry.name), 'utf8')
          : '',
    )
    .join('\n');
}

const PATHS = commandPaths();
const KNOWN = new Set([...SERVE_ENV.map(([name]) => name), ...CLIENT_ENV]);

describe('the help of every command', () => {
  it('is found for each command of the tree', () => {
    expect(PATHS.map((path) => path.join(' '))).toEqual(
      expect.arrayContaining(['', 'create', 'get', 'serve', 'image', 'image ls', 'image rm']),
    );
  });

  it('cites client variables the CLI reads', () => {
    const sources = cliSources();
    for (const name of CLIENT_ENV.filter((variable) => variable !== 'OSHINKO_TOKEN_FILE')) {
      expect({ name, read: new RegExp(`env\\.${name}\\b`).test(sources) }).toEqual({ name, read: true });
    }
  });

  it.each(PATHS.map((path) => [`oshinko ${path.join(' ')}`.trim(), path] as const))(
    '%s --help names only variables oshinko reads',
    async (_title, path) => {
      const cited = [...new Set((await helpOf(path)).match(ENV_NAME) ?? [])];
      expect(cited.filter((name) => !KNOWN.has(name))).toEqual([]);
    },
  );

  it.each(PATHS.map((path) => [`oshinko ${path.join(' ')}`.trim(), path] as const))(
    '%s --help has examples',
    async (_title, path) => {
      expect(await helpOf(path)).toMatch(/\nExamples:\n {2}[^\n]*oshinko/);
    },
  );
});

describe('oshinko create --help', () => {
  it('says the Spark config sets are Kubernetes only and when --exposeui makes an Ingress', async () => {
    const help = (await helpOf(['create'])).replace(/\s+/g, ' ');
    expect(help).not.toContain('local: config directory');
    expect(help).toMatch(/--masterconfig <name> Kubernetes: ConfigMap .*the local driver refuses it/);
    expect(help).toMatch(/--workerconfig <name> Kubernetes: ConfigMap .*the local driver refuses it/);
    expect(help).toContain(
      'a Route on OpenShift; on plain Kubernetes an Ingress only when the server has OSHINKO_INGRESS_DOMAIN, else nothing',
    );
  });
});
