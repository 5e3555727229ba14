/**
 * Pure rendering of the pod a master or a worker runs in: its Spark container (arguments, environment, ports,
 * probes, resources), the master's image check, the `restricted` security contexts and the Spark configuration
 * volume. The two roles differ only by the data of `ROLES`. The Deployments around them are cluster-renderer.ts's.
 */
import type * as k8s from '@kubernetes/client-node';
import type { ClusterConfig, ClusterSpec, RunAsUser } from '../../core/cluster.js';
import { IMAGE_USER } from '../../core/cluster.js';
import { masterHeapMiB, workerOffer, type Resources } from '../../core/resources.js';
import { imageCheckContainer } from './image-check.js';
import {
  MASTER_PORT,
  MASTER_UI_PORT,
  METRICS_PORT,
  SPARK_CONFIG_MOUNT,
  SPARK_CONTAINER,
  SPARK_HOME,
  UI_PORT_NAME,
  WORKER_UI_PORT,
  masterUrl,
  masterWebUrl,
} from './labels.js';
import type {
  Plain,
  V1Container,
  V1EnvVar,
  V1PodSecurityContext,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from './kube-types.js';

export type Role = 'master' | 'worker';

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

/** What sets a master's pod apart from a worker's. */
interface RoleShape {
  readonly mainClass: string;
  /** The daemon's arguments after `--host $(POD_IP)`. */
  readonly args: (cluster: string) => string[];
  /** Ports besides the web UI's (listed first) and the metrics port. */
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly uiPort: number;
  /** The port whose silence means the daemon is dead. */
  readonly livenessPort: number;
  /** The ConfigMap of Spark configuration files mounted into the role's pods ('' for none). */
  readonly configMap: (config: ClusterConfig) => string;
  readonly resources: (config: ClusterConfig) => Resources | undefined;
  /** The role's own environment, after the variables every daemon gets. */
  readonly env: (spec: ClusterSpec) => V1EnvVar[];
  /** The master pod checks the image first; workers run the same image and need no second check. */
  readonly checksImage: boolean;
}

const ROLES: Record<Role, RoleShape> = {
  master: {
    mainClass: 'org.apache.spark.deploy.master.Master',
    args: () => ['--port', String(MASTER_PORT), '--webui-port', String(MASTER_UI_PORT)],
    ports: [{ name: 'spark-master', containerPort: MASTER_PORT }],
    uiPort: MASTER_UI_PORT,
    livenessPort: MASTER_PORT,
    configMap: (config) => config.sparkMasterConfig,
    resources: (config) => config.masterResources,
    env: (spec) => {
      const heap = masterHeapMiB(spec.config.masterResources);
      return heap === undefined ? [] : [{ name: 'SPARK_DAEMON_MEMORY', value: `${String(heap)}m` }];
    },
    checksImage: true,
  },
  worker: {
    mainClass: 'org.apache.spark.deploy.worker.Worker',
    args: (cluster) => ['--webui-port', String(WORKER_UI_PORT), masterUrl(cluster)],
    ports: [],
    uiPort: WORKER_UI_PORT,
    livenessPort: WORKER_UI_PORT,
    configMap: (config) => config.sparkWorkerConfig,
    resources: (config) => config.workerResources,
    env: (spec) => {
      const env: V1EnvVar[] = [
        { name: 'SPARK_MASTER_ADDRESS', value: masterUrl(spec.name) },
        { name: 'SPARK_MASTER_UI_ADDRESS', value: masterWebUrl(spec.name) },
        { name: 'SPARK_WORKER_OPTS', value: WORKER_OPTS },
      ];
      // What the worker offers its master is what its container was given (docs/kubernetes.md, "CPU and memory").
      const offer = workerOffer(spec.config.workerResources);
      if (offer.cores !== undefined) env.push({ name: 'SPARK_WORKER_CORES', value: String(offer.cores) });
      if (offer.memoryMiB !== undefined) {
        env.push(
          { name: 'SPARK_WORKER_MEMORY', value: `${String(offer.memoryMiB)}m` },
          { name: 'SPARK_DAEMON_MEMORY', value: `${String(WORKER_DAEMON_HEAP_MIB)}m` },
        );
      }
      return env;
    },
    checksImage: false,
  },
};

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

export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

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

/** Requests and limits alike: what a role is given is what it may use, and what a worker offers. */
function containerResources(resources: Resources | undefined): Plain<k8s.V1ResourceRequirements> | undefined {
  if (resources === undefined || (resources.cpu === undefined && resources.memory === undefined))
    return undefined;
  const amounts: Record<string, string> = {};
  if (resources.cpu !== undefined) amounts.cpu = resources.cpu;
  if (resources.memory !== undefined) amounts.memory = resources.memory;
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function sparkEnv(spec: ClusterSpec, role: RoleShape): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'OSHINKO_SPARK_CLUSTER', value: spec.name },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
    ...role.env(spec),
  ];
  if (spec.config.metrics !== 'false') {
    env.push({ name: 'SPARK_METRICS_ON', value: spec.config.metrics });
    if (spec.config.metrics === 'prometheus')
      env.push({ name: 'SPARK_DAEMON_JAVA_OPTS', value: PROMETHEUS_OPTS });
  }
  if (role.configMap(spec.config) !== '') {
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

function configVolume(configMap: string): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  if (configMap === '') return { volumes: [], mounts: [] };
  return {
    volumes: [{ name: 'spark-config', configMap: { name: configMap } }],
    mounts: [{ name: 'spark-config', mountPath: SPARK_CONFIG_MOUNT, readOnly: true }],
  };
}

