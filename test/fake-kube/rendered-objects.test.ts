/** Every object the renderer can produce passes the official schemas and the API server's rules. */
import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/core/cluster.js';
import { builtinDefaults } from '../../src/core/cluster-config.js';
import { MAX_CLUSTER_NAME_LENGTH } from '../../src/core/cluster-name.js';
import { renderCluster, type RenderContext } from '../../src/drivers/kubernetes/cluster-renderer.js';
import { validateObject, type ResourceName } from './validation.js';

const RESOURCE: Record<string, ResourceName> = {
  Deployment: 'deployments',
  Service: 'services',
  Route: 'routes',
  Ingress: 'ingresses',
};

const contexts: RenderContext[] = [
  { namespace: 'n', routes: true, openshift: true, ingress: undefined },
  { namespace: 'n', routes: false, openshift: false, ingress: undefined },
  {
    namespace: 'a-namespace-that-is-quite-long-indeed',
    routes: false,
    openshift: false,
    ingress: { domain: 'apps.example.com', className: 'nginx' },
  },
];
const configs: Partial<ClusterConfig>[] = [
  {},
  { metrics: 'prometheus', sparkMasterConfig: 'master-conf', sparkWorkerConfig: 'worker.conf' },
  { metrics: 'jolokia', exposeWebUI: false, workerCount: 0, masterCount: 0 },
  { sparkImage: 'registry.example.com:5000/team/spark@sha256:' + 'a'.repeat(64) },
];

describe('rendered objects', () => {
  for (const name of ['a', 'spark-etl', 'x'.repeat(MAX_CLUSTER_NAME_LENGTH)]) {
    it(`are valid Kubernetes objects for cluster ${name.slice(0, 12)} (${name.length} characters)`, () => {
      for (const context of contexts) {
        for (const overrides of configs) {
          const spec = {
            name,
            config: { ...builtinDefaults('docker.io/apache/spark:4.0.1'), ...overrides },
            imageSource: 'request' as const,
            storedConfig: 'some.stored-config',
          };
          const { master, secondary } = renderCluster(spec, context, '0b7c8d6e-1111-2222-3333-444455556666');
          const objects = [{ kind: 'Deployment', body: master }, ...secondary];
          for (const object of objects) {
            const resource = RESOURCE[object.kind];
            if (resource === undefined) throw new Error(`unexpected kind ${object.kind}`);
            const json = JSON.parse(JSON.stringify(object.body)) as Record<string, unknown>;
            expect(
              validateObject(resource, json),
              `${object.kind} ${String(object.body.metadata?.name)}`,
            ).toEqual([]);
          }
        }
      }
    });
  }
});
