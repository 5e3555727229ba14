/**
 * Pure: what the Kubernetes API listed becomes one ClusterObservation per cluster. The status itself is derived
 * in the core (`deriveStatus`) from these facts.
 */
import type * as k8s from '@kubernetes/client-node';
import {
  IMAGE_USER,
  PULL_POLICIES,
  SPARK_IMAGE_UID,
  type ClusterEvent,
  type ClusterObservation,
  type ImageCheck,
  type PodState,
  type PullPolicy,
  type ResolvedClusterConfig,
} from '../../core/cluster.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import { STARTUP_SECONDS } from './spark-pod.js';
import { decodeClusterConfig, runAsUserOf } from './config-annotation.js';
import type { Plain, V1Deployment, V1Ingress, V1ObjectMeta, V1Route, V1Service } from './kube-types.js';

export type V1Pod = Plain<k8s.V1Pod>;
export type CoreV1Event = Plain<k8s.CoreV1Event>;
type V1ContainerStatus = Plain<k8s.V1ContainerStatus>;
type V1ContainerStateTerminated = Plain<k8s.V1ContainerStateTerminated>;
import { imageCheckOf, lastLines } from './image-check.js';
import {
  CLUSTER_LABEL,
  CONFIG_ANNOTATION,
  SPARK_CONTAINER,
  TYPE_LABEL,
  masterUrl,
  masterWebUrl,
  names,
} from './labels.js';
import { applyRegistration, type RegistrationFacts } from './worker-registration.js';

/** What the master last said about its workers, by cluster (the registration poller's facts). */
export type RegistrationLookup = (cluster: string) => RegistrationFacts | undefined;

export interface ClusterObjects {
  readonly deployments: readonly V1Deployment[];
  readonly pods: readonly V1Pod[];
  readonly services: readonly V1Service[];
  /** undefined when the cluster has no route API. */
  readonly routes: readonly V1Route[] | undefined;
  /** undefined when no Ingress is configured. */
  readonly ingresses: readonly V1Ingress[] | undefined;
  readonly events?: readonly CoreV1Event[] | undefined;
}

function clusterOf(meta: V1ObjectMeta | undefined): string | undefined {
  return meta?.labels?.[CLUSTER_LABEL];
}

function time(value: Date | string | undefined): string {
  if (value === undefined) return '';
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * A running pod that Kubernetes marked not ready while its containers are: only the node lifecycle controller does
 * that (our pods have no readiness gates), when the node's kubelet stopped reporting. Says which node and since when.
 */
function nodeNotReady(pod: V1Pod): string | undefined {
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const containers = conditions.find((c) => c.type === 'ContainersReady');
  if (ready?.status !== 'False' || containers?.status !== 'True') return undefined;
  const since = ready.lastTransitionTime === undefined ? '' : ` since ${time(ready.lastTransitionTime)}`;
  return `node ${pod.spec?.nodeName ?? '(unknown)'} is not ready: Kubernetes marked the pod not ready${since} while its containers run (the node's kubelet stopped reporting)`;
}

function seconds(run: V1ContainerStateTerminated): number | undefined {
  const started = Date.parse(time(run.startedAt));
  const finished = Date.parse(time(run.finishedAt));
  return Number.isNaN(started) || Number.isNaN(finished)
    ? undefined
    : Math.round((finished - started) / 1000);
}

/**
 * How the previous run of a daemon ended, as the kubelet kept it: exit code, how long it ran, and the end of its
 * log (the Spark containers' termination message falls back to the log's last lines).
 */
export function lastRunOf(status: V1ContainerStatus, run: V1ContainerStateTerminated): string {
  const ran = seconds(run);
  const how = `exit code ${String(run.exitCode)}${run.reason === undefined || run.reason === 'Error' ? '' : ` (${run.reason})`}`;
  const log = lastLines((run.message ?? '').split('\n'), 3);
  const restarts = `restarted ${String(status.restartCount)} ${status.restartCount === 1 ? 'time' : 'times'}`;
  return `not serving Spark: ${restarts}, not up since; its last run ended with ${how}${ran === undefined ? '' : ` after ${String(ran)} s`}${
    log === ''
      ? ' and printed nothing: the Spark daemon never started (does the image entrypoint run its arguments?)'
      : `; its log ends: ${log}`
  }`;
}

/**
 * What the kubelet says of an image whose user is a name while the pod sets no UID (`USER spark`, as the official
 * Spark images have): it cannot verify `runAsNonRoot` and never starts the container.
 */
const NON_NUMERIC_USER = /image has non-numeric user \(([^)]*)\)/;

