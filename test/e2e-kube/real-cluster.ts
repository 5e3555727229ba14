/**
 * The real single-node Kubernetes that scripts/kube/up.sh brings up (npm run kube:up), as the suites in this folder
 * see it: its env file, kubectl, image loading and building, and a namespace per suite.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { OshinkoClient, type ClusterModel } from '../../src/client/oshinko-client.js';
import { parseServeConfig } from '../../src/server/serve-config.js';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { clusterWaiter } from '../support/wait-for-cluster.js';

const run = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '..', '..');
const STATE = process.env.OSHINKO_KUBE_STATE ?? join(REPO, '.oshinko', 'kube');

export interface RealCluster {
  readonly kubeconfig: string;
  readonly nodeName: string;
  /** The node's address: pods reach the host (a Spark driver, say) there. */
  readonly nodeIp: string;
  readonly binDir: string;
  readonly state: string;
}

function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

/** The running test cluster, or undefined when none is up (the suites then fail, never skip, under test:kube). */
export function realCluster(): RealCluster | undefined {
  const file = join(STATE, 'env');
  if (!existsSync(file)) return undefined;
  const env = readEnv(file);
  const get = (key: string): string => {
    const value = env[key];
    if (value === undefined) throw new Error(`${file} has no ${key}`);
    return value;
  };
  return {
    kubeconfig: get('KUBECONFIG'),
    nodeName: get('OSHINKO_KUBE_NODE'),
    nodeIp: get('OSHINKO_KUBE_NODE_IP'),
    binDir: get('OSHINKO_KUBE_BIN'),
    state: get('OSHINKO_KUBE_STATE'),
  };
}

export function requireRealCluster(): RealCluster {
  const cluster = realCluster();
  if (cluster === undefined) {
    throw new Error(`no test cluster is running (no ${join(STATE, 'env')}): run npm run kube:up first`);
  }
  return cluster;
}

