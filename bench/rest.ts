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
import { startChild, type Child } from './lib/child.js';
import { send } from './lib/load.js';
import { fixed, load, machine, table } from './lib/stats.js';
import { NAMESPACE, seededName } from './rest/names.js';
import * as rounds from './rest/rounds.js';

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

const rows = { ...rounds.emptyRows(), memory: [] as string[][] };

async function main(): Promise<void> {
  console.log(`# REST path benchmark (${machine()}; at the start: ${load()})\n`);
  const fake = await startChild<{ url: string; kubeconfig: string; token: string }>(
    here('./rest/fake-kube-child.ts'),
  );
  const fakeInfo = fake.info;
  const servers = new Map<rounds.Mode, { child: Child; url: string }>();
  let plain: Child | undefined;
  try {
    for (const mode of rounds.MODES) {
      const child = await startChild<{ url: string }>(here('./rest/server-child.ts'), [
        fakeInfo.kubeconfig,
        mode,
      ]);
      servers.set(mode, { child, url: child.info.url });
    }
    const server = (mode: rounds.Mode) => {
      const found = servers.get(mode);
      if (found === undefined) throw new Error(`no ${mode} server`);
      return found;
    };
    plain = await startChild<{ url: string }>(here('./rest/plain-child.ts'));
    const { url: plainUrl } = plain.info as { url: string };
    const agent = new Agent({ keepAlive: true });
    // The driver's API requests made directly, with its token, on connections of their own.
    const headers = { authorization: `Bearer ${fakeInfo.token}` };
    const kubeAlone = async (selector: string, events: boolean) => {
      const kubeAgent = new Agent({ keepAlive: true });
      const get = (path: string) => send(kubeAgent, fakeInfo.url + path, 'GET', undefined, headers);
      const measured = await rounds.kubeRounds(get, rounds.listPaths(NAMESPACE, selector, events), maxMs);
      kubeAgent.destroy();
      return measured;
    };
    for (const size of sizes) {
      const populated = await fake.ask<{ seconds: number }>({ type: 'populate', count: size });
      console.error(`populated ${String(size)} clusters (${fixed(populated.seconds, 1)} s)`);
      const one = seededName(0);
      const target: rounds.Target = {
        agent,
        size,
        url: (mode) => server(mode).url,
        plainUrl,
        maxMs,
        concurrency,
      };
      // Warm up (route discovery, JIT, the cache catching up with the populated namespace) and record the
      // answers the plain server will return.
      await plain.ask({ type: 'answers', ...(await rounds.listed(target, one, 20)) });
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
      for (const mode of rounds.MODES) {
        const { url } = server(mode);
        await rounds.countRequests(rows, size, mode, () => fake.ask<rounds.Counts>({ type: 'requests' }), [
          { call: 'GET /clusters', send: () => send(agent, `${url}/clusters`, 'GET') },
          { call: 'GET /clusters/{name}', send: () => send(agent, `${url}/clusters/${one}`, 'GET') },
          {
            call: 'POST /clusters',
            send: () => send(agent, `${url}/clusters`, 'POST', { name: 'counted' }),
          },
          { call: 'DELETE /clusters/{name}', send: () => send(agent, `${url}/clusters/counted`, 'DELETE') },
        ]);
      }

      await rounds.measureReads(rows, target, one, kubeAlone, {
        errors: false,
        measured: (call) => {
          console.error(`measured ${call} at ${String(size)}`);
        },
      });

      // Create and delete, one at a time, each of a fresh cluster; the namespace keeps its size.
      await rounds.measureWrites(rows, target, 30, undefined);
      console.error(`measured create/delete at ${String(size)}`);
    }
    agent.destroy();
  } finally {
    await plain?.stop();
    for (const { child } of servers.values()) await child.stop();
    await fake.stop();
  }

  console.log('## Kubernetes API requests per REST call\n');
  console.log(rounds.requestsTable(rows));
  console.log('\n## Read latency, one request at a time (ms)\n');
  console.log(rounds.latencyTable(rows, false));
  console.log(`\n## Read throughput, ${String(concurrency)} concurrent connections\n`);
  console.log(rounds.throughputTable(rows));
  console.log('\n## Create and delete, one at a time (ms)\n');
  console.log(rounds.writesTable(rows));
  console.log('\n## Server memory after a full GC (MiB)\n');
  console.log(
    table(['clusters', 'watch cache: heap', 'watch cache: RSS', 'direct: heap', 'direct: RSS'], rows.memory),
  );
}

await main();
console.log(`\nAt the end: ${load()}.`);
