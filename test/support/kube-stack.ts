/**
 * The real server (`serve`) with the Kubernetes driver, backed by the fake Kubernetes API server, and the typed
 * client pointed at it: everything over real HTTP on 127.0.0.1.
 */
import { afterEach } from 'vitest';
import { OshinkoClient, type ClusterModel } from '../../src/client/oshinko-client.js';
import type { Clock } from '../../src/core/clock.js';
import type { ClusterDriver } from '../../src/core/driver.js';
import { createKubernetesDriver, type KubernetesDriverSettings } from '../../src/drivers/kubernetes/index.js';
import { parseServeConfig } from '../../src/server/serve-config.js';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { FakeKubeServer, type FakeKubeOptions, type RequestRecord } from '../fake-kube/fake-kube-server.js';
import {
  kubeConfigObject,
  writeKubeconfig,
  type KubeconfigFile,
  type KubeconfigShape,
} from '../fake-kube/kubeconfig.js';
import { clusterWaiter } from './wait-for-cluster.js';

export const NAMESPACE = 'spark-apps';

export interface KubeStack {
  readonly fake: FakeKubeServer;
  readonly server: RunningServer;
  readonly client: OshinkoClient;
  readonly kubeconfig: KubeconfigFile;
  close(): Promise<void>;
}

export interface KubeStackOptions extends FakeKubeOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly driver?: (kubeconfig: string) => Promise<ClusterDriver>;
  readonly kubeconfig?: KubeconfigShape;
  /** The server's clock (its request deadline, and the timers of the driver it creates); default the real one. */
  readonly clock?: Clock;
}

export async function startKubeStack(options: KubeStackOptions = {}): Promise<KubeStack> {
  const fake = await FakeKubeServer.start({ namespaces: [NAMESPACE], ...options });
  const kubeconfig = writeKubeconfig(fake, NAMESPACE, options.kubeconfig);
  const config = parseServeConfig(
    { driver: 'kubernetes', kubeconfig: kubeconfig.path, port: '0', logLevel: 'silent' },
    options.env ?? {},
  );
  const server = await serve(
    config,
    options.driver ? await options.driver(kubeconfig.path) : undefined,
    options.clock,
  );
  return {
    fake,
    server,
    client: new OshinkoClient(server.url),
    kubeconfig,
    close: async () => {
      await server.close();
      await fake.close();
      kubeconfig.remove();
    },
  };
}

/**
 * For a file or `describe` whose tests each start their own stack: returns the function that starts one (a fresh
 * fake, kubeconfig and server each time) and closes the last one started after each test.
 */
export function kubeStackPerTest(): (options?: KubeStackOptions) => Promise<KubeStack> {
  let stack: KubeStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  return async (options = {}) => {
    stack = await startKubeStack(options);
    return stack;
  };
}

/**
 * The Kubernetes driver alone (no server) on the fake, from a KubeConfig built in memory; without a namespace it
 * takes the kubeconfig's ('default').
 */
export function fakeKubeDriver(
  fake: FakeKubeServer,
  settings: KubernetesDriverSettings & { readonly namespace?: string } = {},
): Promise<ClusterDriver> {
  const { namespace, ...rest } = settings;
  return createKubernetesDriver({
    kubeconfig: undefined,
    namespace,
    kubeConfig: kubeConfigObject(fake, namespace),
    ...rest,
  });
}

/** The wait for a cluster on the fake, whose pods settle in tens of milliseconds. */
export const waitForCluster = clusterWaiter({ timeoutMs: 5000, intervalMs: 25 });

export const isRunning = (cluster: ClusterModel): boolean => cluster.status === 'Running';

/**
 * The requests the fake recorded, less the registration poller's: it asks each master which workers it has in the
 * background (service proxy), whatever the reads, so they are no cost of a read.
 */
export function readRequests(fake: FakeKubeServer): RequestRecord[] {
  return fake.requests.filter((request) => request.verb !== 'proxy');
}
