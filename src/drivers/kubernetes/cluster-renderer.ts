/**
 * Pure rendering: a cluster spec and the context it is deployed in become the Kubernetes objects of the cluster
 * (its Deployments, Services, and Route or Ingress); the pod of each role is spark-pod.ts's. No I/O here; the driver
 * sends what this returns.
 */
import type { ClusterConfig, ClusterSpec } from '../../core/cluster.js';
import { IMAGE_USER, SPARK_IMAGE_UID, type RunAsUser } from '../../core/cluster.js';
import {
  APP_COMPONENT_LABEL,
  APP_INSTANCE_LABEL,
  APP_MANAGED_BY_LABEL,
  APP_NAME,
  APP_NAME_LABEL,
  APP_PART_OF_LABEL,
  CLUSTER_LABEL,
  CONFIG_ANNOTATION,
  MANAGED_BY,
  MASTER_PORT,
  MASTER_UI_PORT,
  METRICS_PORT,
  TYPE_LABEL,
  UI_PORT_NAME,
  names,
  type ObjectType,
} from './labels.js';
import { encodeClusterConfig } from './config-annotation.js';
import type {
  V1Deployment,
  V1Ingress,
  V1ObjectMeta,
  V1OwnerReference,
  V1Route,
  V1Service,
} from './kube-types.js';
import { optional, podSecurity, rolePod } from './spark-pod.js';

/** How the web UI is exposed outside the cluster on plain Kubernetes. */
export interface IngressSettings {
  /** Hosts are `<cluster>-ui-<namespace>.<domain>`. */
  readonly domain: string;
  readonly className: string | undefined;
}

export interface RenderContext {
  readonly namespace: string;
  /** True when the route.openshift.io API exists: the web UI gets a Route. */
  readonly routes: boolean;
  /**
   * True on OpenShift (its security.openshift.io or route.openshift.io API exists): its security context
   * constraints assign each pod a UID of the namespace's range, so a cluster that names none sets none.
   */
  readonly openshift: boolean;
  /** On plain Kubernetes, an Ingress for the web UI is made only when this is set. */
  readonly ingress: IngressSettings | undefined;
}

/** The master Deployment that owns every other object of the cluster. */
export interface Owner {
  readonly name: string;
  readonly uid: string;
}

export type SecondaryObject =
  | { readonly kind: 'Deployment'; readonly body: V1Deployment }
  | { readonly kind: 'Service'; readonly body: V1Service }
  | { readonly kind: 'Route'; readonly body: V1Route }
  | { readonly kind: 'Ingress'; readonly body: V1Ingress };

export interface RenderedCluster {
  readonly master: V1Deployment;
  readonly secondary: readonly SecondaryObject[];
}

export function clusterLabels(cluster: string, type: ObjectType): Record<string, string> {
  return {
    [CLUSTER_LABEL]: cluster,
    [TYPE_LABEL]: type,
    [APP_NAME_LABEL]: APP_NAME,
    [APP_INSTANCE_LABEL]: cluster,
    [APP_COMPONENT_LABEL]: type,
    [APP_PART_OF_LABEL]: 'oshinko',
    [APP_MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

function podSelector(cluster: string, type: 'master' | 'worker'): Record<string, string> {
  return { [CLUSTER_LABEL]: cluster, [TYPE_LABEL]: type };
}

function ownerReferences(owner: Owner | undefined): V1OwnerReference[] | undefined {
  if (owner === undefined) return undefined;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: owner.name,
      uid: owner.uid,
      controller: false,
      blockOwnerDeletion: true,
    },
  ];
}

function metadata(
  name: string,
  spec: ClusterSpec,
  context: RenderContext,
  type: ObjectType,
  owner: Owner | undefined,
): V1ObjectMeta {
  const refs = ownerReferences(owner);
  return {
    name,
    namespace: context.namespace,
    labels: clusterLabels(spec.name, type),
    annotations: { [CONFIG_ANNOTATION]: encodeClusterConfig(spec) },
    ...(refs === undefined ? {} : { ownerReferences: refs }),
  };
}

/**
 * The UID a cluster's pods run as: the cluster's own, else 185 (the official images' `spark`) on Kubernetes and
 * none on OpenShift, whose `restricted-v2` refuses a UID outside the namespace's range and assigns one itself.
 */
export function effectiveRunAsUser(config: ClusterConfig, context: RenderContext): RunAsUser {
  return config.runAsUser ?? (context.openshift ? IMAGE_USER : SPARK_IMAGE_UID);
}

function deployment(
  spec: ClusterSpec,
  context: RenderContext,
  type: 'master' | 'worker',
  owner: Owner | undefined,
): V1Deployment {
  const name = type === 'master' ? names.master(spec.name) : names.worker(spec.name);
  const replicas = type === 'master' ? spec.config.masterCount : spec.config.workerCount;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name, spec, context, type, owner),
    spec: {
      replicas,
      selector: { matchLabels: podSelector(spec.name, type) },
      // A master restart must not overlap the old one: two masters would split the workers.
      strategy: type === 'master' ? { type: 'Recreate' } : { type: 'RollingUpdate' },
      template: {
        metadata: {
          labels: { ...spec.config.labels, ...clusterLabels(spec.name, type) },
          ...optional('annotations', spec.config.annotations),
        },
        spec: {
          securityContext: podSecurity(spec.config.runAsUser ?? IMAGE_USER),
          ...optional('nodeSelector', spec.config.nodeSelector),
          ...optional(
            'tolerations',
            spec.config.tolerations?.map((toleration) => ({ ...toleration })),
          ),
          ...optional(
            'imagePullSecrets',
            spec.config.imagePullSecrets?.map((name) => ({ name })),
          ),
          ...rolePod(spec, type),
        },
      },
    },
  };
}

