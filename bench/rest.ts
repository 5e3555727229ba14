/**
 * REST path benchmark: the oshinko server with the Kubernetes driver against the fake Kubernetes API server,
 * with 10, 100 and 1000 clusters in the namespace. Prints latency (p50/p99), throughput, Kubernetes API requests
 * per REST call, for a server with the watch cache and one without (OSHINKO_KUBE_WATCH=false), and the same figures
 * for a plain Fastify server returning the same JSON and for the Kubernetes API requests alone. Bounded: every phase stops after a request count or a few seconds.
 *
 *   npm run bench:rest [-- --sizes 10,100,1000 --seconds 4]
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CLUSTERS_SELECTOR, clusterSelector } from '../src/drivers/kubernetes/labels.js';
import { startChild, type Child } from './lib/child.js';
import { runLoad, send } from './lib/load.js';
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
  memory: [] as string[][],
};

type Mode = 'watch' | 'direct';
const MODES: readonly Mode[] = ['watch', 'direct'];
const MODE_LABEL: Record<Mode, string> = { watch: 'watch cache', direct: 'direct (no cache)' };

async function main(): Promise<void> {
  console.log(`# REST path benchmark (${machine()}; at the start: ${load()})\n`);
  const fake = await startChild<{ url: string; kubeconfig: string; token: string }>(
    here('./rest/fake-kube-child.ts'),
  );
  const fakeInfo = fake.info;
  const servers = new Map<Mode, { child: Child; url: string }>();
  let plain: Child | undefined;
  try {
    for (const mode of MODES) {
      const child = await startChild<{ url: string }>(here('./rest/server-child.ts'), [
        fakeInfo.kubeconfig,
        mode,
      ]);
      servers.set(mode, { child, url: child.info.url });
    }
    const server = (mode: Mode) => {
      const found = servers.get(mode);
      if (found === undefined) throw new Error(`no ${mode} server`);
      return found;
    };
    plain = await startChild<{ url: string }>(here('./rest/plain-child.ts'));
    const { url: plainUrl } = plain.info as { url: string };
    const agent = new Agent({ keepAlive: true });
    for (const size of sizes) {
      const populated = await fake.ask<{ seconds: number }>({ type: 'populate', count: size });
      console.error(`populated ${String(size)} clusters (${fixed(populated.seconds, 1)} s)`);
      const one = seededName(0);
      // Warm up (route discovery, JIT, the cache catching up with the populated namespace) and record the
      // answers the plain server will return.
      let listBody = '';
      let oneBody = '';
      for (const mode of MODES) {
        const { url } = server(mode);
        const deadline = performance.now() + 60_000;
        const count = () => (JSON.parse(listBody) as { clusters: unknown[] }).clusters.length;
        for (let i = 0; i < 20 || count() !== size; i++) {
          if (performance.now() > deadline) break;
          listBody = (await send(agent, `${url}/clusters`, 'GET')).body;
          oneBody = (await send(agent, `${url}/clusters/${one}`, 'GET')).body;
        }
        const listCount = (JSON.parse(listBody) as { clusters: unknown[] }).clusters.length;
        if (listCount !== size)
          throw new Error(
            `${mode}: GET /clusters returned ${String(listCount)} clusters, not ${String(size)}`,
          );
      }
      await plain.ask({ type: 'answers', list: listBody, one: oneBody });
      const memory = await server('watch').child.ask<{ rss: number; heapUsed: number }>({ type: 'memory' });
      const direct = await server('direct').child.ask<{ rss: number; heapUsed: number }>({ type: 'memory' });
      rows.memory.push([
        String(size),
        fixed(memory.heapUsed / 2 ** 20, 1),
        fixed(memory.rss / 2 ** 20, 1),
        fixed(direct.heapUsed / 2 ** 20, 1),
        fixed(direct.rss / 2 ** 20, 1),
      ]);

      // Kubernetes API requests per REST call.
      for (const mode of MODES) {
        const { url } = server(mode);
        await fake.ask({ type: 'requests' });
        const perCall = async (call: string, work: () => Promise<unknown>) => {
          await work();
          const requests = await fake.ask<Requests>({ type: 'requests' });
          rows.requests.push([
            String(size),
            MODE_LABEL[mode],
            call,
            String(requests.total),
            describeRequests(requests),
          ]);
        };
        await perCall('GET /clusters', () => send(agent, `${url}/clusters`, 'GET'));
        await perCall(`GET /clusters/{name}`, () => send(agent, `${url}/clusters/${one}`, 'GET'));
        await perCall('POST /clusters', () => send(agent, `${url}/clusters`, 'POST', { name: 'counted' }));
        await perCall('DELETE /clusters/{name}', () => send(agent, `${url}/clusters/counted`, 'DELETE'));
      }

      for (const [call, path, selector, events] of [
        ['GET /clusters', '/clusters', ALL_CLUSTERS_SELECTOR, false],
        ['GET /clusters/{name}', `/clusters/${one}`, clusterSelector(one), true],
      ] as const) {
        const plain1 = await runLoad({ url: plainUrl + path, concurrency: 1, maxRequests: 500, maxMs });
        const kube = await kubeRounds(fakeInfo.url, fakeInfo.token, listPaths(selector, events));
        const plainN = await runLoad({ url: plainUrl + path, concurrency, maxRequests: 20000, maxMs });
        for (const mode of MODES) {
          const { url } = server(mode);
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
        console.error(`measured ${call} at ${String(size)}`);
      }

      // Create and delete, one at a time, each of a fresh cluster; the namespace keeps its size.
      for (const mode of MODES) {
        const { url } = server(mode);
        const create: number[] = [];
        const remove: number[] = [];
        let errors = 0;
        const deadline = performance.now() + 2 * maxMs;
        for (let i = 0; i < 30 && performance.now() < deadline; i++) {
          const name = `bench-${mode}-${String(size)}-${String(i)}`;
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
            MODE_LABEL[mode],
            String(s.n),
            fixed(s.median, 1),
            fixed(s.p99, 1),
            fixed(1000 / mean, 0),
            String(errors),
          ]);
        }
      }
      console.error(`measured create/delete at ${String(size)}`);
    }
    agent.destroy();
  } finally {
    await plain?.stop();
    for (const { child } of servers.values()) await child.stop();
    await fake.stop();
  }

  console.log('## Kubernetes API requests per REST call\n');
  console.log(table(['clusters', 'server', 'call', 'API requests', 'which'], rows.requests));
  console.log('\n## Read latency, one request at a time (ms)\n');
  console.log(
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
  );
  console.log('\n## Create and delete, one at a time (ms)\n');
  console.log(table(['clusters', 'call', 'server', 'n', 'p50', 'p99', 'ops/s', 'errors'], rows.writes));
  console.log('\n## Server memory after a full GC (MiB)\n');
  console.log(
    table(['clusters', 'watch cache: heap', 'watch cache: RSS', 'direct: heap', 'direct: RSS'], rows.memory),
  );
}

await main();
console.log(`\nAt the end: ${load()}.`);
