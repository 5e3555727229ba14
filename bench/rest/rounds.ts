/**
 * The REST path's rounds, shared by `bench/rest.ts` (against the fake Kubernetes API) and `bench/kube.ts` (against
 * the real test cluster): two oshinko servers (with the watch cache and without it) against a plain Fastify
 * handler returning the same JSON; the Kubernetes API requests per REST call, read latency and throughput, and
 * create/delete one at a time, each as rows of the tables printed at the end.
 */
import type { Agent } from 'node:http';
import { ALL_CLUSTERS_SELECTOR, clusterSelector } from '../../src/drivers/kubernetes/labels.js';
import { runLoad, send, type Response } from '../lib/load.js';
import { fixed, summarize, table, type Summary } from '../lib/stats.js';

export type Mode = 'watch' | 'direct';
export const MODES: readonly Mode[] = ['watch', 'direct'];
export const MODE_LABEL: Record<Mode, string> = { watch: 'watch cache', direct: 'direct (no cache)' };

/** Kubernetes API requests by `<verb> <resource>`, as the fake and the counting proxy report them. */
export interface Counts {
  readonly total: number;
  readonly counts: Record<string, number>;
}

export interface Rows {
  readonly requests: string[][];
  readonly latency: string[][];
  readonly throughput: string[][];
  readonly writes: string[][];
}

export function emptyRows(): Rows {
  return { requests: [], latency: [], throughput: [], writes: [] };
}

/** What one size's rounds talk to. */
export interface Target {
  readonly agent: Agent;
  /** The number of clusters in the namespace. */
  readonly size: number;
  /** The oshinko server of each mode. */
  url(mode: Mode): string;
  readonly plainUrl: string;
  /** A phase stops after its request count or this long. */
  readonly maxMs: number;
  readonly concurrency: number;
}

