/**
 * The executors' compute, on both kinds of cluster at once, alternately: a CPU-bound job (executors computing in
 * their JVMs for about 30 s), timed and its executors' CPU time sampled from /proc; the daemons' JIT settings must
 * not reach the executors' compute.
 */
import { fixed, summarize, table } from '../lib/stats.js';
import { bareCluster, oshinkoCluster, type Started } from './clusters.js';
import { withExecutorCpu } from './proc.js';
import { row, seconds } from './setup.js';
import { cpuApp, submit } from './spark-submit.js';

/** `running` holds the two clusters, for the caller to stop should a job fail. */
export async function measureCpuJob(
  url: string,
  settings: { cpuRepeats: number; cpuRows: number },
  running: Started[],
): Promise<void> {
  const { cpuRepeats, cpuRows } = settings;
  const bare = await bareCluster();
  running.push(bare);
  const ours = await oshinkoCluster(url, 'cpu');
  running.push(ours);
  const jobs = { bare: [] as number[], oshinko: [] as number[] };
  const runs: string[][] = [];
  const cpu = { bare: [] as number[], oshinko: [] as number[] };
  const answers = new Set<string>();
  const options = { bare: new Set<string>(), oshinko: new Set<string>() };
  for (let i = 0; i < cpuRepeats; i++) {
    for (const which of i % 2 === 0 ? (['oshinko', 'bare'] as const) : (['bare', 'oshinko'] as const)) {
      const cluster = which === 'bare' ? bare : ours;
      const began = performance.now();
      const sampled = await withExecutorCpu(submit(cluster.masterUrl, cpuApp(), [String(cpuRows)]));
      const [value = '', inJob = ''] = sampled.value.result.split(' ');
      answers.add(value);
      jobs[which].push(Number(inJob) * 1000);
      cpu[which].push(sampled.cpuMs);
      for (const option of sampled.options) options[which].add(option);
      runs.push([String(i + 1), which, inJob, seconds(sampled.cpuMs)]);
      console.error(
        `cpu ${String(i + 1)} ${which}: ${inJob} s in the job, executors ${seconds(sampled.cpuMs)} CPU s, ${seconds(performance.now() - began)} s submitted`,
      );
    }
  }
  if (answers.size !== 1) throw new Error(`the CPU job answered differently: ${[...answers].join(', ')}`);
  const b = summarize(jobs.bare);
  const o = summarize(jobs.oshinko);
  const cb = summarize(cpu.bare);
  const co = summarize(cpu.oshinko);
  console.log(
    `\n## CPU-bound job (${String(cpuRows)} rows hashed and summed by the executors), alternately (s)\n`,
  );
  console.log(
    table(
      ['measure', 'n', 'median', 'min', 'max', 'oshinko / bare (medians)'],
      [
        row('bare script cluster: job wall time', b),
        row('oshinko cluster: job wall time', o, fixed(o.median / b.median, 3)),
        row('bare script cluster: executors CPU time', cb),
        row('oshinko cluster: executors CPU time', co, fixed(co.median / cb.median, 3)),
      ],
    ),
  );
  console.log('\nIn the order they ran:\n');
  console.log(table(['repeat', 'cluster', 'job wall s', 'executors CPU s'], runs));
  const seen = (which: 'bare' | 'oshinko') => [...options[which]].join('; ') || 'no executor seen';
  console.log(
    `\nExecutor JVM -XX/-Xshare options and JDK_JAVA_OPTIONS seen in /proc during the jobs: bare: ${seen('bare')}; oshinko: ${seen('oshinko')}.`,
  );
  for (const cluster of running.splice(0)) await cluster.stop();
}
