/**
 * Pure rendering: a cluster spec and the context it is deployed in become the Kubernetes objects of the cluster.
 * No I/O here; the driver sends what this returns.
 */
import type * as k8s from '@kubernetes/client-node';
import type { ClusterConfig, ClusterSpec } from '../../core/cluster.js';
import { IMAGE_USER, SPARK_IMAGE_UID, type RunAsUser } from '../../core/cluster.js';
import { masterHeapMiB, workerOffer, type Resources } from '../../core/resources.js';
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
  SPARK_CONFIG_MOUNT,
  SPARK_CONTAINER,
  SPARK_HOME,
  TYPE_LABEL,
  UI_PORT_NAME,
  WORKER_UI_PORT,
  names,
  type ObjectType,
} from './labels.js';
import { encodeClusterConfig } from './config-annotation.js';
import { imageCheckContainer } from './image-check.js';
import type {
  Plain,
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Ingress,
  V1ObjectMeta,
  V1OwnerReference,
  V1PodSecurityContext,
  V1Route,
  V1SecurityContext,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from './kube-types.js';

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
 * The daemons are started as the container's arguments, not its command: the image's entrypoint still runs, and
 * the official images' entrypoint passes unknown commands through after giving an arbitrary UID (OpenShift) a
 * passwd entry and running them under tini. Images without an entrypoint run the arguments as the command.
 */
const SPARK_CLASS = `${SPARK_HOME}/bin/spark-class`;

/**
 * The time a daemon has to serve its web UI once started: the kubelet restarts it after that, keeping the end of
 * its log as the termination message, and the cluster is Degraded with that log instead of waiting for ever (an
 * image whose entrypoint ignores its arguments runs, but never starts Spark). Generous: on the loaded 2-core test
 * node a worker's JVM took 57 s to open its web UI, and a healthy daemon restarted there would start slower still.
 */
export const STARTUP_SECONDS = 120;
const STARTUP_PERIOD_SECONDS = 5;

function startupProbe(port: number): NonNullable<V1Container['startupProbe']> {
  return {
    httpGet: { path: '/', port },
    periodSeconds: STARTUP_PERIOD_SECONDS,
    timeoutSeconds: 3,
    failureThreshold: STARTUP_SECONDS / STARTUP_PERIOD_SECONDS,
    // A process that ignores SIGTERM (a shell or sleep as PID 1) is killed after this, not the pod's 30 s.
    terminationGracePeriodSeconds: 5,
  };
}

/** JVM options that make the standalone daemons serve Prometheus metrics on their web UI. */
const PROMETHEUS_OPTS = [
  '-Dspark.ui.prometheus.enabled=true',
  '-Dspark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet',
  '-Dspark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus',
].join(' ');

/**
 * How a worker finds its master again after the master pod is replaced. A worker that loses its master reconnects
 * to the address it last registered with, which is the old pod's IP (the master advertises `--host $(POD_IP)`), and
 * nothing answers there any more. With this setting it reconnects to the address it was started with, the master
 * Service, which Kubernetes points at the new pod (docs/kubernetes.md, "When the master pod is replaced").
 */
const WORKER_OPTS = '-Dspark.worker.preferConfiguredMasterAddress=true';

/** The worker daemon's own heap when its memory is limited (part of `WORKER_DAEMON_MIB` in core/resources.ts). */
const WORKER_DAEMON_HEAP_MIB = 256;

/** Requests and limits alike: what a role is given is what it may use, and what a worker offers. */
function containerResources(resources: Resources | undefined): Plain<k8s.V1ResourceRequirements> | undefined {
  if (resources === undefined || (resources.cpu === undefined && resources.memory === undefined))
    return undefined;
  const amounts: Record<string, string> = {};
  if (resources.cpu !== undefined) amounts.cpu = resources.cpu;
  if (resources.memory !== undefined) amounts.memory = resources.memory;
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function sparkEnv(spec: ClusterSpec, type: 'master' | 'worker', configMap: string): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'OSHINKO_SPARK_CLUSTER', value: spec.name },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
  ];
  if (type === 'worker') {
    env.push(
      { name: 'SPARK_MASTER_ADDRESS', value: masterUrl(spec.name) },
      { name: 'SPARK_MASTER_UI_ADDRESS', value: masterWebUrl(spec.name) },
      { name: 'SPARK_WORKER_OPTS', value: WORKER_OPTS },
    );
    // What the worker offers its master is what its container was given (docs/kubernetes.md, "CPU and memory").
    const offer = workerOffer(spec.config.workerResources);
    if (offer.cores !== undefined) env.push({ name: 'SPARK_WORKER_CORES', value: String(offer.cores) });
    if (offer.memoryMiB !== undefined) {
      env.push(
        { name: 'SPARK_WORKER_MEMORY', value: `${String(offer.memoryMiB)}m` },
        { name: 'SPARK_DAEMON_MEMORY', value: `${String(WORKER_DAEMON_HEAP_MIB)}m` },
      );
    }
  } else {
    const heap = masterHeapMiB(spec.config.masterResources);
    if (heap !== undefined) env.push({ name: 'SPARK_DAEMON_MEMORY', value: `${String(heap)}m` });
  }
  if (spec.config.metrics !== 'false') {
    env.push({ name: 'SPARK_METRICS_ON', value: spec.config.metrics });
    if (spec.config.metrics === 'prometheus')
      env.push({ name: 'SPARK_DAEMON_JAVA_OPTS', value: PROMETHEUS_OPTS });
  }
  if (configMap !== '') {
    // UPDATE_SPARK_CONF_DIR is what upstream images read; SPARK_CONF_DIR is what plain Spark images read.
    env.push(
      { name: 'UPDATE_SPARK_CONF_DIR', value: SPARK_CONFIG_MOUNT },
      { name: 'SPARK_CONF_DIR', value: SPARK_CONFIG_MOUNT },
    );
  }
  // The user's own, after ours: a later entry of the same name wins, so a user's SPARK_DAEMON_JAVA_OPTS does.
  for (const variable of spec.config.env ?? []) {
    env.push(
      variable.secretKeyRef === undefined
        ? { name: variable.name, value: variable.value ?? '' }
        : { name: variable.name, valueFrom: { secretKeyRef: { ...variable.secretKeyRef } } },
    );
  }
  return env;
}