function service(
  spec: ClusterSpec,
  context: RenderContext,
  owner: Owner,
  name: string,
  type: ObjectType,
  port: { name: string; port: number; targetPort: number },
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name, spec, context, type, owner),
    spec: {
      type: 'ClusterIP',
      selector: podSelector(spec.name, 'master'),
      ports: [{ name: port.name, port: port.port, targetPort: port.targetPort, protocol: 'TCP' }],
    },
  };
}

/** The spec with the UID its pods get, so that the pods and the annotation say the same. */
function withRunAsUser(spec: ClusterSpec, context: RenderContext): ClusterSpec {
  return { ...spec, config: { ...spec.config, runAsUser: effectiveRunAsUser(spec.config, context) } };
}

export function renderMaster(spec: ClusterSpec, context: RenderContext): V1Deployment {
  return deployment(withRunAsUser(spec, context), context, 'master', undefined);
}

/** Everything but the master Deployment, each owned by it so that deleting the master deletes them. */
export function renderSecondary(asked: ClusterSpec, context: RenderContext, owner: Owner): SecondaryObject[] {
  const spec = withRunAsUser(asked, context);
  const { config } = spec;
  const objects: SecondaryObject[] = [
    { kind: 'Deployment', body: deployment(spec, context, 'worker', owner) },
    {
      kind: 'Service',
      body: service(spec, context, owner, names.masterService(spec.name), 'master', {
        name: 'spark-master',
        port: MASTER_PORT,
        targetPort: MASTER_PORT,
      }),
    },
    {
      kind: 'Service',
      body: service(spec, context, owner, names.uiService(spec.name), 'webui', {
        name: UI_PORT_NAME,
        port: MASTER_UI_PORT,
        targetPort: MASTER_UI_PORT,
      }),
    },
  ];
  if (config.metrics !== 'false') {
    objects.push({
      kind: 'Service',
      body: service(spec, context, owner, names.metricsService(spec.name), 'metrics', {
        name: 'spark-metrics',
        port: METRICS_PORT,
        targetPort: config.metrics === 'prometheus' ? MASTER_UI_PORT : METRICS_PORT,
      }),
    });
  }
  if (config.exposeWebUI && context.routes) {
    objects.push({
      kind: 'Route',
      body: {
        apiVersion: 'route.openshift.io/v1',
        kind: 'Route',
        metadata: metadata(names.route(spec.name), spec, context, 'webui', owner),
        spec: {
          to: { kind: 'Service', name: names.uiService(spec.name), weight: 100 },
          port: { targetPort: UI_PORT_NAME },
        },
      },
    });
  } else if (config.exposeWebUI && context.ingress !== undefined) {
    const { domain, className } = context.ingress;
    objects.push({
      kind: 'Ingress',
      body: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: metadata(names.ingress(spec.name), spec, context, 'webui', owner),
        spec: {
          ...(className === undefined ? {} : { ingressClassName: className }),
          rules: [
            {
              host: ingressHost(spec.name, context.namespace, domain),
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: {
                      service: { name: names.uiService(spec.name), port: { number: MASTER_UI_PORT } },
                    },
                  },
                ],
              },
            },
          ],
        },
      },
    });
  }
  return objects;
}

/** `<cluster>-ui-<namespace>.<domain>`, like OpenShift's route hosts; without the namespace when too long. */
export function ingressHost(cluster: string, namespace: string, domain: string): string {
  const label = `${names.uiService(cluster)}-${namespace}`;
  return `${label.length <= 63 ? label : names.uiService(cluster)}.${domain}`;
}

export function renderCluster(spec: ClusterSpec, context: RenderContext, masterUid: string): RenderedCluster {
  const master = renderMaster(spec, context);
  return {
    master,
    secondary: renderSecondary(spec, context, { name: names.master(spec.name), uid: masterUid }),
  };
}
