/**
 * Benchmarks on the real single-node Kubernetes of `npm run kube:up` (which must be running; this script never
 * starts or stops it):
 *
 * 1. Cluster start: `POST /clusters` (1 master, 2 workers, the test image) against `kubectl apply` of the same
 *    objects rendered by the driver's own renderer, each timed to both workers ALIVE in the master's /json/ (read
 *    through the API server's service proxy, the same way for both), interleaved, each cluster gone before the next.
 * 2. Kubernetes API requests per REST call, counted by a reverse proxy between the server and the API server, and
 *    read latency and throughput against a plain Fastify handler, with N clusters in a namespace.
 *
 * Every phase is bounded by a count and a time limit; every process it starts is stopped by its id and every
 * namespace it creates is deleted, also on Ctrl-C. The default sizes stop at 100 clusters: the test cluster is
 * shared, and its controller manager handles about six new Deployments a second (through a client limited to 20
 * requests a second), so 1000 clusters would hold up everyone's Deployments for several minutes. `--sizes
 * 10,100,1000` measures them anyway, on a cluster nobody else is using.
 *
 *   npm run bench:kube [-- --repeats 5 --sizes 10,100 --seconds 3]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ALL_CLUSTERS_SELECTOR, clusterSelector, names } from '../src/drivers/kubernetes/labels.js';
import { VERSION } from '../src/version.js';
import { kubectl, kubectlJson, requireRealCluster, sleep } from '../test/e2e-kube/real-cluster.js';
import { aliveWorkers, apiServerUrl, certificates, KubeApi, podCount } from './kube/api.js';
import type { Counts, Tally } from './kube/counting-proxy-child.js';
import { clusterSpec, createCluster, createClusters, masterYaml, secondaryYaml } from './kube/manifests.js';
import { startChild, type Child } from './lib/child.js';
import { runLoad, send } from './lib/load.js';
import { fixed, load, machine, summarize, table, type Summary } from './lib/stats.js';
import { seededName } from './rest/names.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,100' },
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    image: { type: 'string', default: 'localhost/oshinko/spark:4.3.0' },
  },
});
const repeats = Number(values.repeats);
const sizes = values.sizes.split(',').map(Number);
const maxMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);
const image = values.image;
if (![repeats, maxMs, concurrency, ...sizes].every((n) => Number.isSafeInteger(n) && n > 0)) {
  throw new Error('--repeats, --sizes, --seconds and --concurrency take positive integers');
}

/** Above this many clusters, filling a namespace holds up the shared cluster's controllers for minutes. */
const SHARED_LIMIT = 100;
if (sizes.some((size) => size > SHARED_LIMIT)) {
  process.stderr.write(
    `warning: more than ${String(SHARED_LIMIT)} clusters keep the controller manager busy for minutes; everyone's Deployments wait\n`,
  );
}

/** How often the master's /json/ and oshinko's view are polled while a cluster starts. */
const POLL_MS = 250;
const START_TIMEOUT_MS = 240_000;
const GONE_TIMEOUT_MS = 180_000;
/** An image the node does not have: a pod of it fails its pull at once and runs nothing. */
const ABSENT_IMAGE = 'localhost/oshinko/bench-absent:0';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const cluster = requireRealCluster();
const certs = certificates(cluster);
const api = new KubeApi(apiServerUrl(cluster), certs);
const agent = new Agent({ keepAlive: true });
const since = (began: number) => performance.now() - began;
const log = (line: string) => {
  process.stderr.write(`${line}\n`);
};