/**
 * Every pod passes the `restricted` Pod Security Standard: not root, no privilege escalation, no capabilities, the
 * runtime's default seccomp profile. An image whose user is root is refused by the kubelet
 * (`CreateContainerConfigError: container has runAsNonRoot and image will run as root`), which the status shows as
 * the pod's reason; so is one whose user is a name (`USER spark`, as in the official Spark images) while the pod
 * sets no UID: the kubelet cannot tell that a name is not root. Hence `podSecurity` sets a UID.
 */
export const POD_SECURITY: V1PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The UID a cluster's pods run as: the cluster's own, else 185 (the official images' `spark`) on Kubernetes and
 * none on OpenShift, whose `restricted-v2` refuses a UID outside the namespace's range and assigns one itself.
 */
export function effectiveRunAsUser(config: ClusterConfig, context: RenderContext): RunAsUser {
  return config.runAsUser ?? (context.openshift ? IMAGE_USER : SPARK_IMAGE_UID);
}

/**
 * The pod half of the standard, with the UID. No `runAsGroup` or `fsGroup`: with a UID and no group, the runtime
 * (containerd, CRI-O) gives the primary group of the image's /etc/passwd entry for that UID (185 `spark` in the
 * official images, whose /opt/spark/work-dir is `spark:spark`), else group 0 as OpenShift's arbitrary UIDs get; the
 * pods mount nothing writable (their ConfigMaps are read-only), so no volume needs a group.
 */
export function podSecurity(runAsUser: RunAsUser): V1PodSecurityContext {
  return runAsUser === IMAGE_USER ? POD_SECURITY : { ...POD_SECURITY, runAsUser };
}

/** The container half of the `restricted` standard; every container of a cluster's pods has it. */
export const CONTAINER_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function configVolume(configMap: string): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  if (configMap === '') return { volumes: [], mounts: [] };
  return {
    volumes: [{ name: 'spark-config', configMap: { name: configMap } }],
    mounts: [{ name: 'spark-config', mountPath: SPARK_CONFIG_MOUNT, readOnly: true }],
  };
}

export function masterUrl(cluster: string): string {
  return `spark://${names.masterService(cluster)}:${MASTER_PORT}`;
}