/** A waiting container's message, with what to do where the kubelet's words alone do not say it. */
export function waitingMessage(reason: string, message: string | undefined): string | undefined {
  const user =
    reason === 'CreateContainerConfigError' ? NON_NUMERIC_USER.exec(message ?? '')?.[1] : undefined;
  if (user === undefined) return message;
  return `image runs as user '${user}' (not numeric) and runAsNonRoot cannot verify it: set config.runAsUser to its numeric uid (${String(SPARK_IMAGE_UID)} for the official Spark images); the kubelet says: ${message ?? ''}`;
}

/** Pod state as users need it: the waiting reason (ImagePullBackOff, CrashLoopBackOff ...) before the phase. */
export function podState(pod: V1Pod): PodState | undefined {
  const type = pod.metadata?.labels?.[TYPE_LABEL];
  if (type !== 'master' && type !== 'worker') return undefined;
  const statuses: V1ContainerStatus[] = pod.status?.containerStatuses ?? [];
  const spark = statuses.find((status) => status.name === SPARK_CONTAINER) ?? statuses[0];
  const container = pod.spec?.containers.find((c) => c.name === SPARK_CONTAINER) ?? pod.spec?.containers[0];
  let status = pod.status?.phase ?? 'Pending';
  let reason: string | undefined;
  // While the pod initialises, its init container (the image check) is what waits: for its image, or to restart.
  const init = (pod.status?.initContainerStatuses ?? []).find(
    (s) => s.state?.waiting?.reason !== undefined && s.state.waiting.reason !== 'PodInitializing',
  );
  // A daemon that is not serving after a restart, and whose last run never served either: the kubelet stopped it
  // when its startup time was over (it ran that long, plus the probe's grace), or it keeps failing (it waits to be
  // restarted). A daemon that served for a while and then died (killed, its master gone) is restarting, no more.
  const lastRun = spark?.lastState?.terminated;
  const ran = lastRun === undefined ? undefined : seconds(lastRun);
  const stoppedAtStartup = ran !== undefined && ran >= STARTUP_SECONDS && ran <= STARTUP_SECONDS + 30;
  const failedToServe =
    spark !== undefined &&
    spark.started !== true &&
    spark.restartCount > 0 &&
    lastRun !== undefined &&
    (stoppedAtStartup || spark.state?.waiting !== undefined);
  if (pod.metadata?.deletionTimestamp !== undefined) {
    status = 'Terminating';
  } else if (failedToServe) {
    status = spark.state?.waiting?.reason ?? status;
    reason = lastRunOf(spark, lastRun);
  } else if (init?.state?.waiting?.reason !== undefined) {
    status = init.state.waiting.reason;
    reason = waitingMessage(status, init.state.waiting.message);
  } else if (spark?.state?.waiting?.reason !== undefined) {
    status = spark.state.waiting.reason;
    reason = waitingMessage(status, spark.state.waiting.message);
  } else if (spark?.state?.terminated !== undefined) {
    status = spark.state.terminated.reason ?? 'Terminated';
    reason = spark.state.terminated.message ?? `exit code ${spark.state.terminated.exitCode}`;
  } else if (status === 'Running' && nodeNotReady(pod) !== undefined) {
    status = 'NodeNotReady';
    reason = nodeNotReady(pod);
  } else if (status === 'Pending') {
    const unschedulable = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (unschedulable !== undefined) {
      status = unschedulable.reason ?? 'Unschedulable';
      reason = unschedulable.message;
    }
  }
  const ready =
    pod.metadata?.deletionTimestamp === undefined &&
    (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
  return {
    name: pod.metadata?.name ?? '',
    type,
    ip: pod.status?.podIP ?? '',
    status,
    ready,
    image: container?.image ?? spark?.image ?? '',
    restarts: statuses.reduce((sum, s) => sum + s.restartCount, 0),
    ...(reason === undefined || reason === '' ? {} : { reason }),
    ...(failedToServe && pod.metadata?.deletionTimestamp === undefined ? { failedToServe: true } : {}),
  };
}

function routeUrl(route: V1Route): string | undefined {
  const host = route.status?.ingress?.[0]?.host ?? route.spec.host;
  return host === undefined || host === '' ? undefined : `http://${host}`;
}

function ingressUrl(ingress: V1Ingress): string | undefined {
  const host = ingress.spec?.rules?.[0]?.host;
  return host === undefined || host === '' ? undefined : `http://${host}`;
}

function toEvent(event: CoreV1Event): ClusterEvent {
  return {
    time: time(
      event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp,
    ),
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
  };
}

/** Events that concern the cluster's objects: its deployments, their replica sets and pods, its services. */
function eventsOf(cluster: string, events: readonly CoreV1Event[]): ClusterEvent[] {
  const prefixes = [`${names.master(cluster)}-`, `${names.worker(cluster)}-`];
  const exact = new Set([
    names.master(cluster),
    names.worker(cluster),
    names.masterService(cluster),
    names.uiService(cluster),
    names.metricsService(cluster),
    names.route(cluster),
  ]);
  return events
    .filter((event) => {
      const name = event.involvedObject.name ?? '';
      return exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
    })
    .map(toEvent)
    .sort((a, b) => a.time.localeCompare(b.time))
    .slice(-20);
}

/** Splits a list by cluster label in one pass; objects without the label are left out. */
function byCluster<T extends { metadata?: V1ObjectMeta }>(list: readonly T[] | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const object of list ?? []) {
    const name = clusterOf(object.metadata);
    if (name === undefined) continue;
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [object]);
    else group.push(object);
  }
  return groups;
}

