import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, runCli } from './cli-process.js';

/** The CLI as a process, where no server is needed: help, flag validation, completion, an unreachable server. */

const COMMANDS = [
  'create',
  'get',
  'scale',
  'delete',
  'logs',
  'submit',
  'version',
  'completion',
  'serve',
  'image',
  'image build',
  'image import',
  'image ls',
  'image rm',
];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(() => {
  assertBuilt();
});

describe('oshinko CLI without a server', () => {
  it.each(COMMANDS)('%s --help shows usage and examples and exits 0', async (command) => {
    const result = await runCli([...command.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: oshinko ${command}`);
    expect(result.stdout).toContain('Examples:');
  });

  it('names the flag and the value of a bad flag, exit code 2, and sends nothing', async () => {
    // The server URL points nowhere: a request would fail with exit code 5, not 2.
    const env = { OSHINKO_SERVER: `http://127.0.0.1:${await closedPort()}` };
    const cases: [string[], string][] = [
      [['create', 'spark1', '--workers', 'abc'], 'invalid --workers "abc"'],
      [['create', 'spark1', '--masters', '2'], 'invalid --masters "2"'],
      [['create', 'spark1', '--image', 'Bad Image'], 'invalid --image "Bad Image"'],
      [['create', 'Spark_1'], 'invalid NAME "Spark_1"'],
      [['create', 'spark1', '--wait', '--timeout', 'soon'], 'invalid --timeout "soon"'],
      [['create', 'spark1', '--storedconfig', 'No Such'], 'invalid --storedconfig "No Such"'],
      [['create', 'spark1', '--metrics', 'maybe'], "'maybe' is invalid"],
      [['create', 'spark1', '--image-pull-policy', 'always'], "'always' is invalid"],
      [['create', 'spark1', '--worker-memory', '4GB'], 'invalid --worker-memory "4GB"'],
      [['create', 'spark1', '--node-selector', 'ssd'], 'invalid --node-selector "ssd": expected KEY=VALUE'],
      [['create', 'spark1', '--toleration', 'dedicated=spark'], 'invalid --toleration "dedicated=spark"'],
      [['create', 'spark1', '--image-pull-secret', 'Reg'], 'invalid --image-pull-secret "Reg"'],
      [
        ['create', 'spark1', '--env', 'POD_IP=x'],
        'invalid --env "POD_IP=x": POD_IP is set by oshinko itself',
      ],
      [['scale', 'spark1'], 'give --workers N, --masters N or both'],
      [['scale', 'spark1', '--workers', '-3'], 'invalid --workers "-3"'],
      [['logs', 'spark1', '--worker', '0'], 'workers are numbered from 1'],
      [['get', '-o', 'xml'], "'xml' is invalid. expected table, wide, json, yaml, name, jsonpath=TEMPLATE"],
      [
        ['get', '-o', 'jsonpath={.items'],
        "option '-o, --output <format>' argument 'jsonpath={.items' is invalid",
      ],
      [['get', '-o', 'jsonpath={.name}{end}'], 'bad JSONPath template: {end} without {range}'],
      [['delete', 'spark1', '-o', 'json'], "argument 'json' is invalid. expected name."],
      [['version', '-o', 'wide'], "argument 'wide' is invalid. expected text, json, yaml."],
      [['scale', 'spark1', '--workers', '2', '--wait', '--timeout', 'soon'], 'invalid --timeout "soon"'],
      [['delete', 'spark1', 'Bad_Name'], 'invalid NAME "Bad_Name"'],
      [['get', '-w', '--interval', 'often'], 'invalid --interval "often"'],
      [
        ['create', 'spark1', '--stored-config', 'a', '--storedconfig', 'b'],
        'give --storedconfig or --stored-config, not both',
      ],
      [['create', 'spark1', '--expose-ui', 'maybe'], "'maybe' is invalid"],
      [['create', 'spark1', '--worker-config', 'No Such'], 'invalid --worker-config "No Such"'],
      [['get', 'spark1', '--nopods', '--no-pods'], 'give --nopods or --no-pods, not both'],
      [['image', 'ls', '--json', '-o', 'yaml'], 'give --json or -o, not both'],
      [['create'], "missing required argument 'name'"],
      [['frobnicate'], "unknown command 'frobnicate'"],
    ];
    // A few processes at a time: the cases are many and each is a whole node start.
    for (let at = 0; at < cases.length; at += 4) {
      const batch = cases.slice(at, at + 4);
      const results = await Promise.all(batch.map(([args]) => runCli(args, env)));
      batch.forEach(([args, message], index) => {
        const result = results[index];
        expect({ args, code: result?.code, stderr: result?.stderr }).toMatchObject({ code: 2 });
        expect(result?.stderr).toContain(message);
      });
    }
  }, 120_000);

  it('refuses bad connection and logs flags with exit code 2, naming the flag, before any request', async () => {
    const env = { OSHINKO_SERVER: `http://127.0.0.1:${await closedPort()}` };
    const dir = mkdtempSync(join(tmpdir(), 'oshinko-cli-flags-'));
    try {
      const token = join(dir, 'token');
      writeFileSync(token, 'secret-in-file\n');
      const notPem = join(dir, 'ca.pem');
      writeFileSync(notPem, 'not a certificate\n');
      const missing = join(dir, 'missing');
      const cases: [string[], string][] = [
        [
          ['--token-file', missing, 'get'],
          `cannot read --token-file ${JSON.stringify(missing)}: no such file`,
        ],
        [['--token', 'x', '--token-file', token, 'get'], 'give either --token or --token-file, not both'],
        [['--certificate-authority', notPem, 'get'], 'holds no PEM certificate'],
        [['--request-timeout', 'soon', 'get'], 'invalid --request-timeout "soon"'],
        [
          ['logs', 'spark1', '-c', 'driver'],
          'invalid --container "driver": expected one of spark, image-check',
        ],
        [['logs', 'spark1', '-f', '-p'], '--follow and --previous do not go together'],
        [['logs', 'spark1', 'spark1-w-1', '--worker', '1'], 'give one of POD, --master or --worker N'],
        // The server's own --token-file, which the client's global flag of the same name must not hide.
        [
          ['serve', '--port', '0', '--token-file', missing],
          `cannot read --token-file ${JSON.stringify(missing)}`,
        ],
      ];
      for (const [args, message] of cases) {
        const result = await runCli(args, env);
        expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({ code: 2 });
        expect(result.stderr).toContain(message);
        expect(result.stderr).not.toContain('secret-in-file');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which server it cannot reach, with exit code 5', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [['get'], ['--server', url, 'get'], ['get', 'spark1', '--server', url]]) {
      const result = await runCli(args, args.includes('--server') ? {} : { OSHINKO_SERVER: url });
      expect(result.code).toBe(5);
      expect(result.stderr).toContain(`cannot reach the oshinko server at ${url}`);
    }
  });

  it('rejects a malformed server URL naming where it came from', async () => {
    const fromEnv = await runCli(['get'], { OSHINKO_SERVER: 'localhost:8080' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('invalid OSHINKO_SERVER "localhost:8080"');
    const fromFlag = await runCli(['get', '--server', 'ftp://x']);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain('invalid --server "ftp://x"');
  });

  it('version prints the client version even when the server is down', async () => {
    const result = await runCli(['version'], { OSHINKO_SERVER: `http://127.0.0.1:${await closedPort()}` });
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/^client:\s+\d+\.\d+\.\d+/);
  });

  it('version --client asks no server, as kubectl version --client', async () => {
    const env = { OSHINKO_SERVER: `http://127.0.0.1:${await closedPort()}` };
    const text = await runCli(['version', '--client'], env);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^client:\s+\d+\.\d+\.\d+\n$/);
    const json = await runCli(['version', '--client', '-o', 'json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout) as unknown).toEqual({
      client: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
    });
  });

  it('a reader that closes the pipe early (| head) ends the CLI quietly', async () => {
    const script = `"${process.execPath}" "${CLI}" completion bash | true; echo "\${PIPESTATUS[0]}"`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script]);
    expect({ status: stdout.trim(), stderr }).toEqual({ status: '0', stderr: '' });
  });

  describe('bash completion', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'oshinko-completion-'));
      // `oshinko` on PATH, as an installed CLI would be.
      writeFileSync(join(dir, 'oshinko'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(dir, 'oshinko'), 0o755);
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    async function bashComplete(line: string[]): Promise<string[]> {
      const script = await runCli(['completion', 'bash']);
      expect(script.code).toBe(0);
      writeFileSync(join(dir, 'completion.bash'), script.stdout);
      const words = line.map((word) => `'${word}'`).join(' ');
      const { stdout } = await promisify(execFile)(
        'bash',
        [
          '-c',
          `source "${join(dir, 'completion.bash')}"; COMP_WORDS=(oshinko ${words}); COMP_CWORD=${line.length}; _oshinko_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, OSHINKO_SERVER: 'http://127.0.0.1:9' } },
      );
      return stdout.split('\n').filter((word) => word !== '');
    }

    it('completes commands, flags and flag values in a real bash', async () => {
      expect(await bashComplete(['de'])).toEqual(['delete']);
      expect(await bashComplete(['get', '-o', 'y'])).toEqual(['yaml']);
      expect(await bashComplete(['create', 'spark1', '--ima'])).toEqual([
        '--image',
        '--image-pull-policy',
        '--image-pull-secret',
      ]);
      expect(await bashComplete(['create', 'spark1', '--image-pull-policy', 'N'])).toEqual(['Never']);
    });
  });

  // Debian's fish package; where it is not installed the script's text is still checked below.
  it.skipIf(spawnSync('fish', ['--version']).status !== 0)(
    'completes commands, flags and flag values in a real fish',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'oshinko-fish-'));
      try {
        writeFileSync(join(dir, 'oshinko'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
        chmodSync(join(dir, 'oshinko'), 0o755);
        const script = await runCli(['completion', 'fish']);
        expect(script.code).toBe(0);
        writeFileSync(join(dir, 'oshinko.fish'), script.stdout);
        const fishComplete = async (line: string) => {
          const { stdout } = await promisify(execFile)(
            'fish',
            ['--no-config', '-c', `source ${join(dir, 'oshinko.fish')}; complete -C $argv[1]`, line],
            {
              env: {
                PATH: `${dir}:${process.env.PATH ?? ''}`,
                HOME: dir,
                OSHINKO_SERVER: 'http://127.0.0.1:9',
              },
            },
          );
          return stdout.split('\n').filter((word) => word !== '');
        };
        expect(await fishComplete('oshinko de')).toEqual(['delete']);
        // An empty last word is still passed: the values of -o, not the flags matching "-o".
        expect(await fishComplete('oshinko get -o ')).toEqual([
          'json',
          'jsonpath=',
          'name',
          'table',
          'wide',
          'yaml',
        ]);
        expect((await fishComplete('oshinko create spark1 --stored')).sort()).toEqual([
          '--stored-config',
          '--storedconfig',
        ]);
        expect(await fishComplete('oshinko completion f')).toEqual(['fish']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('prints a fish completion script that asks oshinko __complete', async () => {
    const result = await runCli(['completion', 'fish']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("complete -c oshinko -f -a '(__oshinko_complete)'");
    expect(result.stdout).toContain('oshinko __complete $words (commandline -ct | string collect)');
  });

  it('prints a zsh completion script that registers itself', async () => {
    const result = await runCli(['completion', 'zsh']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#compdef oshinko\n/);
    expect(result.stdout).toContain('compdef _oshinko oshinko');
    expect(result.stdout).toContain('oshinko __complete');
  });
});