export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${String(count)} ${key}`)
    .join(', ');
}

export function addCounts(into: Record<string, number>, counts: Counts): void {
  for (const [key, n] of Object.entries(counts.counts)) into[key] = (into[key] ?? 0) + n;
}

/** The paths of the list requests the uncached driver makes for a read (events for one cluster). */
export function listPaths(namespace: string, selector: string, events: boolean): string[] {
  const q = `?labelSelector=${encodeURIComponent(selector)}`;
  const ns = `/namespaces/${namespace}`;
  return [
    `/apis/apps/v1${ns}/deployments${q}`,
    `/api/v1${ns}/pods${q}`,
    `/api/v1${ns}/services${q}`,
    ...(events ? [`/api/v1${ns}/events`] : []),
  ];
}

/** The Kubernetes API requests the driver makes for one REST call, made directly: the floor under its latency. */
export async function kubeRounds(
  get: (path: string) => Promise<{ body: string }>,
  paths: readonly string[],
  maxMs: number,
): Promise<{ latency: Summary; bytes: number }> {
  const latencies: number[] = [];
  let bytes = 0;
  const deadline = performance.now() + maxMs;
  while (latencies.length < 300 && performance.now() < deadline) {
    const began = performance.now();
    const answers = await Promise.all(paths.map(get));
    latencies.push(performance.now() - began);
    bytes = answers.reduce((sum, a) => sum + a.body.length, 0);
  }
  return { latency: summarize(latencies), bytes };
}

/**
 * Until both servers list every cluster and no other (at least `rounds` times each: the warm-up); returns the
 * answers, which the plain server then returns.
 */
export async function listed(
  target: Target,
  one: string,
  rounds: number,
): Promise<{ list: string; one: string }> {
  let list = '';
  let single = '';
  const count = () => (JSON.parse(list) as { clusters?: unknown[] }).clusters?.length ?? -1;
  for (const mode of MODES) {
    const url = target.url(mode);
    const deadline = performance.now() + 60_000;
    for (let i = 0; (i < rounds || count() !== target.size) && performance.now() < deadline; i++) {
      if (i >= rounds) await new Promise((resolve) => setTimeout(resolve, 100));
      list = (await send(target.agent, `${url}/clusters`, 'GET')).body;
      single = (await send(target.agent, `${url}/clusters/${one}`, 'GET')).body;
    }
    if (count() !== target.size)
      throw new Error(`${mode}: GET /clusters lists ${String(count())} clusters, not ${String(target.size)}`);
  }
  return { list, one: single };
}

/** A REST call whose Kubernetes API requests are counted; `status`, when given, is the answer it must get. */
export interface CountedCall {
  readonly call: string;
  readonly send: () => Promise<Response>;
  readonly status?: number;
}

/** Each call alone, then the requests `take` reports since the last take (which it also resets). */
export async function countRequests(
  rows: Rows,
  size: number,
  mode: Mode,
  take: () => Promise<Counts>,
  calls: readonly CountedCall[],
): Promise<void> {
  await take();
  for (const { call, send: work, status } of calls) {
    const answer = await work();
    if (status !== undefined && answer.status !== status)
      throw new Error(`${call} answered ${String(answer.status)}: ${answer.body}`);
    const counted = await take();
    rows.requests.push([
      String(size),
      MODE_LABEL[mode],
      call,
      String(counted.total),
      describeCounts(counted.counts),
    ]);
  }
}

/**
 * `GET /clusters` and `GET /clusters/{name}`, one at a time and with `concurrency` connections, on both servers
 * and the plain handler; `kube` makes the uncached server's API requests directly. With `errors`, the latency
 * rows end with the failed requests.
 */
export async function measureReads(
  rows: Rows,
  target: Target,
  one: string,
  kube: (selector: string, events: boolean) => Promise<{ latency: Summary; bytes: number }>,
  options: { errors: boolean; measured: (call: string) => void },
): Promise<void> {
  const { size, plainUrl, concurrency, maxMs } = target;
  for (const [call, path, selector, events] of [
    ['GET /clusters', '/clusters', ALL_CLUSTERS_SELECTOR, false],
    ['GET /clusters/{name}', `/clusters/${one}`, clusterSelector(one), true],
  ] as const) {
    const plain1 = await runLoad({ url: plainUrl + path, concurrency: 1, maxRequests: 500, maxMs });
    const direct = await kube(selector, events);
    const plainN = await runLoad({ url: plainUrl + path, concurrency, maxRequests: 20000, maxMs });
    for (const mode of MODES) {
      const url = target.url(mode);
      const oshinko1 = await runLoad({ url: url + path, concurrency: 1, maxRequests: 500, maxMs });
      rows.latency.push([
        String(size),
        call,
        MODE_LABEL[mode],
        fixed(oshinko1.latency.median, 2),
        fixed(oshinko1.latency.p99, 2),
        fixed(plain1.latency.median, 2),
        fixed(oshinko1.latency.median / plain1.latency.median, 1),
        mode === 'direct' ? fixed(direct.latency.median, 2) : '-',
        fixed(oshinko1.bytes / 1024, 1),
        mode === 'direct' ? fixed(direct.bytes / 1024, 1) : '0',
        ...(options.errors ? [String(oshinko1.errors)] : []),
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
    options.measured(call);
  }
}

/**
 * Create and delete, one at a time, a fresh cluster each time (up to `repeats` pairs or twice the phase's time),
 * on both servers; the namespace keeps its size.
 */
export async function measureWrites(
  rows: Rows,
  target: Target,
  repeats: number,
  config: Record<string, unknown> | undefined,
): Promise<void> {
  const { agent, size } = target;
  for (const mode of MODES) {
    const url = target.url(mode);
    const create: number[] = [];
    const remove: number[] = [];
    let errors = 0;
    const deadline = performance.now() + 2 * target.maxMs;
    for (let i = 0; i < repeats && performance.now() < deadline; i++) {
      const name = `bench-${mode}-${String(size)}-${String(i)}`;
      let began = performance.now();
      const created = await send(
        agent,
        `${url}/clusters`,
        'POST',
        config === undefined ? { name } : { name, config },
      );
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
}

export function requestsTable(rows: Rows): string {
  return table(['clusters', 'server', 'call', 'API requests', 'which'], rows.requests);
}

export function latencyTable(rows: Rows, errors: boolean): string {
  return table(
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
      ...(errors ? ['errors'] : []),
    ],
    rows.latency,
  );
}

export function throughputTable(rows: Rows): string {
  return table(
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
  );
}

export function writesTable(rows: Rows): string {
  return table(['clusters', 'call', 'server', 'n', 'p50', 'p99', 'ops/s', 'errors'], rows.writes);
}
