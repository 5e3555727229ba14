/**
 * REST path benchmark: the oshinko server with the Kubernetes driver against the fake Kubernetes API server,
 * with 10, 100 and 1000 clusters in the namespace. Prints latency (p50/p99), throughput, Kubernetes API requests
 * per REST call, and the same figures for a plain Fastify server returning the same JSON and for the Kubernetes
 * API requests alone. Bounded: every phase stops after a request count or a few seconds.
 *
 *   npm run bench:rest [-- --sizes 10,100,1000 --seconds 4]
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CLUSTERS_SELECTOR, clusterSelector } from '../src/drivers/kubernetes/labels.js';
import { startChild, type Child } from './lib/child.js';
import { runLoad, send, type LoadResult } from './lib/load.js';
import { fixed, load, machine, summarize, table, type Summary } from './lib/stats.js';
import { NAMESPACE, seededName } from './rest/names.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,1000' },
    seconds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '8' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const maxMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Requests {
  readonly total: number;
  readonly counts: Record<string, number>;
}

/** The Kubernetes API requests the driver makes for one REST call, made directly: the floor under its latency. */
async function kubeRounds(
  fakeUrl: string,
  token: string,
  paths: readonly string[],
): Promise<{ latency: Summary; bytes: number }> {
  const agent = new Agent({ keepAlive: true });
  const headers = { authorization: `Bearer ${token}` };
  const latencies: number[] = [];
  let bytes = 0;
  const deadline = performance.now() + maxMs;
  while (latencies.length < 300 && performance.now() < deadline) {
    const began = performance.now();
    const answers = await Promise.all(
      paths.map((path) => send(agent, fakeUrl + path, 'GET', undefined, headers)),
    );
    latencies.push(performance.now() - began);
    bytes = answers.reduce((sum, a) => sum + a.body.length, 0);
  }
  agent.destroy();
  return { latency: summarize(latencies), bytes };
}

function listPaths(selector: string, events: boolean): string[] {
  const q = `?labelSelector=${encodeURIComponent(selector)}`;
  const ns = `/namespaces/${NAMESPACE}`;
  return [
    `/apis/apps/v1${ns}/deployments${q}`,
    `/api/v1${ns}/pods${q}`,
    `/api/v1${ns}/services${q}`,
    ...(events ? [`/api/v1${ns}/events`] : []),
  ];
}

