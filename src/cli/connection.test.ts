import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from '../client/oshinko-client.js';
import { BackendUnavailableError, InvalidInputError, TimeoutError } from '../core/errors.js';
import { connect, parseRequestTimeout, resolveToken, type ConnectionFlags } from './connection.js';
import type { CliIo } from './io.js';

const run = promisify(execFile);
const TOKEN = 's3cr3t-token-value';

let dir: string;
let server: Server;
let url: string;
/** The followed logs the server is answering. */
const follows: import('node:http').ServerResponse[] = [];
/** The Authorization header of each request the server had. */
const seen: (string | undefined)[] = [];

function io(env: Record<string, string> = {}): CliIo & { errors: () => string } {
  const stderr = new PassThrough();
  let errors = '';
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return { stdout: new PassThrough(), stderr, env, errors: () => errors };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function failure(work: () => unknown): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** A CA, and a certificate it signed for 127.0.0.1, made with openssl (arguments, never a shell). */
async function makeCertificates(): Promise<{ ca: string; key: string; cert: string }> {
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=oshinko test CA',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.pem'),
    '-days',
    '1',
    '-extfile',
    at('ext.cnf'),
  ]);
  return { ca: at('ca.pem'), key: at('server.key'), cert: at('server.pem') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oshinko-connection-'));
  const { key, cert } = await makeCertificates();
  server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    seen.push(request.headers.authorization);
    if (request.url?.startsWith('/slow/') === true) return; // never answers
    if (request.url?.startsWith('/clusters/spark1/logs?') === true) {
      // A followed log: a line now, one more when the test says, then open until the client goes.
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first\n');
      follows.push(response);
      return;
    }
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errors: [{ status: 401, title: 'unauthorized', details: 'wrong token', code: 'unauthorized' }],
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ application: { name: 'oshinko', version: 'test' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the bearer token', () => {
  it('comes from --token-file without its trailing newline, or from OSHINKO_TOKEN_FILE', () => {
    const path = file('token', `${TOKEN}\n`);
    expect(resolveToken({ tokenFile: path }, {})).toBe(TOKEN);
    expect(resolveToken({}, { OSHINKO_TOKEN_FILE: path })).toBe(TOKEN);
    // A flag wins over either variable.
    expect(resolveToken({ token: 'flag' }, { OSHINKO_TOKEN_FILE: path })).toBe('flag');
    expect(resolveToken({ tokenFile: path }, { OSHINKO_TOKEN: 'env' })).toBe(TOKEN);
  });

  it('refuses a token file that cannot be read or is empty, naming the flag and path, never the content', async () => {
    const missing = join(dir, 'nope');
    const unreadable = file('unreadable', 'hidden-token\n');
    chmodSync(unreadable, 0o000);
    const cases: [ConnectionFlags, Record<string, string>, string][] = [
      [{ tokenFile: missing }, {}, `cannot read --token-file ${JSON.stringify(missing)}: no such file`],
      [
        {},
        { OSHINKO_TOKEN_FILE: missing },
        `cannot read OSHINKO_TOKEN_FILE ${JSON.stringify(missing)}: no such file`,
      ],
      [{ tokenFile: dir }, {}, `cannot read --token-file ${JSON.stringify(dir)}: it is a directory`],
      [{ tokenFile: file('empty', '\n') }, {}, 'is empty'],
      [{ tokenFile: file('two', 'a\nb\n') }, {}, 'has more than one line'],
      [{ token: 'x', tokenFile: missing }, {}, 'give either --token or --token-file, not both'],
      [
        {},
        { OSHINKO_TOKEN: 'x', OSHINKO_TOKEN_FILE: missing },
        'set either OSHINKO_TOKEN or OSHINKO_TOKEN_FILE, not both',
      ],
    ];
    // root reads any file: the permission case holds for other users only.
    if (process.getuid?.() !== 0) {
      cases.push([
        { tokenFile: unreadable },
        {},
        `cannot read --token-file ${JSON.stringify(unreadable)}: permission denied`,
      ]);
    }
    for (const [flags, env, message] of cases) {
      const error = await failure(() => resolveToken(flags, env));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain('hidden-token');
    }
  });

  it('is sent to the server, and a refused one is not repeated in the error', async () => {
    const path = file('token-ok', `${TOKEN}\n`);
    const ca = join(dir, 'ca.pem');
    await connect({ server: url, tokenFile: path, certificateAuthority: ca }, io()).client.info();
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
    const wrong = file('token-wrong', 'wrong-secret\n');
    const error = await failure(() =>
      connect({ server: url, tokenFile: wrong, certificateAuthority: ca }, io()).client.info(),
    );
    expect(error.message).toBe('wrong token');
    expect(error.message).not.toContain('wrong-secret');
  });
});