export async function kubectl(
  cluster: RealCluster,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const child = run(join(cluster.binDir, 'kubectl'), ['--kubeconfig', cluster.kubeconfig, ...args], {
    maxBuffer: 32 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

export async function kubectlJson<T>(cluster: RealCluster, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, [...args, '-o', 'json'])) as T;
}

/** A namespace of its own for a suite; removed (with all it holds) by the returned function. */
export async function createNamespace(
  cluster: RealCluster,
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${Date.now().toString(36)}`;
  await kubectl(cluster, ['create', 'namespace', name]);
  return {
    name,
    remove: async () => {
      await kubectl(cluster, ['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
    },
  };
}

/** Imports an image archive into the node's containerd (npm run kube:load). */
export async function loadImage(archive: string): Promise<void> {
  await run('bash', [join(REPO, 'scripts', 'kube', 'load.sh'), archive], { maxBuffer: 8 * 1024 * 1024 });
}

const IMAGES = join(REPO, 'scripts', 'kube', 'images.sh');

/** The test base image (Spark from the project's runtime on Debian), built once and cached by images.sh. */
export async function baseImageArchive(): Promise<{ archive: string; image: string }> {
  const { stdout } = await run('bash', [IMAGES, 'spark-base'], { maxBuffer: 8 * 1024 * 1024 });
  const archive = stdout.trim().split('\n').at(-1) ?? '';
  const version = /spark-([0-9][^-]*)-[0-9a-f]+\.tar$/.exec(archive)?.[1];
  if (version === undefined) throw new Error(`images.sh spark-base printed no archive: ${stdout}`);
  return { archive, image: `localhost/oshinko/spark:${version}` };
}

/**
 * The test base image with its user named (`USER spark`) instead of numbered, as the official apache/spark images
 * have it; built once from the base and cached by images.sh.
 */
export async function userNameImageArchive(): Promise<{ archive: string; image: string }> {
  const { stdout } = await run('bash', [IMAGES, 'spark-user-name'], { maxBuffer: 8 * 1024 * 1024 });
  const archive = stdout.trim().split('\n').at(-1) ?? '';
  const version = /spark-user-spark-([0-9][^-]*)-[0-9a-f]+\.tar$/.exec(archive)?.[1];
  if (version === undefined) throw new Error(`images.sh spark-user-name printed no archive: ${stdout}`);
  return { archive, image: `localhost/oshinko/spark:${version}-user-spark` };
}

/** buildah on the storage of images.sh, where the base images are. */
async function buildah(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [IMAGES, 'buildah', ...args], { maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

/**
 * Commits `image` from `base` plus files into the storage of images.sh (remove it with `removeImage`). Arguments
 * go to buildah as an argument vector, never through a shell.
 */
export async function commitDerivedImage(
  base: string,
  image: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'oshinko-image-'));
  const container = (await buildah('from', '--pull-never', base)).trim();
  await withCleanup(
    async () => {
      for (const [path, content] of Object.entries(files)) {
        const local = join(work, path.replaceAll('/', '_'));
        await writeFile(local, content);
        await buildah('copy', '--chmod', '0644', container, local, path);
      }
      await buildah('commit', '--quiet', container, image);
    },
    async () => {
      await buildah('rm', container);
      await rm(work, { recursive: true, force: true });
    },
  );
}

/**
 * Runs `body`, then `cleanup` whatever happened. A failed clean-up fails the call too: with the body's error when both
 * failed (an AggregateError), never hiding either.
 */
async function withCleanup<T>(body: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (error) {
    await cleanup().catch((cleanupError: unknown) => {
      throw new AggregateError([error, cleanupError], 'the step failed, and so did its clean-up');
    });
    throw error;
  }
  await cleanup();
  return result;
}

/** `buildah rmi` of an image that is not there (its commit never happened) is no failure of the clean-up. */
async function removeIfPresent(image: string): Promise<void> {
  await buildah('rmi', image).catch((error: unknown) => {
    if (!/image not known/i.test(String((error as { stderr?: unknown }).stderr))) throw error;
  });
}

/** Removes an image `commitDerivedImage` made; the store keeps only the base images. */
export async function removeImage(image: string): Promise<void> {
  await removeIfPresent(image);
}

/** Builds `image` from `base` plus files (`commitDerivedImage`) into a docker archive for the node to import. */
export async function buildDerivedImage(
  base: string,
  image: string,
  files: Readonly<Record<string, string>>,
): Promise<string> {
  await commitDerivedImage(base, image, files);
  try {
    const archive = join(await mkdtemp(join(tmpdir(), 'oshinko-image-')), 'image.tar');
    await buildah('push', '--quiet', image, `docker-archive:${archive}:${image}`);
    return archive;
  } finally {
    await removeImage(image);
  }
}

export const MASTER_CLASS = 'org.apache.spark.deploy.master.Master';
export const WORKER_CLASS = 'org.apache.spark.deploy.worker.Worker';

/**
 * The host pid of the Spark daemon JVM of `mainClass` that advertises `ip` (`--host <pod IP>`): a container's
 * processes are this machine's processes, so a test reads their environment and files (`/proc/<pid>/root`) here.
 */
export function daemonPid(mainClass: string, ip: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch (error) {
      if (processGone(error)) continue;
      throw error;
    }
    const host = argv.indexOf('--host');
    if (
      argv[0]?.endsWith('java') === true &&
      argv.includes(mainClass) &&
      host >= 0 &&
      argv[host + 1] === ip
    ) {
      return Number(entry);
    }
  }
  throw new Error(`no ${mainClass} JVM advertises ${ip}`);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The real server with the Kubernetes driver against the test cluster, in `namespace`. */
export async function startServer(
  cluster: RealCluster,
  namespace: string,
  defaultImage: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ server: RunningServer; client: OshinkoClient }> {
  const config = parseServeConfig(
    {
      driver: 'kubernetes',
      kubeconfig: cluster.kubeconfig,
      namespace,
      defaultImage,
      port: '0',
      logLevel: 'warn',
    },
    env,
  );
  const server = await serve(config);
  return { server, client: new OshinkoClient(server.url, { timeoutMs: 60_000 }) };
}

/** The wait for a cluster on the test node: images start, JVMs register, in minutes on a loaded machine. */
export const waitForCluster = clusterWaiter({ timeoutMs: 180_000, intervalMs: 500 });

export const allRegistered = (cluster: ClusterModel): boolean =>
  cluster.status === 'Running' && cluster.workers.ready === cluster.workers.desired;

/** What the master itself says: its /json/ read through the API server's service proxy. */
export async function masterJson(
  cluster: RealCluster,
  namespace: string,
  service: string,
): Promise<{ status: string; workers: { host: string; state: string }[] }> {
  const raw = await kubectl(cluster, [
    'get',
    '--raw',
    `/api/v1/namespaces/${namespace}/services/${service}:8080/proxy/json/`,
  ]);
  return JSON.parse(raw) as { status: string; workers: { host: string; state: string }[] };
}

export interface RealPod {
  readonly name: string;
  readonly type: string;
  readonly ip: string;
  readonly ready: boolean;
  readonly restarts: number;
}

/** The pods of a cluster as Kubernetes has them (not as oshinko reports them). */
export async function podsOf(cluster: RealCluster, namespace: string, name: string): Promise<RealPod[]> {
  const list = await kubectlJson<{
    items: {
      metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
      status?: {
        podIP?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { restartCount: number }[];
      };
    }[];
  }>(cluster, ['get', 'pods', '-n', namespace, '-l', `oshinko-cluster=${name}`]);
  return list.items
    .filter((pod) => pod.metadata.deletionTimestamp === undefined)
    .map((pod) => ({
      name: pod.metadata.name,
      type: pod.metadata.labels?.['oshinko-type'] ?? '',
      ip: pod.status?.podIP ?? '',
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + s.restartCount, 0),
    }));
}

/** SIGKILLs a component of the test cluster by the pid `kube:up` recorded, and waits until it is gone. */
export async function killComponent(cluster: RealCluster, component: string): Promise<void> {
  const pid = Number(readFileSync(join(cluster.state, 'pids', component), 'utf8').trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`no pid recorded for ${component}`);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${component} (pid ${pid}) still runs after SIGKILL`);
    await sleep(100);
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie still answers signal 0; its state in /proc says it is dead.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch (error) {
    if (processGone(error)) return false;
    throw error;
  }
}

