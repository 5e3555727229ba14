/**
 * Part 1 of the real-cluster benchmark, cluster start: `POST /clusters` (1 master, 2 workers, the test image)
 * against `kubectl apply` of the same objects rendered by the driver's own renderer, each timed to both workers
 * ALIVE in the master's /json/ (read through the API server's service proxy, the same way for both), interleaved,
 * each cluster gone before the next.
 */
import { clusterSelector, names } from '../../src/drivers/kubernetes/labels.js';
import { kubectl, sleep } from '../../test/e2e-kube/real-cluster.js';
import type { Child } from '../lib/child.js';
import { send } from '../lib/load.js';
import { fixed, load, summarize, table, type Summary } from '../lib/stats.js';
import { addCounts } from '../rest/rounds.js';
import { aliveWorkers, podCount } from './api.js';
import type { Tally } from './counting-proxy-child.js';
import { clusterSpec, masterYaml, secondaryYaml } from './manifests.js';
import { log, since, type Session } from './session.js';

/** How often the master's /json/ and oshinko's view are polled while a cluster starts. */
const POLL_MS = 250;
const START_TIMEOUT_MS = 240_000;
const GONE_TIMEOUT_MS = 180_000;

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

async function waitGone(session: Session, ns: string, name: string): Promise<void> {
  const deadline = performance.now() + GONE_TIMEOUT_MS;
  while ((await podCount(session.api, ns, name)) > 0) {
    if (performance.now() > deadline)
      throw new Error(`pods of ${name} still there after ${String(GONE_TIMEOUT_MS)} ms`);
    await sleep(500);
  }
}

/** Polls until both workers are ALIVE (and, for oshinko, until it reports Running 2/2), or the limit. */
async function waitStarted(
  session: Session,
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
        ? aliveWorkers(session.api, ns, name).then((alive) => {
            if (alive >= 2) registered = since(began);
          })
        : undefined,
      oshinkoUrl !== undefined && Number.isNaN(running)
        ? send(session.agent, `${oshinkoUrl}/clusters/${name}`, 'GET').then((answer) => {
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

async function startWithOshinko(
  session: Session,
  ns: string,
  name: string,
  url: string,
  proxy: Child,
): Promise<StartRun> {
  const { agent } = session;
  await proxy.ask<Tally>({ type: 'requests' });
  const began = performance.now();
  const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: 2 } });
  const submitted = since(began);
  if (created.status !== 201)
    throw new Error(`POST /clusters answered ${String(created.status)}: ${created.body}`);
  const { registered, running } = await waitStarted(session, ns, name, began, url);
  const tally = await proxy.ask<Tally>({ type: 'requests' });
  const deleting = performance.now();
  const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
  if (deleted.status !== 204) throw new Error(`DELETE answered ${String(deleted.status)}: ${deleted.body}`);
  await waitGone(session, ns, name);
  return { side: 'oshinko', name, submitted, registered, running, gone: since(deleting), tally };
}

async function startWithKubectl(session: Session, ns: string, name: string): Promise<StartRun> {
  const { cluster } = session;
  const spec = clusterSpec(name, session.options.image, { masterCount: 1, workerCount: 2 });
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
  const { registered } = await waitStarted(session, ns, name, began, undefined);
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
  await waitGone(session, ns, name);
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

export async function clusterStart(
  session: Session,
  proxy: Child,
  proxyUrl: string,
  dir: string,
): Promise<string> {
  const { agent } = session;
  const { repeats, image } = session.options;
  const nsOshinko = await session.namespace('bench-kube-start-o');
  const nsKubectl = await session.namespace('bench-kube-start-k');
  const server = await session.child<{ url: string }>('rest/server-child.ts', [
    await session.proxyKubeconfig(dir, proxyUrl, nsOshinko),
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
          ? await startWithOshinko(session, nsOshinko, name, url, proxy)
          : await startWithKubectl(session, nsKubectl, name);
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