/** What the script must undo, newest first: children to stop, namespaces to delete, files to remove. */
const undo: { what: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;
/** Once, whoever asks first (the end of main, a signal, or both): every later call waits for the same. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of undo.splice(0).reverse()) {
      await step.run().catch((error: unknown) => {
        log(`clean-up: ${step.what} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    api.close();
    agent.destroy();
  })();
  return cleaning;
}
let interrupted = false;
// `on`, not `once`: tsx relays a signal to this process a second time when it does not hear back at once, and a
// second signal must not end the process in the middle of its clean-up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** After a signal nothing new is started: the clean-up may already have passed the place it would be undone. */
function notInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

async function child<Info>(path: string, args: readonly string[] = []): Promise<Child<Info>> {
  notInterrupted();
  const started = await startChild<Info>(here(path), args);
  undo.push({ what: `stop pid ${String(started.process.pid)}`, run: () => started.stop() });
  return started;
}

/** A namespace of the script's own; deleted at the end, waiting (bounded) until Kubernetes has removed it. */
async function namespace(prefix: string): Promise<string> {
  notInterrupted();
  const name = `${prefix}-${Date.now().toString(36)}`;
  await kubectl(cluster, ['create', 'namespace', name]);
  undo.push({
    what: `delete namespace ${name}`,
    run: async () => {
      const began = performance.now();
      await kubectl(cluster, ['delete', 'namespace', name, '--ignore-not-found', '--timeout=180s']);
      log(`deleted namespace ${name} (${fixed(since(began) / 1000, 1)} s)`);
    },
  });
  return name;
}

/** A kubeconfig for the oshinko server: the counting proxy, trusted by the cluster's CA, in `ns`. */
async function proxyKubeconfig(dir: string, proxyUrl: string, ns: string): Promise<string> {
  const file = join(dir, `${ns}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'counting-proxy',
        cluster: { server: proxyUrl, 'certificate-authority': join(cluster.state, 'certs', 'ca.crt') },
      },
    ],
    // The proxy authenticates upstream with the admin certificate and drops this token.
    users: [{ name: 'bench', user: { token: 'dropped-by-the-counting-proxy' } }],
    contexts: [{ name: 'bench', context: { cluster: 'counting-proxy', user: 'bench', namespace: ns } }],
    'current-context': 'bench',
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
  return file;
}

async function versions(): Promise<string[][]> {
  const version = await kubectlJson<{
    clientVersion?: { gitVersion?: string };
    serverVersion?: { gitVersion?: string };
  }>(cluster, ['version']);
  const node = await kubectlJson<{
    status?: {
      nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string; kernelVersion?: string };
      capacity?: { cpu?: string; memory?: string };
    };
  }>(cluster, ['get', 'node', cluster.nodeName]);
  const info = node.status?.nodeInfo;
  return [
    ['oshinko', VERSION],
    ['Kubernetes (API server)', version.serverVersion?.gitVersion ?? '?'],
    ['kubectl', version.clientVersion?.gitVersion ?? '?'],
    ['kubelet', info?.kubeletVersion ?? '?'],
    ['container runtime', info?.containerRuntimeVersion ?? '?'],
    ['kernel', info?.kernelVersion ?? '?'],
    ['node capacity', `${node.status?.capacity?.cpu ?? '?'} CPUs, ${node.status?.capacity?.memory ?? '?'}`],
    ['Spark image', image],
    ['machine', machine()],
  ];
}

function describeCounts(counts: Counts): string {
  return Object.entries(counts.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${String(count)} ${key}`)
    .join(', ');
}

function addCounts(into: Record<string, number>, counts: Counts): void {
  for (const [key, n] of Object.entries(counts.counts)) into[key] = (into[key] ?? 0) + n;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Cluster start

type Side = 'oshinko' | 'kubectl';

interface StartRun {
  readonly side: Side;
  readonly name: string;
  /** POST answered, or both `kubectl apply` done (ms from the start). */
  readonly submitted: number;
  /** Both workers ALIVE in the master's /json/ (NaN: not within the limit). */
  readonly registered: number;
  /** oshinko's GET /clusters/{name} first says Running with 2/2 ready. */
  readonly running: number;
  /** From the delete to the last pod gone. */
  readonly gone: number;
  /** oshinko only: its Kubernetes API requests from POST to Running, by kind. */
  readonly tally: Tally | undefined;
}

interface ClusterAnswer {
  readonly cluster?: { readonly status?: string; readonly workers?: { desired?: number; ready?: number } };
}

async function waitGone(ns: string, name: string): Promise<void> {
  const deadline = performance.now() + GONE_TIMEOUT_MS;
  while ((await podCount(api, ns, name)) > 0) {
    if (performance.now() > deadline)
      throw new Error(`pods of ${name} still there after ${String(GONE_TIMEOUT_MS)} ms`);
    await sleep(500);
  }
}

/** Polls until both workers are ALIVE (and, for oshinko, until it reports Running 2/2), or the limit. */
async function waitStarted(
  ns: string,
  name: string,
  began: number,
  oshinkoUrl: string | undefined,
): Promise<{ registered: number; running: number }> {
  let registered = Number.NaN;
  let running = oshinkoUrl === undefined ? 0 : Number.NaN;
  const deadline = began + START_TIMEOUT_MS;
  while (performance.now() < deadline && (Number.isNaN(registered) || Number.isNaN(running))) {
    const tick = performance.now();
    await Promise.all([
      Number.isNaN(registered)
        ? aliveWorkers(api, ns, name).then((alive) => {
            if (alive >= 2) registered = since(began);
          })
        : undefined,
      oshinkoUrl !== undefined && Number.isNaN(running)
        ? send(agent, `${oshinkoUrl}/clusters/${name}`, 'GET').then((answer) => {
            const view = (JSON.parse(answer.body) as ClusterAnswer).cluster;
            if (view?.status === 'Running' && view.workers?.ready === 2 && view.workers.desired === 2) {
              running = since(began);
            }
          })
        : undefined,
    ]);
    await sleep(Math.max(0, POLL_MS - since(tick)));
  }
  return { registered, running: oshinkoUrl === undefined ? Number.NaN : running };
}

async function startWithOshinko(ns: string, name: string, url: string, proxy: Child): Promise<StartRun> {
  await proxy.ask<Tally>({ type: 'requests' });
  const began = performance.now();
  const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: 2 } });
  const submitted = since(began);
  if (created.status !== 201)
    throw new Error(`POST /clusters answered ${String(created.status)}: ${created.body}`);
  const { registered, running } = await waitStarted(ns, name, began, url);
  const tally = await proxy.ask<Tally>({ type: 'requests' });
  const deleting = performance.now();
  const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
  if (deleted.status !== 204) throw new Error(`DELETE answered ${String(deleted.status)}: ${deleted.body}`);
  await waitGone(ns, name);
  return { side: 'oshinko', name, submitted, registered, running, gone: since(deleting), tally };
}