function sparkContainer(spec: ClusterSpec, role: RoleShape): V1Container {
  const { mounts } = configVolume(role.configMap(spec.config));
  return {
    name: SPARK_CONTAINER,
    image: spec.config.sparkImage,
    ...optional('imagePullPolicy', spec.config.imagePullPolicy),
    args: [SPARK_CLASS, role.mainClass, '--host', '$(POD_IP)', ...role.args(spec.name)],
    env: sparkEnv(spec, role),
    securityContext: CONTAINER_SECURITY,
    ...optional('resources', containerResources(role.resources(spec.config))),
    ports: [
      ...role.ports.map((port) => ({ ...port, protocol: 'TCP' })),
      { name: UI_PORT_NAME, containerPort: role.uiPort, protocol: 'TCP' },
      ...(spec.config.metrics === 'false' || spec.config.metrics === 'prometheus'
        ? []
        : [{ name: 'spark-metrics', containerPort: METRICS_PORT, protocol: 'TCP' }]),
    ],
    startupProbe: startupProbe(role.uiPort),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    readinessProbe: {
      httpGet: { path: '/', port: role.uiPort },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      tcpSocket: { port: role.livenessPort },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      failureThreshold: 6,
    },
    ...(mounts.length === 0 ? {} : { volumeMounts: mounts }),
  };
}

export interface RolePod {
  initContainers?: V1Container[];
  containers: V1Container[];
  volumes?: V1Volume[];
}

/** The containers and volumes of a role's pod; the spec's `runAsUser` is the one its pods get. */
export function rolePod(spec: ClusterSpec, type: Role): RolePod {
  const role = ROLES[type];
  const { volumes } = configVolume(role.configMap(spec.config));
  return {
    // The check runs as the master does: the same restrictions and pull policy, and the master's CPU and memory
    // (a JVM starts in it).
    ...(role.checksImage
      ? {
          initContainers: [
            {
              ...imageCheckContainer(spec.config.sparkImage),
              securityContext: CONTAINER_SECURITY,
              ...optional('imagePullPolicy', spec.config.imagePullPolicy),
              ...optional('resources', containerResources(role.resources(spec.config))),
            },
          ],
        }
      : {}),
    containers: [sparkContainer(spec, role)],
    ...(volumes.length === 0 ? {} : { volumes }),
  };
}
