/**
 * A private container registry on this machine, as a platform team runs one: Debian's `docker-registry`
 * (the CNCF distribution) on 127.0.0.1 with TLS from a CA made here and htpasswd (bcrypt) logins. The test
 * cluster's containerd trusts the CA the way a node is told about an internal registry: a `hosts.toml` in its
 * registry config directory (scripts/kube/up.sh sets `config_path`). Images get there with `buildah push`.
 * Everything it starts is stopped by its pid, and its files (the node's hosts.toml included) are removed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, type RealCluster } from './real-cluster.js';

const run = promisify(execFile);
const IMAGES = join(REPO, 'scripts', 'kube', 'images.sh');

export interface PrivateRegistry {
  /** `127.0.0.1:<port>`: the registry part of an image reference. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /**
   * Pushes a local image (in the storage of images.sh) as `<host>/<repository>`; returns the manifest digest the
   * registry now serves for it.
   */
  push(localImage: string, repository: string): Promise<string>;
  /** Stops the registry and removes its files and the node's trust in it. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', args);
}

/** A CA, and a server certificate for 127.0.0.1 signed by it. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'registry.crt');
  const key = join(dir, 'registry.key');
  const csr = join(dir, 'registry.csr');
  const ext = join(dir, 'registry.ext');
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=oshinko test registry CA',
    ].concat(['-keyout', caKey, '-out', ca]),
  );
  await openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    key,
    '-out',
    csr,
  ]);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '2'].concat([
      '-extfile',
      ext,
      '-out',
      cert,
    ]),
  );
  return { ca, cert, key };
}

/** The registry's answer to `GET /v2/` (401 without a login): it is up and speaks TLS with our CA. */
function probe(host: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const [hostname = '', port = ''] = host.split(':');
    const req = request({ hostname, port: Number(port), path: '/v2/', ca, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function startRegistry(cluster: RealCluster): Promise<PrivateRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'oshinko-registry-'));
  const username = 'spark-team';
  const password = `pw-${Date.now().toString(36)}`;
  const { ca, cert, key } = await makeCertificates(dir);
  const { stdout: htpasswd } = await run('htpasswd', ['-Bbn', username, password]);
  await writeFile(join(dir, 'htpasswd'), htpasswd);
  const port = await freePort();
  const host = `127.0.0.1:${String(port)}`;
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      '  tls:',
      `    certificate: ${cert}`,
      `    key: ${key}`,
      'auth:',
      '  htpasswd:',
      '    realm: oshinko-test',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // The node trusts the registry's CA for this host only, as a node would be told about an internal registry.
  const hostsDir = join(cluster.state, 'containerd', 'certs.d', host);
  await mkdir(hostsDir, { recursive: true });
  await writeFile(
    join(hostsDir, 'hosts.toml'),
    // containerd 1.6 wants a [host] table; after a refusal (401, 404) from a host it tries `server`, which must
    // then trust the CA too, or its TLS error would replace the registry's own answer.
    `server = "https://${host}"\nca = "${ca}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${ca}"\n`,
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const close = async (): Promise<void> => {
    if (running() && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (running()) process.kill(child.pid, 'SIGKILL');
    }
    await rm(hostsDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  };
  const caBytes = await readFile(ca);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await probe(host, caBytes).catch(async (error: unknown) => {
      // Not listening or not answering yet: ask again. Anything else (TLS with our CA failing) is the failure.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (['ECONNREFUSED', 'ECONNRESET', 'timeout'].includes(code)) return 0;
      await close();
      throw error;
    });
    if (status === 401) break;
    if (!running() || Date.now() > deadline) {
      await close();
      throw new Error(`the registry did not start on ${host} (last answer ${String(status)}): ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const certDir = join(dir, 'client-certs');
  await mkdir(certDir);
  await writeFile(join(certDir, 'ca.crt'), caBytes);
  return {
    host,
    username,
    password,
    async push(localImage, repository) {
      const digestFile = join(dir, 'digest');
      // Uncompressed layers: their digests are those of the image loaded into the node, whose containerd then
      // fetches only the layers it lacks (the base image's 800 MB are there already).
      await run(
        'bash',
        [
          IMAGES,
          'buildah',
          'push',
          '--quiet',
          '--disable-compression',
          '--cert-dir',
          certDir,
          '--creds',
          `${username}:${password}`,
          '--digestfile',
          digestFile,
          localImage,
          `docker://${host}/${repository}`,
        ],
        { maxBuffer: 8 * 1024 * 1024 },
      );
      return (await readFile(digestFile, 'utf8')).trim();
    },
    close,
  };
}