async function startWithKubectl(ns: string, name: string): Promise<StartRun> {
  const spec = clusterSpec(name, image, { masterCount: 1, workerCount: 2 });
  const master = masterYaml(spec, ns);
  const began = performance.now();
  // The other objects are owned by the master (as oshinko makes them), so they need its uid: two applies.
  const uid = await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-', '-o', 'jsonpath={.metadata.uid}'],
    master,
  );
  await kubectl(
    cluster,
    ['apply', '-n', ns, '-f', '-'],
    secondaryYaml(spec, ns, { name: names.master(name), uid: uid.trim() }),
  );
  const submitted = since(began);
  const { registered } = await waitStarted(ns, name, began, undefined);
  const deleting = performance.now();
  await kubectl(cluster, [
    'delete',
    'deployments,services',
    '-n',
    ns,
    '-l',
    clusterSelector(name),
    '--wait=false',
  ]);
  await waitGone(ns, name);
  return {
    side: 'kubectl',
    name,
    submitted,
    registered,
    running: Number.NaN,
    gone: since(deleting),
    tally: undefined,
  };
}

async function clusterStart(proxy: Child, proxyUrl: string, dir: string): Promise<string> {
  const nsOshinko = await namespace('bench-kube-start-o');
  const nsKubectl = await namespace('bench-kube-start-k');
  const server = await child<{ url: string }>('./rest/server-child.ts', [
    await proxyKubeconfig(dir, proxyUrl, nsOshinko),
    'watch',
    image,
  ]);
  const url = server.info.url;
  // The first read starts the watch cache; the first POST then finds it live.
  await send(agent, `${url}/clusters`, 'GET');
  const runs: StartRun[] = [];
  const loadBefore = load();
  for (let i = 1; i <= repeats; i++) {
    for (const side of ['oshinko', 'kubectl'] as const) {
      const name = `start-${side === 'oshinko' ? 'o' : 'k'}${String(i)}`;
      const run =
        side === 'oshinko'
          ? await startWithOshinko(nsOshinko, name, url, proxy)
          : await startWithKubectl(nsKubectl, name);
      runs.push(run);
      log(
        `start ${String(i)}/${String(repeats)} ${side}: submitted ${fixed(run.submitted / 1000, 2)} s, registered ${fixed(run.registered / 1000, 2)} s${
          side === 'oshinko' ? `, Running ${fixed(run.running / 1000, 2)} s` : ''
        }, gone ${fixed(run.gone / 1000, 1)} s after the delete (${load()})`,
      );
    }
  }
  await server.stop();
  const loadAfter = load();

  const seconds = (values: readonly number[]): Summary =>
    summarize(values.filter(Number.isFinite).map((v) => v / 1000));
  const of = (side: Side) => runs.filter((run) => run.side === side);
  const row = (label: string, s: Summary, failed: number, ratio = '') => [
    label,
    String(s.n),
    fixed(s.median, 2),
    fixed(s.min, 2),
    fixed(s.max, 2),
    String(failed),
    ratio,
  ];
  const failed = (side: Side) => of(side).filter((run) => !Number.isFinite(run.registered)).length;
  const oshinkoRegistered = seconds(of('oshinko').map((r) => r.registered));
  const kubectlRegistered = seconds(of('kubectl').map((r) => r.registered));
  const summary = table(
    [
      'measure (s from POST or the first kubectl)',
      'n',
      'median',
      'min',
      'max',
      'not in 240 s',
      'oshinko / kubectl',
    ],
    [
      row('oshinko: POST /clusters answered', seconds(of('oshinko').map((r) => r.submitted)), 0),
      row('kubectl: both applies done', seconds(of('kubectl').map((r) => r.submitted)), 0),
      row(
        'oshinko: 2 workers ALIVE in the master /json/',
        oshinkoRegistered,
        failed('oshinko'),
        fixed(oshinkoRegistered.median / kubectlRegistered.median, 2),
      ),
      row('kubectl: 2 workers ALIVE in the master /json/', kubectlRegistered, failed('kubectl')),
      row(
        'oshinko: GET /clusters/{name} says Running 2/2',
        seconds(of('oshinko').map((r) => r.running)),
        of('oshinko').filter((r) => !Number.isFinite(r.running)).length,
      ),
      row(
        'oshinko: Running 2/2 after the /json/ said so',
        seconds(of('oshinko').map((r) => r.running - r.registered)),
        0,
      ),
      row('oshinko: DELETE to the last pod gone', seconds(of('oshinko').map((r) => r.gone)), 0),
      row('kubectl: delete to the last pod gone', seconds(of('kubectl').map((r) => r.gone)), 0),
    ],
  );
  const pairs = table(
    ['repeat', 'oshinko registered', 'oshinko Running 2/2', 'kubectl registered'],
    Array.from({ length: repeats }, (_, i) => {
      const o = of('oshinko')[i];
      const k = of('kubectl')[i];
      return [
        String(i + 1),
        fixed((o?.registered ?? Number.NaN) / 1000, 2),
        fixed((o?.running ?? Number.NaN) / 1000, 2),
        fixed((k?.registered ?? Number.NaN) / 1000, 2),
      ];
    }),
  );
  const during: Record<string, number> = {};
  const background: Record<string, number> = {};
  for (const run of of('oshinko')) {
    if (run.tally === undefined) continue;
    addCounts(during, run.tally.calls);
    addCounts(background, run.tally.background);
  }
  const perStart = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${fixed(n / repeats, 1)} ${key}`)
      .join(', ');
  const requests = table(
    ['oshinko API requests from POST to Running 2/2 (mean per start)', 'which'],
    [
      ['made by the POST itself', perStart(during)],
      ['background (watch cache, registration poller)', perStart(background)],
    ],
  );
  return [
    `## Cluster start: 1 master and 2 workers, ${String(repeats)} of each, interleaved\n`,
    `(${loadBefore} at the start of this part, ${loadAfter} at its end)\n`,
    summary,
    '\nEach repeat (s):\n',
    pairs,
    '\n',
    requests,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// 2. API requests per REST call, read latency and throughput with N clusters

type Mode = 'watch' | 'direct';
const MODES: readonly Mode[] = ['watch', 'direct'];
const MODE_LABEL: Record<Mode, string> = { watch: 'watch cache', direct: 'direct (no cache)' };

/** Until the controllers have handled every Deployment (its ReplicaSet made, its status observed). */
async function settled(ns: string, limitMs: number): Promise<number> {
  const began = performance.now();
  for (;;) {
    const deployments = await api.json<{
      items: { metadata: { generation?: number }; status?: { observedGeneration?: number } }[];
    }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
    const replicaSets = await api.json<{ items: unknown[] }>(
      'GET',
      `/apis/apps/v1/namespaces/${ns}/replicasets`,
    );
    const behind = deployments.items.filter(
      (d) => (d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1),
    ).length;
    if (behind === 0 && replicaSets.items.length >= deployments.items.length) return since(began);
    if (since(began) > limitMs) {
      log(
        `controllers still behind after ${String(limitMs)} ms (${String(behind)} Deployments); measuring anyway`,
      );
      return since(began);
    }
    await sleep(1000);
  }
}

async function kubeRounds(
  proxyApi: KubeApi,
  paths: readonly string[],
): Promise<{ latency: Summary; bytes: number }> {
  const latencies: number[] = [];
  let bytes = 0;
  const deadline = performance.now() + maxMs;
  while (latencies.length < 300 && performance.now() < deadline) {
    const began = performance.now();
    const answers = await Promise.all(paths.map((path) => proxyApi.request('GET', path)));
    latencies.push(since(began));
    bytes = answers.reduce((sum, a) => sum + a.body.length, 0);
  }
  return { latency: summarize(latencies), bytes };
}

function listPaths(ns: string, selector: string, events: boolean): string[] {
  const q = `?labelSelector=${encodeURIComponent(selector)}`;
  return [
    `/apis/apps/v1/namespaces/${ns}/deployments${q}`,
    `/api/v1/namespaces/${ns}/pods${q}`,
    `/api/v1/namespaces/${ns}/services${q}`,
    ...(events ? [`/api/v1/namespaces/${ns}/events`] : []),
  ];
}

async function restPath(proxy: Child, proxyUrl: string, dir: string): Promise<string> {
  const ns = await namespace('bench-kube-rest');
  const kubeconfig = await proxyKubeconfig(dir, proxyUrl, ns);
  const servers = new Map<Mode, string>();
  for (const mode of MODES) {
    servers.set(
      mode,
      (await child<{ url: string }>('./rest/server-child.ts', [kubeconfig, mode, image])).info.url,
    );
  }
  const serverUrl = (mode: Mode) => servers.get(mode) ?? '';
  const plain = await child<{ url: string }>('./rest/plain-child.ts');
  const plainUrl = plain.info.url;
  const proxyApi = new KubeApi(proxyUrl, certs);
  const rows = {
    requests: [] as string[][],
    background: [] as string[][],
    latency: [] as string[][],
    throughput: [] as string[][],
    writes: [] as string[][],
    populate: [] as string[][],
  };
  const loadBefore = load();
  let seeded = 0;
  for (const size of sizes) {
    const began = performance.now();
    // The first cluster has a master and a worker whose pods can never be scheduled (so GET /clusters/{name}
    // shows pods and their events); the others have no pods at all.
    if (seeded === 0) {
      await createCluster(
        api,
        ns,
        clusterSpec(seededName(0), image, { masterCount: 1, workerCount: 1 }),
        true,
      );
      seeded = 1;
    }
    const specs = [];
    for (; seeded < size; seeded++) {
      specs.push(clusterSpec(seededName(seeded), image, { masterCount: 0, workerCount: 0 }));
    }
    await createClusters(api, ns, specs, 8);
    const created = since(began);
    const settling = await settled(ns, 180_000);
    rows.populate.push([String(size), fixed(created / 1000, 1), fixed(settling / 1000, 1), load()]);
    log(
      `populated ${String(size)} clusters (${fixed(created / 1000, 1)} s, controllers ${fixed(settling / 1000, 1)} s more)`,
    );
    const sizeBegan = performance.now();
    const background: Record<string, number> = {};
    const requests = async () => {
      const tally = await proxy.ask<Tally>({ type: 'requests' });
      addCounts(background, tally.background);
      return tally.calls;
    };

    const one = seededName(0);
    // Both servers list every cluster and no other (clusters deleted in the foreground stay listed as Deleting
    // until their pods are gone); returns the answers, which the plain server then returns.
    const listed = async (rounds: number) => {
      let list = '';
      let single = '';
      const count = () => (JSON.parse(list) as { clusters?: unknown[] }).clusters?.length ?? -1;
      for (const mode of MODES) {
        const url = serverUrl(mode);
        const deadline = performance.now() + 60_000;
        for (let i = 0; (i < rounds || count() !== size) && performance.now() < deadline; i++) {
          if (i >= rounds) await sleep(100);
          list = (await send(agent, `${url}/clusters`, 'GET')).body;
          single = (await send(agent, `${url}/clusters/${one}`, 'GET')).body;
        }
        if (count() !== size)
          throw new Error(`${mode}: GET /clusters lists ${String(count())} clusters, not ${String(size)}`);
      }
      return { list, one: single };
    };
    // Warm up: the watch cache starts with the first read (its lists are not a call's cost), routes are found, JIT.
    await listed(20);

    // Kubernetes API requests per REST call, each call alone.
    for (const mode of MODES) {
      const url = serverUrl(mode);
      await requests();
      const perCall = async (
        call: string,
        work: () => Promise<{ status: number; body: string }>,
        status: number,
      ) => {
        const answer = await work();
        if (answer.status !== status)
          throw new Error(`${call} answered ${String(answer.status)}: ${answer.body}`);
        const counted = await requests();
        rows.requests.push([
          String(size),
          MODE_LABEL[mode],
          call,
          String(counted.total),
          describeCounts(counted),
        ]);
      };
      const counted = `counted-${mode}`;
      await perCall('GET /clusters', () => send(agent, `${url}/clusters`, 'GET'), 200);
      await perCall('GET /clusters/{name}', () => send(agent, `${url}/clusters/${one}`, 'GET'), 200);
      // No pods: a cluster of no master and no worker, then one worker of an image the node does not have.
      await perCall(
        'POST /clusters',
        () =>
          send(agent, `${url}/clusters`, 'POST', {
            name: counted,
            config: { masterCount: 0, workerCount: 0, sparkImage: ABSENT_IMAGE },
          }),
        201,
      );
      await perCall(
        'PUT /clusters/{name} (scale)',
        () => send(agent, `${url}/clusters/${counted}`, 'PUT', { name: counted, config: { workerCount: 1 } }),
        202,
      );
      await perCall(
        'DELETE /clusters/{name}',
        () => send(agent, `${url}/clusters/${counted}`, 'DELETE'),
        204,
      );
    }

    await plain.ask({ type: 'answers', ...(await listed(1)) });

    // Reads, one at a time and with `concurrency` connections, against the plain handler.
    for (const [call, path, selector, events] of [
      ['GET /clusters', '/clusters', ALL_CLUSTERS_SELECTOR, false],
      ['GET /clusters/{name}', `/clusters/${one}`, clusterSelector(one), true],
    ] as const) {
      const plain1 = await runLoad({ url: plainUrl + path, concurrency: 1, maxRequests: 500, maxMs });
      const kube = await kubeRounds(proxyApi, listPaths(ns, selector, events));
      const plainN = await runLoad({ url: plainUrl + path, concurrency, maxRequests: 20000, maxMs });
      for (const mode of MODES) {
        const url = serverUrl(mode);
        const oshinko1 = await runLoad({ url: url + path, concurrency: 1, maxRequests: 500, maxMs });
        rows.latency.push([
          String(size),
          call,
          MODE_LABEL[mode],
          fixed(oshinko1.latency.median, 2),
          fixed(oshinko1.latency.p99, 2),
          fixed(plain1.latency.median, 2),
          fixed(oshinko1.latency.median / plain1.latency.median, 1),
          mode === 'direct' ? fixed(kube.latency.median, 2) : '-',
          fixed(oshinko1.bytes / 1024, 1),
          mode === 'direct' ? fixed(kube.bytes / 1024, 1) : '0',
          String(oshinko1.errors),
        ]);
        const oshinkoN = await runLoad({ url: url + path, concurrency, maxRequests: 20000, maxMs });
        rows.throughput.push([
          String(size),
          call,
          MODE_LABEL[mode],
          fixed(oshinkoN.perSecond, 0),
          fixed(oshinkoN.latency.median, 1),
          fixed(oshinkoN.latency.p99, 1),
          fixed(plainN.perSecond, 0),
          fixed(plainN.perSecond / oshinkoN.perSecond, 1),
          String(oshinkoN.errors + plainN.errors),
        ]);
      }
      log(`measured ${call} at ${String(size)} (${load()})`);
    }
    await requests();

    // Create and delete, one at a time, a cluster of no pods each time; the namespace keeps its size.
    for (const mode of MODES) {
      const url = serverUrl(mode);
      const create: number[] = [];
      const remove: number[] = [];
      let errors = 0;
      const deadline = performance.now() + 2 * maxMs;
      for (let i = 0; i < 10 && performance.now() < deadline; i++) {
        const name = `bench-${mode}-${String(size)}-${String(i)}`;
        let t = performance.now();
        const created = await send(agent, `${url}/clusters`, 'POST', {
          name,
          config: { masterCount: 0, workerCount: 0 },
        });
        create.push(since(t));
        t = performance.now();
        const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
        remove.push(since(t));
        if (created.status !== 201 || deleted.status !== 204) errors++;
      }
      for (const [call, latencies] of [
        ['POST /clusters', create],
        ['DELETE /clusters/{name}', remove],
      ] as const) {
        const s = summarize(latencies);
        const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
        rows.writes.push([
          String(size),
          call,
          MODE_LABEL[mode],
          String(s.n),
          fixed(s.median, 1),
          fixed(s.p99, 1),
          fixed(1000 / mean, 0),
          String(errors),
        ]);
      }
    }
    await requests();
    rows.background.push([
      String(size),
      fixed(since(sizeBegan) / 1000, 0),
      describeCounts({ total: 0, counts: background }) || 'none',
    ]);
    log(`measured writes at ${String(size)} (${load()})`);
  }
  proxyApi.close();
  const loadAfter = load();
  return [
    `## API requests, reads and writes with N clusters in a namespace\n`,
    `(${loadBefore} at the start of this part, ${loadAfter} at its end)\n`,
    table(['clusters', 'created (s)', 'controllers settled (s more)', 'load then'], rows.populate),
    '\n### Kubernetes API requests per REST call\n',
    table(['clusters', 'server', 'call', 'API requests', 'which'], rows.requests),
    '\n### Background requests while measuring (both servers; not counted above)\n',
    table(['clusters', 'over (s)', 'which'], rows.background),
    '\n### Read latency, one request at a time (ms)\n',
    table(
      [
        'clusters',
        'call',
        'server',
        'oshinko p50',
        'oshinko p99',
        'plain Fastify p50',
        'oshinko / plain',
        'API requests alone p50',
        'response KiB',
        'API KiB',
        'errors',
      ],
      rows.latency,
    ),
    `\n### Read throughput, ${String(concurrency)} concurrent connections\n`,
    table(
      [
        'clusters',
        'call',
        'server',
        'oshinko req/s',
        'p50 ms',
        'p99 ms',
        'plain Fastify req/s',
        'plain / oshinko',
        'errors',
      ],
      rows.throughput,
    ),
    '\n### Create and delete of a cluster without pods, one at a time (ms)\n',
    table(['clusters', 'call', 'server', 'n', 'p50', 'p99', 'ops/s', 'errors'], rows.writes),
  ].join('\n');
}

async function main(): Promise<void> {
  const began = performance.now();
  console.log(`# Real Kubernetes benchmark (at the start: ${load()})\n`);
  console.log(table(['component', 'version'], await versions()));
  const dir = await mkdtemp(join(tmpdir(), 'oshinko-bench-kube-'));
  undo.push({ what: `remove ${dir}`, run: () => rm(dir, { recursive: true, force: true }) });
  const proxy = await child<{ url: string }>('./kube/counting-proxy-child.ts', [cluster.state, api.url]);
  const parts: string[] = [];
  try {
    parts.push(await clusterStart(proxy, proxy.info.url, dir));
    parts.push(await restPath(proxy, proxy.info.url, dir));
  } finally {
    for (const part of parts) console.log(`\n${part}`);
    await cleanUp();
  }
  console.log(`\nAt the end: ${load()}; ${fixed(since(began) / 60_000, 1)} min in all.`);
}

// After a signal, what fails because the children were stopped is not news: the clean-up is.
await main().catch((error: unknown) => {
  if (!interrupted) throw error;
});
