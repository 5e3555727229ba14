/**
 * The objects oshinko makes for a cluster, from the driver's own pure renderer: as YAML for the `kubectl apply`
 * baseline, and created directly through the API to fill a namespace with many clusters.
 */
import { stringify } from 'yaml';
import { builtinDefaults } from '../../src/core/cluster-config.js';
import type { ClusterSpec } from '../../src/core/cluster.js';
import {
  renderMaster,
  renderSecondary,
  type Owner,
  type RenderContext,
  type SecondaryObject,
} from '../../src/drivers/kubernetes/cluster-renderer.js';
import type { V1Deployment } from '../../src/drivers/kubernetes/kube-types.js';
import { names } from '../../src/drivers/kubernetes/labels.js';
import type { KubeApi } from './api.js';

/** What `POST /clusters` with these counts resolves to on a server whose default image is `image`. */
export function clusterSpec(
  name: string,
  image: string,
  counts: { masterCount: number; workerCount: number },
): ClusterSpec {
  return {
    name,
    config: { ...builtinDefaults(image), ...counts },
    imageSource: 'default',
    storedConfig: undefined,
  };
}

/** The test cluster has neither Routes nor an ingress domain configured: the server renders no Route or Ingress. */
export function renderContext(namespace: string): RenderContext {
  return { namespace, routes: false, openshift: false, ingress: undefined };
}

export function masterYaml(spec: ClusterSpec, namespace: string): string {
  return stringify(renderMaster(spec, renderContext(namespace)));
}

/** Everything but the master, owned by it: the owner's uid is known only once the master exists. */
export function secondaryYaml(spec: ClusterSpec, namespace: string, owner: Owner): string {
  return renderSecondary(spec, renderContext(namespace), owner)
    .map((object) => stringify(object.body))
    .join('---\n');
}

const COLLECTION: Record<SecondaryObject['kind'], string> = {
  Deployment: 'apis/apps/v1',
  Service: 'api/v1',
  Route: 'apis/route.openshift.io/v1',
  Ingress: 'apis/networking.k8s.io/v1',
};

const RESOURCE: Record<SecondaryObject['kind'], string> = {
  Deployment: 'deployments',
  Service: 'services',
  Route: 'routes',
  Ingress: 'ingresses',
};

/** A node selector that no node matches: the pods of a cluster with it stay Pending, and cost the node nothing. */
export const NO_NODE = { 'oshinko.bench/no-such-node': 'true' };

function unschedulable(deployment: V1Deployment): V1Deployment {
  const template = deployment.spec?.template;
  if (deployment.spec === undefined || template === undefined) return deployment;
  return {
    ...deployment,
    spec: {
      ...deployment.spec,
      template: {
        ...template,
        spec: { ...template.spec, containers: template.spec?.containers ?? [], nodeSelector: NO_NODE },
      },
    },
  };
}

/**
 * Creates one cluster's objects, in the order the driver creates them (the master first, for its uid).
 * `pending`: its pods get a node selector that no node matches, so they are made but never run.
 */
export async function createCluster(
  api: KubeApi,
  namespace: string,
  spec: ClusterSpec,
  pending = false,
): Promise<void> {
  const context = renderContext(namespace);
  const adjust = (deployment: V1Deployment) => (pending ? unschedulable(deployment) : deployment);
  const master = await api.json<{ metadata: { uid: string } }>(
    'POST',
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    adjust(renderMaster(spec, context)),
  );
  for (const object of renderSecondary(spec, context, {
    name: names.master(spec.name),
    uid: master.metadata.uid,
  })) {
    await api.json(
      'POST',
      `/${COLLECTION[object.kind]}/namespaces/${namespace}/${RESOURCE[object.kind]}`,
      object.kind === 'Deployment' ? adjust(object.body) : object.body,
    );
  }
}

/** Creates many clusters, `concurrency` at a time. */
export async function createClusters(
  api: KubeApi,
  namespace: string,
  specs: readonly ClusterSpec[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < specs.length; index = next++) {
      const spec = specs[index];
      if (spec !== undefined) await createCluster(api, namespace, spec);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
