/**
 * One run of the real-cluster benchmark: its options, its lines to the test cluster (the admin API client and a
 * keep-alive agent for the oshinko servers), and everything it must undo (children to stop, namespaces to delete,
 * files to remove), undone once, newest first, at the end or on SIGINT/SIGTERM.
 */
import { writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { VERSION } from '../../src/version.js';
import {
  kubectl,
  kubectlJson,
  requireRealCluster,
  type RealCluster,
} from '../../test/e2e-kube/real-cluster.js';
import { startChild, type Child } from '../lib/child.js';
import { fixed, machine } from '../lib/stats.js';
import { apiServerUrl, certificates, KubeApi, type Certificates } from './api.js';

export interface Options {
  readonly repeats: number;
  readonly sizes: readonly number[];
  /** A phase stops after its request count or this long. */
  readonly maxMs: number;
  readonly concurrency: number;
  readonly image: string;
}

export const since = (began: number): number => performance.now() - began;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export class Session {
  readonly cluster: RealCluster = requireRealCluster();
  readonly certs: Certificates = certificates(this.cluster);
  readonly api = new KubeApi(apiServerUrl(this.cluster), this.certs);
  readonly agent = new Agent({ keepAlive: true });
  /** What the script must undo, newest first: children to stop, namespaces to delete, files to remove. */
  private readonly undo: { what: string; run: () => Promise<unknown> }[] = [];
  private cleaning: Promise<void> | undefined;
  private signalled = false;

  constructor(readonly options: Options) {
    // `on`, not `once`: tsx relays a signal to this process a second time when it does not hear back at once, and
    // a second signal must not end the process in the middle of its clean-up.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (this.signalled) return;
        this.signalled = true;
        log(`${signal}: cleaning up`);
        void this.cleanUp().finally(() => process.exit(130));
      });
    }
  }

  get interrupted(): boolean {
    return this.signalled;
  }

  /** Once, whoever asks first (the end of main, a signal, or both): every later call waits for the same. */
  cleanUp(): Promise<void> {
    this.cleaning ??= (async () => {
      for (const step of this.undo.splice(0).reverse()) {
        await step.run().catch((error: unknown) => {
          log(`clean-up: ${step.what} failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      this.api.close();
      this.agent.destroy();
    })();
    return this.cleaning;
  }

  /** Something to undo at the end. */
  onCleanUp(what: string, run: () => Promise<unknown>): void {
    this.undo.push({ what, run });
  }

  /** A child process (its module's path relative to bench/), stopped at the end. */
  async child<Info>(path: string, args: readonly string[] = []): Promise<Child<Info>> {
    this.notInterrupted();
    const started = await startChild<Info>(fileURLToPath(new URL(`../${path}`, import.meta.url)), args);
    this.onCleanUp(`stop pid ${String(started.process.pid)}`, () => started.stop());
    return started;
  }

  /** A namespace of the script's own; deleted at the end, waiting (bounded) until Kubernetes has removed it. */
  async namespace(prefix: string): Promise<string> {
    this.notInterrupted();
    const name = `${prefix}-${Date.now().toString(36)}`;
    await kubectl(this.cluster, ['create', 'namespace', name]);
    this.onCleanUp(`delete namespace ${name}`, async () => {
      const began = performance.now();
      await kubectl(this.cluster, ['delete', 'namespace', name, '--ignore-not-found', '--timeout=180s']);
      log(`deleted namespace ${name} (${fixed(since(began) / 1000, 1)} s)`);
    });
    return name;
  }

  /** A kubeconfig for the oshinko server: the counting proxy, trusted by the cluster's CA, in `ns`. */
  async proxyKubeconfig(dir: string, proxyUrl: string, ns: string): Promise<string> {
    const file = join(dir, `${ns}.kubeconfig`);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'counting-proxy',
          cluster: { server: proxyUrl, 'certificate-authority': join(this.cluster.state, 'certs', 'ca.crt') },
        },
      ],
      // The proxy authenticates upstream with the admin certificate and drops this token.
      users: [{ name: 'bench', user: { token: 'dropped-by-the-counting-proxy' } }],
      contexts: [{ name: 'bench', context: { cluster: 'counting-proxy', user: 'bench', namespace: ns } }],
      'current-context': 'bench',
    };
    await writeFile(file, stringify(config), { mode: 0o600 });
    return file;
  }

  /** The versions of what is measured, for the first table. */
  async versions(): Promise<string[][]> {
    const version = await kubectlJson<{
      clientVersion?: { gitVersion?: string };
      serverVersion?: { gitVersion?: string };
    }>(this.cluster, ['version']);
    const node = await kubectlJson<{
      status?: {
        nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string; kernelVersion?: string };
        capacity?: { cpu?: string; memory?: string };
      };
    }>(this.cluster, ['get', 'node', this.cluster.nodeName]);
    const info = node.status?.nodeInfo;
    return [
      ['oshinko', VERSION],
      ['Kubernetes (API server)', version.serverVersion?.gitVersion ?? '?'],
      ['kubectl', version.clientVersion?.gitVersion ?? '?'],
      ['kubelet', info?.kubeletVersion ?? '?'],
      ['container runtime', info?.containerRuntimeVersion ?? '?'],
      ['kernel', info?.kernelVersion ?? '?'],
      ['node capacity', `${node.status?.capacity?.cpu ?? '?'} CPUs, ${node.status?.capacity?.memory ?? '?'}`],
      ['Spark image', this.options.image],
      ['machine', machine()],
    ];
  }

  /** After a signal nothing new is started: the clean-up may already have passed the place it would be undone. */
  private notInterrupted(): void {
    if (this.signalled) throw new Error('interrupted');
  }
}
