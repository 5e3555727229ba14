/** The server while idle: N clusters of 1 master and 1 worker, then no requests at all; its RSS and CPU. */
import type { ChildProcess } from 'node:child_process';
import { fixed, summarize, table } from '../lib/stats.js';
import { clusterReady, createCluster } from './clusters.js';
import { usage } from './proc.js';
import { sleep, until } from './setup.js';

export async function measureIdle(
  url: string,
  server: ChildProcess,
  startRss: number,
  options: { idleClusters: number; idleSeconds: number },
): Promise<void> {
  const { idleClusters, idleSeconds } = options;
  const names = Array.from({ length: idleClusters }, (_, i) => `idle-${String(i)}`);
  for (const name of names) await createCluster(url, name, 1);
  for (const name of names) await until(`cluster ${name}`, () => clusterReady(url, name, 1));
  await sleep(5000);
  const pid = server.pid ?? 0;
  const before = usage(pid);
  const samples: number[] = [];
  for (let s = 0; s < idleSeconds; s++) {
    await sleep(1000);
    samples.push(usage(pid).rssMiB);
  }
  const after = usage(pid);
  const cpu = ((after.cpuSeconds - before.cpuSeconds) / Math.max(1, idleSeconds)) * 100;
  const rss = summarize(samples);
  console.log(
    `\n## Server while idle with ${String(idleClusters)} clusters (1 master, 1 worker each), ${String(idleSeconds)} s\n`,
  );
  console.log(
    table(
      [
        'server RSS at start (MiB)',
        'idle RSS median (MiB)',
        'idle RSS min–max (MiB)',
        'idle CPU (% of one core)',
      ],
      [
        [
          fixed(startRss, 0),
          fixed(rss.median, 0),
          `${fixed(rss.min, 0)}–${fixed(rss.max, 0)}`,
          fixed(cpu, 2),
        ],
      ],
    ),
  );
}