describe('TLS', () => {
  it('trusts the server with --certificate-authority (or OSHINKO_CERTIFICATE_AUTHORITY)', async () => {
    const ca = join(dir, 'ca.pem');
    await expect(
      connect({ server: url, token: TOKEN, certificateAuthority: ca }, io()).client.info(),
    ).resolves.toMatchObject({
      application: { name: 'oshinko' },
    });
    await expect(
      connect({ server: url, token: TOKEN }, io({ OSHINKO_CERTIFICATE_AUTHORITY: ca })).client.info(),
    ).resolves.toMatchObject({ application: { name: 'oshinko' } });
  });

  it('refuses an untrusted certificate, saying which flag to give', async () => {
    const error = await failure(() => connect({ server: url, token: TOKEN }, io()).client.info());
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.message).toMatch(
      new RegExp(
        `^cannot reach the oshinko server at ${url}: the server's certificate is not trusted \\(.+\\): give the CA that signed it with --certificate-authority PATH, or skip the check with --insecure-skip-tls-verify$`,
      ),
    );
    // Another CA does not make it trusted either.
    const other = join(dir, 'other');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${other}.key`,
      '-out',
      `${other}.pem`,
      '-days',
      '1',
      '-subj',
      '/CN=other CA',
    ]);
    const wrongCa = await failure(() =>
      connect({ server: url, token: TOKEN, certificateAuthority: `${other}.pem` }, io()).client.info(),
    );
    expect(wrongCa.message).toContain("the server's certificate is not trusted");
  });

  it('skips the check with --insecure-skip-tls-verify, with a warning', async () => {
    const cli = io();
    await expect(
      connect({ server: url, token: TOKEN, insecureSkipTlsVerify: true }, cli).client.info(),
    ).resolves.toBeDefined();
    expect(cli.errors()).toMatch(
      /^warning: --insecure-skip-tls-verify: the server's certificate is not checked/,
    );
    expect(cli.errors()).not.toContain(TOKEN);
  });

  it('refuses a CA file that is missing or holds no certificate, and a CA with --insecure-skip-tls-verify', async () => {
    const missing = join(dir, 'no-ca.pem');
    const notPem = file('not.pem', 'hello\n');
    const cases: [ConnectionFlags, string][] = [
      [
        { certificateAuthority: missing },
        `cannot read --certificate-authority ${JSON.stringify(missing)}: no such file`,
      ],
      [
        { certificateAuthority: notPem },
        `--certificate-authority ${JSON.stringify(notPem)} holds no PEM certificate`,
      ],
      [
        { certificateAuthority: join(dir, 'ca.pem'), insecureSkipTlsVerify: true },
        'give either --certificate-authority or --insecure-skip-tls-verify, not both',
      ],
    ];
    for (const [flags, message] of cases) {
      const error = await failure(() => connect({ server: url, ...flags }, io()));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toContain(message);
    }
  });
});

describe('--request-timeout', () => {
  it("is kubectl's duration, 0 for none, and by default longer than the server's own 120 s", () => {
    expect(parseRequestTimeout(undefined)).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBeGreaterThan(120_000);
    expect(parseRequestTimeout('0')).toBe(0);
    expect(parseRequestTimeout('0s')).toBe(0);
    expect(parseRequestTimeout('90s')).toBe(90_000);
    expect(parseRequestTimeout('5')).toBe(5000);
    expect(parseRequestTimeout('1m30s')).toBe(90_000);
    expect(() => parseRequestTimeout('soon')).toThrow('invalid --request-timeout "soon"');
    expect(() => parseRequestTimeout('-1s')).toThrow(InvalidInputError);
  });

  it('gives up on a server that does not answer in time', async () => {
    // The server never answers below /slow/.
    const slow = connect(
      { server: `${url}/slow`, certificateAuthority: join(dir, 'ca.pem'), requestTimeout: '200ms' },
      io(),
    ).client;
    const error = await failure(() => slow.listClusters());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toContain('did not answer within 200 ms');
  });
});

describe('a followed log over TLS', () => {
  it('streams lines past the request timeout, and closes the connection when aborted', async () => {
    const flags = { certificateAuthority: join(dir, 'ca.pem'), requestTimeout: '100ms' };
    const { client } = connect({ server: url, ...flags }, io());
    const abort = new AbortController();
    const stream = client.followLogs('spark1', { tail: 5 }, abort.signal)[Symbol.asyncIterator]();
    expect(await stream.next()).toEqual({ done: false, value: 'first\n' });
    const response = follows.at(-1);
    expect(response?.req.url).toBe('/clusters/spark1/logs?tail=5&follow=true');
    // A request started after the follow times out: the follow's own timeout has passed too.
    const late = await failure(() =>
      connect({ server: `${url}/slow`, ...flags }, io()).client.listClusters(),
    );
    expect(late).toBeInstanceOf(TimeoutError);
    response?.write('second\n');
    expect(await stream.next()).toEqual({ done: false, value: 'second\n' });
    const closed = new Promise((resolve) => response?.once('close', resolve));
    abort.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await closed;
  });
});