/**
 * Groups the listed objects by cluster and turns each group into an observation. Grouping first keeps this
 * linear in the number of objects (observing each cluster against the whole lists was quadratic).
 */
export function observeClusters(
  objects: ClusterObjects,
  defaultImage: string,
  registration?: RegistrationLookup,
): ClusterObservation[] {
  const deployments = byCluster(objects.deployments);
  const services = byCluster(objects.services);
  const routes = byCluster(objects.routes);
  const ingresses = byCluster(objects.ingresses);
  const pods = byCluster(objects.pods);
  const clusters = new Set([
    ...deployments.keys(),
    ...services.keys(),
    ...routes.keys(),
    ...ingresses.keys(),
  ]);
  return [...clusters].map((name) =>
    observeCluster(
      name,
      {
        deployments: deployments.get(name) ?? [],
        pods: pods.get(name) ?? [],
        services: services.get(name) ?? [],
        routes: objects.routes === undefined ? undefined : (routes.get(name) ?? []),
        ingresses: objects.ingresses === undefined ? undefined : (ingresses.get(name) ?? []),
      },
      defaultImage,
      registration?.(name),
    ),
  );
}

/**
 * A cluster is being deleted once its master Deployment is: oshinko deletes it in the foreground, so it stays (with a
 * deletionTimestamp) until everything it owns, pods included, is gone.
 */
function whatIsLeft(pods: number): string {
  if (pods === 0) return 'waiting for Kubernetes to remove its objects';
  return `${String(pods)} ${pods === 1 ? 'pod' : 'pods'} still stopping`;
}

