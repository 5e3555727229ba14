/**
 * Part 2 of the real-cluster benchmark: Kubernetes API requests per REST call, counted by the reverse proxy
 * between the servers and the API server, and read latency and throughput against a plain Fastify handler, with
 * N clusters in a namespace (`bench/rest/rounds.ts`, as `bench:rest` measures them against the fake).
 */
import { sleep } from '../../test/e2e-kube/real-cluster.js';
import type { Child } from '../lib/child.js';
import { send } from '../lib/load.js';
import { fixed, load, table } from '../lib/stats.js';
import { seededName } from '../rest/names.js';
import * as rounds from '../rest/rounds.js';
import { KubeApi } from './api.js';
import type { Tally } from './counting-proxy-child.js';
import { clusterSpec, createCluster, createClusters } from './manifests.js';
import { log, since, type Session } from './session.js';

/** An image the node does not have: a pod of it fails its pull at once and runs nothing. */
const ABSENT_IMAGE = 'localhost/oshinko/bench-absent:0';

/** Until the controllers have handled every Deployment (its ReplicaSet made, its status observed). */
async function settled(api: KubeApi, ns: string, limitMs: number): Promise<number> {
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

export async function restPath(
  session: Session,
  proxy: Child,
  proxyUrl: string,
  dir: string,
): Promise<string> {
  const { api, agent } = session;
  const { image, sizes, maxMs, concurrency } = session.options;
  const ns = await session.namespace('bench-kube-rest');
  const kubeconfig = await session.proxyKubeconfig(dir, proxyUrl, ns);
  const servers = new Map<rounds.Mode, string>();
  for (const mode of rounds.MODES) {
    servers.set(
      mode,
      (await session.child<{ url: string }>('rest/server-child.ts', [kubeconfig, mode, image])).info.url,
    );
  }
  const plain = await session.child<{ url: string }>('rest/plain-child.ts');
  const proxyApi = new KubeApi(proxyUrl, session.certs);
  const rows = { ...rounds.emptyRows(), background: [] as string[][], populate: [] as string[][] };
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
    const settling = await settled(api, ns, 180_000);
    rows.populate.push([String(size), fixed(created / 1000, 1), fixed(settling / 1000, 1), load()]);
    log(
      `populated ${String(size)} clusters (${fixed(created / 1000, 1)} s, controllers ${fixed(settling / 1000, 1)} s more)`,
    );
    const sizeBegan = performance.now();
    const background: Record<string, number> = {};
    const requests = async () => {
      const tally = await proxy.ask<Tally>({ type: 'requests' });
      rounds.addCounts(background, tally.background);
      return tally.calls;
    };
    const target: rounds.Target = {
      agent,
      size,
      url: (mode) => servers.get(mode) ?? '',
      plainUrl: plain.info.url,
      maxMs,
      concurrency,
    };

    const one = seededName(0);
    // Warm up: the watch cache starts with the first read (its lists are not a call's cost), routes are found, JIT.
    // Clusters deleted in the foreground stay listed as Deleting until their pods are gone.
    await rounds.listed(target, one, 20);

    // Kubernetes API requests per REST call, each call alone.
    for (const mode of rounds.MODES) {
      const url = target.url(mode);
      const counted = `counted-${mode}`;
      await rounds.countRequests(rows, size, mode, requests, [
        { call: 'GET /clusters', send: () => send(agent, `${url}/clusters`, 'GET'), status: 200 },
        {
          call: 'GET /clusters/{name}',
          send: () => send(agent, `${url}/clusters/${one}`, 'GET'),
          status: 200,
        },
        // No pods: a cluster of no master and no worker, then one worker of an image the node does not have.
        {
          call: 'POST /clusters',
          send: () =>
            send(agent, `${url}/clusters`, 'POST', {
              name: counted,
              config: { masterCount: 0, workerCount: 0, sparkImage: ABSENT_IMAGE },
            }),
          status: 201,
        },
        {
          call: 'PUT /clusters/{name} (scale)',
          send: () =>
            send(agent, `${url}/clusters/${counted}`, 'PUT', { name: counted, config: { workerCount: 1 } }),
          status: 202,
        },
        {
          call: 'DELETE /clusters/{name}',
          send: () => send(agent, `${url}/clusters/${counted}`, 'DELETE'),
          status: 204,
        },
      ]);
    }

    await plain.ask({ type: 'answers', ...(await rounds.listed(target, one, 1)) });

    // Reads, one at a time and with `concurrency` connections, against the plain handler.
    await rounds.measureReads(
      rows,
      target,
      one,
      (selector, events) =>
        rounds.kubeRounds(
          (path) => proxyApi.request('GET', path),
          rounds.listPaths(ns, selector, events),
          maxMs,
        ),
      {
        errors: true,
        measured: (call) => {
          log(`measured ${call} at ${String(size)} (${load()})`);
        },
      },
    );
    await requests();

    // Create and delete, one at a time, a cluster of no pods each time; the namespace keeps its size.
    await rounds.measureWrites(rows, target, 10, { masterCount: 0, workerCount: 0 });
    await requests();
    rows.background.push([
      String(size),
      fixed(since(sizeBegan) / 1000, 0),
      rounds.describeCounts(background) || 'none',
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
    rounds.requestsTable(rows),
    '\n### Background requests while measuring (both servers; not counted above)\n',
    table(['clusters', 'over (s)', 'which'], rows.background),
    '\n### Read latency, one request at a time (ms)\n',
    rounds.latencyTable(rows, true),
    `\n### Read throughput, ${String(concurrency)} concurrent connections\n`,
    rounds.throughputTable(rows),
    '\n### Create and delete of a cluster without pods, one at a time (ms)\n',
    rounds.writesTable(rows),
  ].join('\n');
}