/** A process that exited between listing /proc and reading its files. */
const processGone = (error: unknown): boolean =>
  ['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '');

/** `npm run kube:up` again: starts whatever component is not running, and waits until the cluster answers. */
export async function repairCluster(): Promise<void> {
  await run('bash', [join(REPO, 'scripts', 'kube', 'up.sh')], { maxBuffer: 8 * 1024 * 1024 });
}

/** A change to an image for `buildChangedImage`: commands run inside it, then a new entrypoint. */
export interface ImageChange {
  /** Argument vectors run in the image (buildah run), in order. */
  readonly run?: readonly (readonly string[])[];
  /** The image's new entrypoint (its arguments are then appended by the runtime). */
  readonly entrypoint?: readonly string[];
}

/**
 * Builds `image` from `base` changed by commands and an entrypoint, with buildah, into a docker archive (like
 * `buildDerivedImage`, for images that must lack something or start otherwise). Argument vectors, no shell.
 */
export async function buildChangedImage(base: string, image: string, change: ImageChange): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'oshinko-image-'));
  const container = (await buildah('from', '--pull-never', base)).trim();
  return withCleanup(
    async () => {
      // As root: the base image's user may not remove what the image installed. The host's network, as images.sh
      // builds: buildah's default would set up a CNI bridge (cni-podman0) and leave it on the machine.
      for (const argv of change.run ?? []) {
        await buildah('run', '--network', 'host', '--user', '0:0', container, '--', ...argv);
      }
      if (change.entrypoint !== undefined) {
        await buildah('config', '--entrypoint', JSON.stringify(change.entrypoint), '--cmd', '', container);
      }
      await buildah('commit', '--quiet', container, image);
      const archive = join(work, 'image.tar');
      await buildah('push', '--quiet', image, `docker-archive:${archive}:${image}`);
      return archive;
    },
    async () => {
      await buildah('rm', container);
      await removeIfPresent(image);
    },
  );
}
