/**
 * Cluster start and a small job, interleaved: each repeat starts a cluster (`POST /clusters` or the bare
 * script) to both workers registered, then at once submits a small PySpark job to its result, and stops the
 * cluster before the next; then where the job's time goes, phase by phase, and the daemons' CPU meanwhile.
 */
import { fixed, summarize, table } from '../lib/stats.js';
import { bareCluster, oshinkoCluster, type Started } from './clusters.js';
import { daemonCpuMs } from './proc.js';
import { row, seconds } from './setup.js';
import { smallApp, submit, type Phases } from './spark-submit.js';

/** `running` holds the cluster of the moment, for the caller to stop should a repeat fail. */
export async function measureStartAndJob(url: string, repeats: number, running: Started[]): Promise<void> {
  const ready = { bare: [] as number[], oshinko: [] as number[] };
  const result = { bare: [] as number[], oshinko: [] as number[] };
  const runs: string[][] = [];
  const breakdown = { bare: [] as Phases[], oshinko: [] as Phases[] };
  const daemonCpu = { bare: [] as number[], oshinko: [] as number[] };
  for (let i = 0; i < repeats; i++) {
    const order = i % 2 === 0 ? (['bare', 'oshinko'] as const) : (['oshinko', 'bare'] as const);
    for (const which of order) {
      const cluster =
        which === 'bare' ? await bareCluster() : await oshinkoCluster(url, `bench-${String(i)}`);
      running.push(cluster);
      const daemonsBefore = daemonCpuMs(cluster.masterUrl);
      const { result: sum, phases } = await submit(cluster.masterUrl, smallApp());
      daemonCpu[which].push(daemonCpuMs(cluster.masterUrl) - daemonsBefore);
      breakdown[which].push(phases);
      if (sum !== '499500') throw new Error(`the small job answered ${sum}`);
      const resultMs = performance.now() - cluster.began;
      await cluster.stop();
      running.pop();
      ready[which].push(cluster.readyMs);
      result[which].push(resultMs);
      runs.push([String(i + 1), which, seconds(cluster.readyMs), seconds(resultMs)]);
      console.error(
        `run ${String(i + 1)} ${which}: ${seconds(cluster.readyMs)} s, result ${seconds(resultMs)} s`,
      );
    }
  }
  const readyB = summarize(ready.bare);
  const readyO = summarize(ready.oshinko);
  const resultB = summarize(result.bare);
  const resultO = summarize(result.oshinko);
  console.log('\n## Cluster start (1 master, 2 workers) and a small job, interleaved (s)\n');
  console.log(
    table(
      ['measure', 'n', 'median', 'min', 'max', 'oshinko / bare (medians)'],
      [
        row('bare script: to 2 workers registered', readyB),
        row(
          'oshinko POST /clusters: to 2 workers registered',
          readyO,
          fixed(readyO.median / readyB.median, 2),
        ),
        row('bare script + submit: to the job result', resultB),
        row('oshinko POST + submit: to the job result', resultO, fixed(resultO.median / resultB.median, 2)),
      ],
    ),
  );
  console.log('\nIn the order they ran:\n');
  console.log(table(['repeat', 'which', 'registered', 'job result'], runs));
  console.log(
    '\n## Where the small job goes: medians of each phase, from the step before (s), and the daemons CPU\n',
  );
  const steps: [string, (p: Phases) => number][] = [
    ['spark-submit start to the driver JVM logging (launcher JVM, driver JVM)', (p) => p.driverUp],
    ['to the application registered with the master', (p) => p.appRegistered - p.driverUp],
    ['to the last executor launched by a worker', (p) => p.executorsLaunched - p.appRegistered],
    [
      'to the last executor registered with the driver (executor JVM up)',
      (p) => p.executorsUp - p.executorsLaunched,
    ],
    ['to the job done (its last task finished)', (p) => p.jobDone - p.executorsUp],
    ['to spark-submit exited with the result', (p) => p.exit - p.jobDone],
    ['submit total', (p) => p.exit],
  ];
  const phaseRow = (label: string, of: (p: Phases) => number): string[] => {
    const b = summarize(breakdown.bare.map(of));
    const o = summarize(breakdown.oshinko.map(of));
    return [
      label,
      seconds(b.median),
      seconds(o.median),
      `${seconds(o.min)}–${seconds(o.max)}`,
      `${seconds(b.min)}–${seconds(b.max)}`,
    ];
  };
  console.log(
    table(
      ['phase', 'bare median', 'oshinko median', 'oshinko min–max', 'bare min–max'],
      [
        [
          'cluster: start to 2 workers registered',
          seconds(readyB.median),
          seconds(readyO.median),
          `${seconds(readyO.min)}–${seconds(readyO.max)}`,
          `${seconds(readyB.min)}–${seconds(readyB.max)}`,
        ],
        ...steps.map(([label, of]) => phaseRow(label, of)),
        [
          "daemons' CPU time during the submit (master + 2 workers)",
          seconds(summarize(daemonCpu.bare).median),
          seconds(summarize(daemonCpu.oshinko).median),
          `${seconds(summarize(daemonCpu.oshinko).min)}–${seconds(summarize(daemonCpu.oshinko).max)}`,
          `${seconds(summarize(daemonCpu.bare).min)}–${seconds(summarize(daemonCpu.bare).max)}`,
        ],
      ],
    ),
  );
}
