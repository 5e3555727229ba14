import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ClusterService } from '../core/cluster-service.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ClusterDriver } from '../core/driver.js';
import { ConfigurationError } from '../core/errors.js';
import { buildApp } from './app.js';
import type { ServeConfig } from './serve-config.js';
import { VERSION } from '../version.js';

/**
 * Loads the configured driver; each driver module is imported only when chosen. `clock` runs every timer of the
 * driver (tests pass a manual one).
 */
export async function createDriver(config: ServeConfig, clock: Clock = systemClock): Promise<ClusterDriver> {
  if (config.driver === 'kubernetes') {
    const { createKubernetesDriver } = await import('../drivers/kubernetes/index.js');
    return createKubernetesDriver({
      kubeconfig: config.kubeconfig,
      namespace: config.namespace,
      serviceHost: config.kubernetesServiceHost,
      ingress:
        config.ingressDomain === undefined
          ? undefined
          : { domain: config.ingressDomain, className: config.ingressClass },
      requestTimeoutMs: config.kubeRequestTimeoutMs,
      watch: config.kubeWatch,
      clock,
    });
  }
  const { createLocalDriver } = await import('../drivers/local/index.js');
  return createLocalDriver({
    home: config.oshinkoHome,
    sparkHome: config.sparkHome,
    env: config.processEnv,
    clock,
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  /** The driver's account of itself at start (the `details` of `GET /`): namespace, context, data directory... */
  readonly details: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts the server: the only place that listens. Its timers, and those of the driver it creates, go by `clock`:
 * the real one but in tests.
 */
export async function serve(
  config: ServeConfig,
  driver?: ClusterDriver,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  if (!LOOPBACK.has(config.host) && config.token === undefined && !config.allowInsecureRemote) {
    throw new ConfigurationError(
      `refusing to listen on ${config.host} without a token: anyone who can reach it could run code on your clusters; set OSHINKO_TOKEN or --token-file, or pass --allow-insecure-remote`,
    );
  }
  const clusterDriver = driver ?? (await createDriver(config, clock));
  const service = new ClusterService(clusterDriver, {
    defaultImage: config.defaultImage ?? clusterDriver.defaultImage,
    defaultImagePullSecrets: config.imagePullSecrets,
    defaultRunAsUser: config.runAsUser,
    maxWorkers: config.maxWorkers,
    maxClusters: config.maxClusters,
    imagePolicy: { allowCustomImages: config.allowCustomImages, allowedPatterns: config.allowedImages },
  });
  const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');
  const app = await buildApp({
    service,
    version: VERSION,
    consoleDir,
    bodyLimit: config.bodyLimit,
    token: config.token,
    corsOrigins: config.corsOrigins,
    requestTimeoutMs: config.requestTimeoutMs,
    clock,
    logger: { level: config.logLevel },
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await clusterDriver.close();
    throw new ConfigurationError(
      `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    url: `http://${host}:${port}`,
    details: clusterDriver.describe(),
    close: async () => {
      // Fastify closes the connections idle when closing starts; one whose answer was still in flight goes idle
      // later and would hold the server open until the keep-alive timeout (72 s). Close those as they go idle.
      let cancelSweep: () => void = () => undefined;
      const sweep = () => {
        cancelSweep = clock.after(50, () => {
          app.server.closeIdleConnections();
          sweep();
        });
      };
      sweep();
      try {
        await app.close();
      } finally {
        cancelSweep();
      }
      await clusterDriver.close();
    },
  };
}
