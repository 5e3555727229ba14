import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { SERVE_ENV } from '../../src/server/serve-config.js';
import { startupLine } from '../../src/server/startup-line.js';
import { REPO } from '../cli/cli-process.js';

/**
 * The settings of `oshinko serve` as three places tell them: what serve-config reads, the README's configuration
 * table and `oshinko serve --help`. Each names the same environment variables, and a flag the same variable.
 */

/** Read by serve-config but set by the platform, not by a user of oshinko. */
const PLATFORM = ['KUBERNETES_SERVICE_HOST', 'XDG_DATA_HOME'];
const ENV_NAME = /\b(?:OSHINKO_[A-Z0-9_]*[A-Z0-9]|KUBECONFIG|SPARK_HOME)\b/g;
const DOCUMENTED = SERVE_ENV.map(([name]) => name).sort();
/** The flag each documented variable stands for, as SERVE_ENV says it: `(--token-file)`. */
const FLAG_OF = new Map(
  SERVE_ENV.flatMap(([name, meaning]) => {
    const flag = /\((--[a-z-]+)\)/.exec(meaning)?.[1];
    return flag === undefined ? [] : [[flag, name] as const];
  }),
);

function names(text: string): string[] {
  return [...new Set(text.match(ENV_NAME) ?? [])].sort();
}

/** The rows of the README's configuration table: [flag, environment] cells. */
function readmeRows(): [flag: string, environment: string][] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('| ---') && !line.startsWith('| flag'))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      return [cells[1] ?? '', cells[2] ?? ''];
    });
}

async function serveHelp(): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const code = await run(['serve', '--help'], { stdout, stderr: stdout, env: {} });
  expect(code).toBe(0);
  return text;
}

describe('the settings of oshinko serve', () => {
  it('are every variable serve-config reads', () => {
    const source = readFileSync(join(REPO, 'src', 'server', 'serve-config.ts'), 'utf8');
    const read = [...new Set([...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]))];
    expect(read.filter((name) => name !== undefined && !PLATFORM.includes(name)).sort()).toEqual(DOCUMENTED);
  });

  it("are the README's configuration table, each flag with its own variable", () => {
    const rows = readmeRows();
    expect(names(rows.map(([, environment]) => environment).join(' '))).toEqual(DOCUMENTED);
    for (const [flag, environment] of rows) {
      const name = /`(--[a-z-]+)`/.exec(flag)?.[1];
      if (name === undefined) continue;
      expect({ flag: name, environment: names(environment) }).toEqual({
        flag: name,
        environment: FLAG_OF.has(name) ? [FLAG_OF.get(name)] : [],
      });
    }
  });

  it('are named by oshinko serve --help, each flag with its own variable', async () => {
    const all = await serveHelp();
    // The global options are the client's (--server, --token), not the server's settings.
    const global = all.indexOf('Global Options:');
    const help = all.slice(0, global) + all.slice(all.indexOf('\n\n', global));
    expect(names(help)).toEqual(DOCUMENTED);
    // Each option's description, joined across its wrapped lines, names the variable of the same setting.
    const options = help.slice(help.indexOf('Options:'), help.indexOf('\n\n', help.indexOf('Options:')));
    for (const [flag, variable] of FLAG_OF) {
      const start = options.indexOf(`  ${flag} `);
      expect({ flag, listed: start >= 0 }).toEqual({ flag, listed: true });
      const next = options.slice(start + 2).search(/\n {2}-/);
      const description = options.slice(start, next < 0 ? undefined : start + 2 + next);
      expect({ flag, names: description.includes(variable) }).toEqual({ flag, names: true });
    }
  });
});

describe("the README's account of how oshinko serve starts", () => {
  it('shows the lines the server prints', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const kubernetes = startupLine(
      { driver: 'kubernetes', driverFrom: 'detected' },
      { context: 'kind-x', namespace: 'spark', 'namespace-from': 'the kubeconfig context' },
    );
    const local = startupLine(
      { driver: 'local', driverFrom: '--driver' },
      { home: '/home/u/.local/share/oshinko' },
      '/home/u',
    );
    expect(readme).toContain(`\n${kubernetes}\n`);
    expect(readme).toContain(`\n${local}\n`);
  });
});
