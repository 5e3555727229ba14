/**
 * The oshinko server (Kubernetes driver) in its own process, configured as `oshinko serve` would be: with the
 * watch cache (`watch`, the default) or reading the API on every request (`direct`, OSHINKO_KUBE_WATCH=false),
 * and optionally a default image (the real-cluster benchmark's own Spark image).
 */
import { parseServeConfig } from '../../src/server/serve-config.js';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { serveParent } from '../lib/child.js';

const [kubeconfig = '', mode = 'watch', defaultImage] = process.argv.slice(2);
let server: RunningServer | undefined;

serveParent(async (message) => {
  switch (message.type) {
    case 'ready': {
      const config = parseServeConfig(
        { driver: 'kubernetes', kubeconfig, defaultImage, port: '0', logLevel: 'silent' },
        { OSHINKO_MAX_CLUSTERS: '100000', OSHINKO_KUBE_WATCH: String(mode === 'watch') },
      );
      server = await serve(config);
      return { url: server.url };
    }
    case 'memory': {
      // After a full collection, so that the figure is what the process holds, not garbage not yet collected.
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      return { rss, heapUsed };
    }
    default:
      throw new Error(`unknown message ${message.type}`);
  }
});
