/**
 * The fake Kubernetes API server in its own process, so that its work does not share an event loop with the
 * server under test. Populates the namespace with the objects the driver itself renders, and reports the API
 * requests it received.
 */
import { builtinDefaults } from '../../src/core/cluster-config.js';
import {
  renderMaster,
  renderSecondary,
  type RenderContext,
  type SecondaryObject,
} from '../../src/drivers/kubernetes/cluster-renderer.js';
import { DEFAULT_KUBERNETES_IMAGE } from '../../src/drivers/kubernetes/index.js';
import { FakeKubeServer, type KubeObject } from '../../test/fake-kube/fake-kube-server.js';
import { writeKubeconfig, type KubeconfigFile } from '../../test/fake-kube/kubeconfig.js';
import { serveParent } from '../lib/child.js';
import { NAMESPACE, seededName } from './names.js';

const RESOURCE = {
  Deployment: 'deployments',
  Service: 'services',
  Route: 'routes',
  Ingress: 'ingresses',
} as const satisfies Record<SecondaryObject['kind'], string>;

let fake: FakeKubeServer | undefined;
let kubeconfig: KubeconfigFile | undefined;
let seeded = 0;

function populate(server: FakeKubeServer, count: number): void {
  const context: RenderContext = {
    namespace: NAMESPACE,
    routes: false,
    openshift: false,
    ingress: undefined,
  };
  for (; seeded < count; seeded++) {
    const spec = {
      name: seededName(seeded),
      config: builtinDefaults(DEFAULT_KUBERNETES_IMAGE),
      imageSource: 'default' as const,
      storedConfig: undefined,
    };
    const master: KubeObject = server.seed('deployments', NAMESPACE, renderMaster(spec, context));
    for (const object of renderSecondary(spec, context, {
      name: master.metadata.name,
      uid: master.metadata.uid,
    })) {
      server.seed(RESOURCE[object.kind], NAMESPACE, { ...object.body });
    }
  }
}

function runningPods(server: FakeKubeServer): { total: number; running: number } {
  const pods = server.objects('pods', NAMESPACE);
  return { total: pods.length, running: pods.filter((p) => p.status?.phase === 'Running').length };
}

serveParent(async (message) => {
  switch (message.type) {
    case 'ready': {
      fake = await FakeKubeServer.start({ namespaces: [NAMESPACE] });
      kubeconfig = writeKubeconfig(fake, NAMESPACE);
      process.on('exit', () => kubeconfig?.remove());
      return { url: fake.url, kubeconfig: kubeconfig.path, token: fake.bearerToken };
    }
    case 'populate': {
      if (fake === undefined) throw new Error('not started');
      const started = performance.now();
      populate(fake, Number(message.count));
      // Let the simulated pods settle before anything is measured, so their timers do not run during a phase.
      for (;;) {
        const pods = runningPods(fake);
        if (pods.total > 0 && pods.running === pods.total) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return {
        seconds: (performance.now() - started) / 1000,
        objects: fake.objects('pods', NAMESPACE).length,
      };
    }
    case 'requests': {
      if (fake === undefined) throw new Error('not started');
      // The servers ask each master which workers it has in the background (service proxy), whatever the REST
      // calls: those requests are not a cost of the call measured.
      const counts: Record<string, number> = {};
      let total = 0;
      for (const record of fake.requests) {
        if (record.verb === 'proxy') continue;
        const key = `${record.verb} ${record.resource}`;
        counts[key] = (counts[key] ?? 0) + 1;
        total += 1;
      }
      fake.resetRequests();
      return { total, counts };
    }
    default:
      throw new Error(`unknown message ${message.type}`);
  }
});