function describeRequests(requests: Requests): string {
  return Object.entries(requests.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${String(count)} ${key}`)
    .join(', ');
}

const rows = {
  latency: [] as string[][],
  throughput: [] as string[][],
  writes: [] as string[][],
  requests: [] as string[][],
};

function latencyRow(
  size: number,
  call: string,
  oshinko: LoadResult,
  plain: LoadResult,
  kube: Summary,
  bytes: number,
) {
  rows.latency.push([
    String(size),
    call,
    fixed(oshinko.latency.median, 2),
    fixed(oshinko.latency.p99, 2),
    fixed(kube.median, 2),
    fixed(plain.latency.median, 2),
    fixed(oshinko.latency.median / plain.latency.median, 1),
    fixed((oshinko.latency.median - kube.median) / plain.latency.median, 1),
    fixed(oshinko.bytes / 1024, 1),
    fixed(bytes / 1024, 1),
  ]);
}

async function main(): Promise<void> {
  console.log(`# REST path benchmark (${machine()}; at the start: ${load()})\n`);
  const fake = await startChild<{ url: string; kubeconfig: string; token: string }>(
    here('./rest/fake-kube-child.ts'),
  );
  const fakeInfo = fake.info;
  let server: Child | undefined;
  let plain: Child | undefined;
  try {
    server = await startChild<{ url: string }>(here('./rest/server-child.ts'), [fakeInfo.kubeconfig]);
    const { url } = server.info as { url: string };
    plain = await startChild<{ url: string }>(here('./rest/plain-child.ts'));
    const { url: plainUrl } = plain.info as { url: string };
    const agent = new Agent({ keepAlive: true });
    for (const size of sizes) {
      const populated = await fake.ask<{ seconds: number }>({ type: 'populate', count: size });
      console.error(`populated ${String(size)} clusters (${fixed(populated.seconds, 1)} s)`);
      const one = seededName(0);
      // Warm up (route discovery, JIT) and record the answers the plain server will return.
      let listBody = '';
      let oneBody = '';
      for (let i = 0; i < 20; i++) {
        listBody = (await send(agent, `${url}/clusters`, 'GET')).body;
        oneBody = (await send(agent, `${url}/clusters/${one}`, 'GET')).body;
      }
      const listCount = (JSON.parse(listBody) as { clusters: unknown[] }).clusters.length;
      if (listCount !== size)
        throw new Error(`GET /clusters returned ${String(listCount)} clusters, not ${String(size)}`);
      await plain.ask({ type: 'answers', list: listBody, one: oneBody });

      // Kubernetes API requests per REST call.
      await fake.ask({ type: 'requests' });
      const perCall = async (call: string, work: () => Promise<unknown>) => {
        await work();
        const requests = await fake.ask<Requests>({ type: 'requests' });
        rows.requests.push([String(size), call, String(requests.total), describeRequests(requests)]);
      };
      await perCall('GET /clusters', () => send(agent, `${url}/clusters`, 'GET'));
      await perCall(`GET /clusters/{name}`, () => send(agent, `${url}/clusters/${one}`, 'GET'));
      await perCall('POST /clusters', () => send(agent, `${url}/clusters`, 'POST', { name: 'counted' }));
      await perCall('DELETE /clusters/{name}', () => send(agent, `${url}/clusters/counted`, 'DELETE'));

      for (const [call, path, selector, events] of [
        ['GET /clusters', '/clusters', ALL_CLUSTERS_SELECTOR, false],
        ['GET /clusters/{name}', `/clusters/${one}`, clusterSelector(one), true],
      ] as const) {
        const oshinko1 = await runLoad({ url: url + path, concurrency: 1, maxRequests: 500, maxMs });
        const plain1 = await runLoad({ url: plainUrl + path, concurrency: 1, maxRequests: 500, maxMs });
        const kube = await kubeRounds(fakeInfo.url, fakeInfo.token, listPaths(selector, events));
        latencyRow(size, call, oshinko1, plain1, kube.latency, kube.bytes);
        const oshinkoN = await runLoad({ url: url + path, concurrency, maxRequests: 5000, maxMs });
        const plainN = await runLoad({ url: plainUrl + path, concurrency, maxRequests: 20000, maxMs });
        rows.throughput.push([
          String(size),
          call,
          fixed(oshinkoN.perSecond, 0),
          fixed(oshinkoN.latency.median, 1),
          fixed(oshinkoN.latency.p99, 1),
          fixed(plainN.perSecond, 0),
          fixed(plainN.perSecond / oshinkoN.perSecond, 1),
          String(oshinkoN.errors + plainN.errors),
        ]);
        console.error(`measured ${call} at ${String(size)}`);
      }

      // Create and delete, one at a time, each of a fresh cluster; the namespace keeps its size.
      const create: number[] = [];
      const remove: number[] = [];
      let errors = 0;
      const deadline = performance.now() + 2 * maxMs;
      for (let i = 0; i < 30 && performance.now() < deadline; i++) {
        const name = `bench-${String(size)}-${String(i)}`;
        let began = performance.now();
        const created = await send(agent, `${url}/clusters`, 'POST', { name });
        create.push(performance.now() - began);
        began = performance.now();
        const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
        remove.push(performance.now() - began);
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
          String(s.n),
          fixed(s.median, 1),
          fixed(s.p99, 1),
          fixed(1000 / mean, 0),
          String(errors),
        ]);
      }
      console.error(`measured create/delete at ${String(size)}`);
    }
    agent.destroy();
  } finally {
    await plain?.stop();
    await server?.stop();
    await fake.stop();
  }

  console.log('## Kubernetes API requests per REST call\n');
  console.log(table(['clusters', 'call', 'API requests', 'which'], rows.requests));
  console.log('\n## Read latency, one request at a time (ms)\n');
  console.log(
    table(
      [
        'clusters',
        'call',
        'oshinko p50',
        'oshinko p99',
        'API requests alone p50',
        'plain Fastify p50',
        'oshinko / plain',
        '(oshinko − API) / plain',
        'response KiB',
        'API KiB',
      ],
      rows.latency,
    ),
  );
  console.log(`\n## Read throughput, ${String(concurrency)} concurrent connections\n`);
  console.log(
    table(
      [
        'clusters',
        'call',
        'oshinko req/s',
        'p50 ms',
        'p99 ms',
        'plain Fastify req/s',
        'plain / oshinko',
        'errors',
      ],
      rows.throughput,
    ),
  );
  console.log('\n## Create and delete, one at a time (ms)\n');
  console.log(table(['clusters', 'call', 'n', 'p50', 'p99', 'ops/s', 'errors'], rows.writes));
}

await main();
console.log(`\nAt the end: ${load()}.`);