function millis(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When the cluster is recovering from a master that went away: its container restarted, or the master pod is a
 * replacement, which shows as a worker whose container was already running before the master pod was made (on a
 * first start the master pod always comes first: its Deployment is created before the workers'). Said only while
 * a worker from before the master is not registered with it; workers added later are Creating or Scaling as usual.
 */
function masterRestarted(pods: readonly V1Pod[], states: readonly PodState[]): string | undefined {
  const live = pods.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
  const ofType = (type: string) => live.filter((pod) => pod.metadata?.labels?.[TYPE_LABEL] === type);
  const master = ofType('master').sort(
    (a, b) => (millis(b.metadata?.creationTimestamp) ?? 0) - (millis(a.metadata?.creationTimestamp) ?? 0),
  )[0];
  const created = millis(master?.metadata?.creationTimestamp);
  if (master === undefined || created === undefined) return undefined;
  const spark = (pod: V1Pod) =>
    pod.status?.containerStatuses?.find((status) => status.name === SPARK_CONTAINER) ??
    pod.status?.containerStatuses?.[0];
  const workers = ofType('worker');
  const startedBefore = (pod: V1Pod, at: number) =>
    (millis(spark(pod)?.state?.running?.startedAt) ?? Infinity) < at;
  const restarts = spark(master)?.restartCount ?? 0;
  let how: string;
  let at: number;
  if (restarts > 0) {
    how = `the master container restarted (${String(restarts)} ${restarts === 1 ? 'time' : 'times'})`;
    at = millis(spark(master)?.state?.running?.startedAt) ?? created;
  } else if (workers.some((pod) => startedBefore(pod, created))) {
    how = `the master pod was replaced (by ${master.metadata?.name ?? ''})`;
    at = created;
  } else {
    return undefined;
  }
  const registered = new Set(
    states.filter((pod) => pod.type === 'worker' && pod.registered === true).map((pod) => pod.name),
  );
  const stranded = workers.some(
    (pod) =>
      !registered.has(pod.metadata?.name ?? '') && (millis(pod.metadata?.creationTimestamp) ?? Infinity) < at,
  );
  return stranded ? `${how} at ${new Date(at).toISOString().replace(/\.\d+Z$/, 'Z')}` : undefined;
}

/** `registration`: what the master last said about its workers; without it no worker counts as registered. */
export function observeCluster(
  name: string,
  objects: ClusterObjects,
  defaultImage: string,
  registration?: RegistrationFacts,
): ClusterObservation {
  const mine = <T extends { metadata?: V1ObjectMeta }>(list: readonly T[]) =>
    list.filter((object) => clusterOf(object.metadata) === name);
  const deployments = mine(objects.deployments);
  const master = deployments.find((d) => d.metadata?.name === names.master(name));
  const worker = deployments.find((d) => d.metadata?.name === names.worker(name));
  const resolved: ResolvedClusterConfig = decodeClusterConfig(
    master?.metadata?.annotations?.[CONFIG_ANNOTATION] ?? worker?.metadata?.annotations?.[CONFIG_ANNOTATION],
  ) ?? {
    config: builtinDefaults(
      master?.spec?.template.spec?.containers[0]?.image ??
        worker?.spec?.template.spec?.containers[0]?.image ??
        defaultImage,
    ),
    imageSource: 'default',
    storedConfig: undefined,
  };
  // The Deployments' replicas are the truth about the counts, and their pod template about the pull policy (the API
  // server fills in its default); the annotation records what was asked at create.
  const policy = master?.spec?.template.spec?.containers.find(
    (c) => c.name === SPARK_CONTAINER,
  )?.imagePullPolicy;
  // And about the UID: a cluster made before the pods had one sets none, and runs as its image's user.
  const template = (master ?? worker)?.spec?.template.spec;
  const runAsUser =
    template === undefined
      ? resolved.config.runAsUser
      : (runAsUserOf(template.securityContext?.runAsUser) ?? IMAGE_USER);
  const config = {
    ...resolved.config,
    masterCount: master?.spec?.replicas ?? 0,
    workerCount: worker?.spec?.replicas ?? 0,
    ...(runAsUser === undefined ? {} : { runAsUser }),
    ...((PULL_POLICIES as readonly (string | undefined)[]).includes(policy)
      ? { imagePullPolicy: policy as PullPolicy }
      : {}),
  };
  const services = mine(objects.services);
  const routes = objects.routes === undefined ? undefined : mine(objects.routes);
  const ingresses = objects.ingresses === undefined ? undefined : mine(objects.ingresses);
  const missing: string[] = [];
  if (master === undefined) missing.push(`Deployment ${names.master(name)}`);
  if (worker === undefined) missing.push(`Deployment ${names.worker(name)}`);
  const hasService = (service: string) => services.some((s) => s.metadata?.name === service);
  if (!hasService(names.masterService(name))) missing.push(`Service ${names.masterService(name)}`);
  if (!hasService(names.uiService(name))) missing.push(`Service ${names.uiService(name)}`);
  if (config.metrics !== 'false' && !hasService(names.metricsService(name))) {
    missing.push(`Service ${names.metricsService(name)}`);
  }
  const route = routes?.find((r) => r.metadata.name === names.route(name));
  const ingress = ingresses?.find((i) => i.metadata?.name === names.ingress(name));
  if (config.exposeWebUI && routes !== undefined && route === undefined) {
    missing.push(`Route ${names.route(name)}`);
  }
  if (config.exposeWebUI && routes === undefined && ingresses !== undefined && ingress === undefined) {
    missing.push(`Ingress ${names.ingress(name)}`);
  }
  const rawPods = mine(objects.pods);
  const observed = rawPods
    .map(podState)
    .filter((pod): pod is PodState => pod !== undefined)
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'master' ? -1 : 1));
  const { pods, problem } = applyRegistration(observed, registration);
  const imageCheck = masterImageCheck(mine(objects.pods));
  const deleting = master?.metadata?.deletionTimestamp === undefined ? undefined : whatIsLeft(pods.length);
  const restarted = masterRestarted(rawPods, pods);
  const webRoute =
    route !== undefined ? routeUrl(route) : ingress !== undefined ? ingressUrl(ingress) : undefined;
  return {
    name,
    config,
    imageSource: resolved.imageSource,
    storedConfig: resolved.storedConfig,
    createdAt: time((master ?? worker ?? deployments[0])?.metadata?.creationTimestamp),
    masterUrl: masterUrl(name),
    masterWebUrl: masterWebUrl(name),
    masterWebRoute: webRoute,
    pods,
    missing,
    ...(deleting === undefined ? {} : { deleting }),
    ...(problem === undefined ? {} : { registrationProblem: problem }),
    ...(restarted === undefined ? {} : { masterRestarted: restarted }),
    ...(objects.events === undefined ? {} : { events: eventsOf(name, objects.events) }),
    ...(imageCheck === undefined ? {} : { imageCheck }),
  };
}

/** The image check of the newest master pod that has a result (a replaced master's pod may still be listed). */
function masterImageCheck(pods: readonly V1Pod[]): ImageCheck | undefined {
  const masters = pods
    .filter((pod) => pod.metadata?.labels?.[TYPE_LABEL] === 'master')
    .sort((a, b) => time(b.metadata?.creationTimestamp).localeCompare(time(a.metadata?.creationTimestamp)));
  for (const pod of masters) {
    const check = imageCheckOf(pod);
    if (check !== undefined) return check;
  }
  return undefined;
}
