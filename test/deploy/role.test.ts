import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import { KUBERNETES_API_CALLS } from '../../src/drivers/kubernetes/api-calls.js';
import { RESOURCES, type ResourceKind } from '../../src/drivers/kubernetes/resources.js';
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
 * of its calls (KUBERNETES_API_CALLS, derived from its table of resources), which is itself checked against the
 * calls the driver's source makes (client methods, and the table rows its lists, watches and reads name) and
 * against the calls it really makes, as the fake Kubernetes API server records them, during a whole cluster
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
  secrets: '',
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
  Secret: '/secrets',
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

/** Where the plain-JSON lister may be called: KubeApi alone, so that every list, watch and read names a row. */
const LISTER_OWNER = 'kube-api.ts';

/** Every API call the driver's source makes, as the grant it needs; a call the scan cannot read fails it. */
function grantsInDriverSource(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(DRIVER_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(DRIVER_DIR, file), 'utf8');
    // Writes and single reads call the generated clients (in the table, resources.ts):
    // `clients.apps.createNamespacedDeployment(`.
    for (const match of text.matchAll(/\.(create|list|read|patch|delete|replace)Namespaced([A-Za-z]+)\(/g)) {
      const [, method = '', kind = ''] = match;
      const resource = RESOURCE_OF_KIND[kind];
      if (resource === undefined)
        throw new Error(`${file}: the driver calls ${method}Namespaced${kind}: add its resource here`);
      found.add(`${resource}:${VERB_OF_METHOD[method] ?? method}`);
    }
    // Only namespaced methods: one across namespaces or cluster-wide would need a ClusterRole.
    for (const match of text.matchAll(/\bclients\.\w+\.(\w+)\(/g)) {
      const [, method = ''] = match;
      if (!/^(create|list|read|patch|delete|replace)Namespaced[A-Za-z]+$/.test(method))
        throw new Error(`${file}: the driver calls ${method}: add it to this scan`);
    }
    // Lists, watches and subresources go through KubeApi, each naming a row of the table:
    // `api.list<T>(RESOURCES.<row>`, `api.watched<T>(RESOURCES.<row>` (a list and a watch, for the cache),
    // `api.read(RESOURCES.<row>, { subresource: '<subresource>...` (`api.stream` likewise, a read that streams).
    for (const match of text.matchAll(/\bapi\s*\.(list|watched|read|stream)\s*(?:<[^>(]*>)?\(\s*([^,)]*)/g)) {
      const [call = '', method = '', target = ''] = match;
      const row = /^RESOURCES\.(\w+)$/.exec(target.trim())?.[1];
      const resource = row === undefined ? undefined : (RESOURCES as Record<string, ResourceKind>)[row];
      if (resource === undefined)
        throw new Error(`${file}: ${call}: not a row of RESOURCES, so the scan cannot tell what it calls`);
      const grant = `${resource.group}/${resource.plural}`;
      if (method === 'read' || method === 'stream') {
        const rest = text.slice(match.index + call.length);
        const subresource = /^\s*,\s*\{\s*subresource:\s*'([a-z]+)/.exec(rest)?.[1];
        if (subresource === undefined) throw new Error(`${file}: ${call}: no literal subresource`);
        found.add(`${grant}/${subresource}:get`);
      } else {
        found.add(`${grant}:list`);
        if (method === 'watched') found.add(`${grant}:watch`);
      }
    }
    // The lister is KubeApi's alone: nothing reaches the API around the table.
    if (file !== LISTER_OWNER && /\blister\.(list|read|watch|stream)\b/.test(text))
      throw new Error(`${file}: calls the lister directly; go through KubeApi (${LISTER_OWNER})`);
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
  fake.seed('secrets', 'default', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths": {}}').toString('base64') },
  });
  const kubeconfig = writeKubeconfig(fake, 'default');
  const server = await startServer(
    ['--driver', 'kubernetes', '--kubeconfig', kubeconfig.path],
    openshift ? {} : { OSHINKO_INGRESS_DOMAIN: 'apps.example.com' },
  );
  try {
    const client = new OshinkoClient(server.url);
    await client.info();
    await client.createCluster({
      name: 'life',
      config: { name: 'small', workerCount: 1, imagePullSecrets: ['regcred'] },
    });
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