export function masterWebUrl(cluster: string): string {
  return `http://${names.uiService(cluster)}:${MASTER_UI_PORT}`;
}

function masterContainer(spec: ClusterSpec): V1Container {
  const { mounts } = configVolume(spec.config.sparkMasterConfig);
  return {
    name: SPARK_CONTAINER,
    image: spec.config.sparkImage,
    ...optional('imagePullPolicy', spec.config.imagePullPolicy),
    args: [
      SPARK_CLASS,
      'org.apache.spark.deploy.master.Master',
      '--host',
      '$(POD_IP)',
      '--port',
      String(MASTER_PORT),
      '--webui-port',
      String(MASTER_UI_PORT),
    ],
    env: sparkEnv(spec, 'master', spec.config.sparkMasterConfig),
    securityContext: CONTAINER_SECURITY,
    ...optional('resources', containerResources(spec.config.masterResources)),
    ports: [
      { name: 'spark-master', containerPort: MASTER_PORT, protocol: 'TCP' },
      { name: UI_PORT_NAME, containerPort: MASTER_UI_PORT, protocol: 'TCP' },
      ...(spec.config.metrics === 'false' || spec.config.metrics === 'prometheus'
        ? []
        : [{ name: 'spark-metrics', containerPort: METRICS_PORT, protocol: 'TCP' }]),
    ],
    startupProbe: startupProbe(MASTER_UI_PORT),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    readinessProbe: {
      httpGet: { path: '/', port: MASTER_UI_PORT },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      tcpSocket: { port: MASTER_PORT },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      failureThreshold: 6,
    },
    ...(mounts.length === 0 ? {} : { volumeMounts: mounts }),
  };
}

function workerContainer(spec: ClusterSpec): V1Container {
  const { mounts } = configVolume(spec.config.sparkWorkerConfig);
  return {
    name: SPARK_CONTAINER,
    image: spec.config.sparkImage,
    ...optional('imagePullPolicy', spec.config.imagePullPolicy),
    args: [
      SPARK_CLASS,
      'org.apache.spark.deploy.worker.Worker',
      '--host',
      '$(POD_IP)',
      '--webui-port',
      String(WORKER_UI_PORT),
      masterUrl(spec.name),
    ],
    env: sparkEnv(spec, 'worker', spec.config.sparkWorkerConfig),
    securityContext: CONTAINER_SECURITY,
    ...optional('resources', containerResources(spec.config.workerResources)),
    ports: [
      { name: UI_PORT_NAME, containerPort: WORKER_UI_PORT, protocol: 'TCP' },
      ...(spec.config.metrics === 'false' || spec.config.metrics === 'prometheus'
        ? []
        : [{ name: 'spark-metrics', containerPort: METRICS_PORT, protocol: 'TCP' }]),
    ],
    startupProbe: startupProbe(WORKER_UI_PORT),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    readinessProbe: {
      httpGet: { path: '/', port: WORKER_UI_PORT },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      tcpSocket: { port: WORKER_UI_PORT },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      failureThreshold: 6,
    },
    ...(mounts.length === 0 ? {} : { volumeMounts: mounts }),
  };
}

function deployment(
  spec: ClusterSpec,
  context: RenderContext,
  type: 'master' | 'worker',
  owner: Owner | undefined,
): V1Deployment {
  const name = type === 'master' ? names.master(spec.name) : names.worker(spec.name);
  const replicas = type === 'master' ? spec.config.masterCount : spec.config.workerCount;
  const configMap = type === 'master' ? spec.config.sparkMasterConfig : spec.config.sparkWorkerConfig;
  const { volumes } = configVolume(configMap);
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
          // The master pod checks the image first; workers run the same image and need no second check. The check
          // runs as the master does: the same restrictions and pull policy, and the master's CPU and memory (a JVM
          // starts in it).
          ...(type === 'master'
            ? {
                initContainers: [
                  {
                    ...imageCheckContainer(spec.config.sparkImage),
                    securityContext: CONTAINER_SECURITY,
                    ...optional('imagePullPolicy', spec.config.imagePullPolicy),
                    ...optional('resources', containerResources(spec.config.masterResources)),
                  },
                ],
              }
            : {}),
          containers: [type === 'master' ? masterContainer(spec) : workerContainer(spec)],
          ...(volumes.length === 0 ? {} : { volumes }),
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
