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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fixed, load, table } from './lib/stats.js';
import { clusterStart } from './kube/cluster-start.js';
import { restPath } from './kube/rest-path.js';
import { since, Session } from './kube/session.js';

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

const session = new Session({ repeats, sizes, maxMs, concurrency, image: values.image });

async function main(): Promise<void> {
  const began = performance.now();
  console.log(`# Real Kubernetes benchmark (at the start: ${load()})\n`);
  console.log(table(['component', 'version'], await session.versions()));
  const dir = await mkdtemp(join(tmpdir(), 'oshinko-bench-kube-'));
  session.onCleanUp(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const proxy = await session.child<{ url: string }>('kube/counting-proxy-child.ts', [
    session.cluster.state,
    session.api.url,
  ]);
  const parts: string[] = [];
  try {
    parts.push(await clusterStart(session, proxy, proxy.info.url, dir));
    parts.push(await restPath(session, proxy, proxy.info.url, dir));
  } finally {
    for (const part of parts) console.log(`\n${part}`);
    await session.cleanUp();
  }
  console.log(`\nAt the end: ${load()}; ${fixed(since(began) / 60_000, 1)} min in all.`);
}

// After a signal, what fails because the children were stopped is not news: the clean-up is.
await main().catch((error: unknown) => {
  if (!session.interrupted) throw error;
});
