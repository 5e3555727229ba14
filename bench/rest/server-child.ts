/** The oshinko server (Kubernetes driver) in its own process, configured as `oshinko serve` would be. */
import { parseServeConfig } from '../../src/server/serve-config.js';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { serveParent } from '../lib/child.js';

const [kubeconfig = ''] = process.argv.slice(2);
let server: RunningServer | undefined;

serveParent(async (message) => {
  if (message.type !== 'ready') throw new Error(`unknown message ${message.type}`);
  const config = parseServeConfig(
    { driver: 'kubernetes', kubeconfig, port: '0', logLevel: 'silent' },
    { OSHINKO_MAX_CLUSTERS: '100000' },
  );
  server = await serve(config);
  return { url: server.url };
});
