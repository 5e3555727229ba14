import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import { KUBERNETES_API_CALLS } from '../../src/drivers/kubernetes/api-calls.js';
import { assertBuilt, startServer } from '../cli/cli-process.js';
import { FakeKubeServer, type RequestRecord } from '../fake-kube/fake-kube-server.js';
import { writeKubeconfig } from '../fake-kube/kubeconfig.js';
import {
  grants,
  kubernetesManifests,
  processTemplate,
  template,
  type KubeObject,
  type RbacRule,
} from './manifests.js';

/**
 * The Role grants every API call the Kubernetes driver makes and nothing more: checked against the driver's list
 * of its calls (KUBERNETES_API_CALLS), which is itself checked against the client methods the driver's source calls
 * and against the calls it really makes, as the fake Kubernetes API server records them, during a whole cluster
 * lifecycle on plain Kubernetes (with Ingresses) and on OpenShift (with Routes).
 */

function rulesOf(objects: readonly KubeObject[]): RbacRule[] {
  const role = objects.find((object) => object.kind === 'Role') as
    (KubeObject & { rules: RbacRule[] }) | undefined;
  if (role === undefined) throw new Error('no Role');
  return role.rules;
}

const kubernetesRole = grants(rulesOf(kubernetesManifests().map(({ object }) => object)));
const openshiftRole = grants(rulesOf(processTemplate(template(), { NAMESPACE: 'team-a' })));
const driverCalls = grants(
  KUBERNETES_API_CALLS.map((call) => ({
    apiGroups: [call.group],
    resources: [call.resource],
    verbs: [...call.verbs],
  })),
);

const GROUP_OF: Record<string, string> = {
  deployments: 'apps',
  replicasets: 'apps',
  ingresses: 'networking.k8s.io',
  routes: 'route.openshift.io',
  services: '',
  pods: '',
  configmaps: '',
  events: '',
};

/** What RBAC checks for a recorded request; discovery is a non-resource URL open to every authenticated user. */
function grantFor(request: RequestRecord): string | undefined {
  if (request.verb === 'discovery') return undefined;
  const group = GROUP_OF[request.resource];
  if (group === undefined) throw new Error(`the driver called an unexpected resource: ${request.resource}`);
  if (request.verb === 'log') return `${group}/pods/log:get`;
  if (request.verb === 'proxy') return `${group}/${request.resource}/proxy:get`;
  return `${group}/${request.resource}:${request.verb}`;
}

const DRIVER_DIR = fileURLToPath(new URL('../../src/drivers/kubernetes', import.meta.url));

/** Kinds of the client library's method names (`createNamespacedDeployment`) as RBAC group/resource. */
const RESOURCE_OF_KIND: Record<string, string> = {
  Deployment: 'apps/deployments',
  Service: '/services',
  Pod: '/pods',
  ConfigMap: '/configmaps',
  Event: '/events',
  Ingress: 'networking.k8s.io/ingresses',
  // The driver's only custom objects are OpenShift Routes.
  CustomObject: 'route.openshift.io/routes',
};
const VERB_OF_METHOD: Record<string, string> = {
  create: 'create',
  list: 'list',
  read: 'get',
  patch: 'patch',
  delete: 'delete',
  replace: 'update',
};

/** Every namespaced API method the driver's source calls, as the grant it needs. */
function grantsInDriverSource(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(DRIVER_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(DRIVER_DIR, file), 'utf8');
    for (const match of text.matchAll(/\.(create|list|read|patch|delete|replace)Namespaced([A-Za-z]+)\(/g)) {
      const [, method = '', kind = ''] = match;
      const resource = RESOURCE_OF_KIND[kind];
      if (resource === undefined)
        throw new Error(`${file}: the driver calls ${method}Namespaced${kind}: add its resource here`);
      found.add(`${resource}:${VERB_OF_METHOD[method] ?? method}`);
    }
    // Lists go through the plain-JSON lister: `lister.list<T>(at('apis/<group>/<version>', '<resource>'), ...)`.
    for (const match of text.matchAll(/lister\.list<\w+>\(at\(([^,]+),\s*'([a-z]+)'\)/g)) {
      const [, path = '', resource = ''] = match;
      const group = path.includes('ROUTE_GROUP')
        ? 'route.openshift.io'
        : (/apis\/([^/]+)\//.exec(path)?.[1] ?? '');
      found.add(`${group}/${resource}:list`);
    }
    // Subresources are read as text: `lister.read(this.path('<group path>', '<resource>'), { subresource: '<sub>...`.
    for (const match of text.matchAll(
      /lister\.read\(\s*this\.path\(([^,]+),\s*'([a-z]+)'\),\s*\{\s*subresource:\s*'([a-z]+)/g,
    )) {
      const [, path = '', resource = '', subresource = ''] = match;
      const group = /apis\/([^/]+)\//.exec(path)?.[1] ?? '';
      found.add(`${group}/${resource}/${subresource}:get`);
    }
    // The watch-fed cache lists and watches: `this.watched<T>(at('apis/<group>/<version>', '<resource>'), ...)`.
    for (const match of text.matchAll(/this\.watched<\w+>\(at\(([^,]+),\s*'([a-z]+)'\)/g)) {
      const [, path = '', resource = ''] = match;
      const group = path.includes('ROUTE_GROUP')
        ? 'route.openshift.io'
        : (/apis\/([^/]+)\//.exec(path)?.[1] ?? '');
      found.add(`${group}/${resource}:list`);
      found.add(`${group}/${resource}:watch`);
    }
  }
  return [...found].sort();
}

const fakes: FakeKubeServer[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
});

/** Runs every operation of the API against a server on a fresh fake cluster; returns the grants it needed. */
async function lifecycle(openshift: boolean): Promise<string[]> {
  const fake = await FakeKubeServer.start({ openshift, podStartMs: 20 });
  fakes.push(fake);
  fake.seed('configmaps', 'default', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'small' },
    data: { workercount: '1' },
  });
  const kubeconfig = writeKubeconfig(fake, 'default');
  const server = await startServer(
    ['--driver', 'kubernetes', '--kubeconfig', kubeconfig.path],
    openshift ? {} : { OSHINKO_INGRESS_DOMAIN: 'apps.example.com' },
  );
  try {
    const client = new OshinkoClient(server.url);
    await client.info();
    await client.createCluster({ name: 'life', config: { name: 'small', workerCount: 1 } });
    await client.listClusters();
    let cluster = await client.getCluster('life');
    for (let i = 0; i < 100 && cluster.status !== 'Running'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      cluster = await client.getCluster('life');
    }
    expect(cluster.status).toBe('Running');
    await client.scaleCluster('life', { workerCount: 2 });
    await client.logs('life');
    await client.deleteCluster('life');
  } finally {
    await server.stop();
    kubeconfig.remove();
  }
  return [...new Set(fake.requests.map(grantFor).filter((grant) => grant !== undefined))].sort();
}

describe('the Role of the oshinko server', () => {
  it("grants exactly the driver's list of API calls, in the manifests and in the OpenShift template", () => {
    expect(kubernetesRole).toEqual(driverCalls);
    expect(openshiftRole).toEqual(driverCalls);
    expect(kubernetesRole.some((grant) => grant.includes('*'))).toBe(false);
  });

  it("the driver's list is the API methods its source calls", () => {
    expect(grantsInDriverSource()).toEqual(driverCalls);
  });

  it("the driver's list is the calls it really makes in a whole lifecycle, each one used", async () => {
    assertBuilt();
    const used = [...new Set([...(await lifecycle(false)), ...(await lifecycle(true))])].sort();
    expect(used).toEqual(driverCalls);
  });
});
