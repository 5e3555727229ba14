/**
 * Label and annotation keys and values that oshinko puts on Kubernetes objects, the objects' names, ports and
 * addresses: the one place they are named.
 */

/** Upstream label: the cluster an object belongs to. Every object of a cluster has it. */
export const CLUSTER_LABEL = 'oshinko-cluster';
/** Upstream label: master, worker, webui or metrics. */
export const TYPE_LABEL = 'oshinko-type';
/** Upstream annotation on the master Deployment: the effective cluster configuration as JSON. */
export const CONFIG_ANNOTATION = 'oshinko-config';

export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const APP_INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const APP_COMPONENT_LABEL = 'app.kubernetes.io/component';
export const APP_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const APP_PART_OF_LABEL = 'app.kubernetes.io/part-of';

export const APP_NAME = 'spark';
export const MANAGED_BY = 'oshinko';

export type ObjectType = 'master' | 'worker' | 'webui' | 'metrics';

/** Selects every object of every oshinko cluster. */
export const ALL_CLUSTERS_SELECTOR = CLUSTER_LABEL;

export function clusterSelector(name: string): string {
  return `${CLUSTER_LABEL}=${name}`;
}

/** Object names derived from the cluster name. */
export const names = {
  master: (cluster: string) => `${cluster}-m`,
  worker: (cluster: string) => `${cluster}-w`,
  masterService: (cluster: string) => cluster,
  uiService: (cluster: string) => `${cluster}-ui`,
  metricsService: (cluster: string) => `${cluster}-metrics`,
  route: (cluster: string) => `${cluster}-ui-route`,
  ingress: (cluster: string) => `${cluster}-ui`,
};

/** Container ports and where the configuration and Spark live inside the image. */
export const MASTER_PORT = 7077;
export const MASTER_UI_PORT = 8080;
export const WORKER_UI_PORT = 8081;
/** The name of the web UI ports (containers and the `<name>-ui` Service). */
export const UI_PORT_NAME = 'spark-webui';
export const METRICS_PORT = 7777;
export const SPARK_CONTAINER = 'spark';
/** The init container of the master pod that checks the image (see image-check.ts). */
export const IMAGE_CHECK_CONTAINER = 'image-check';
export const SPARK_HOME = '/opt/spark';
export const SPARK_CONFIG_MOUNT = '/etc/oshinko-spark-configs';

/** The master's address inside the namespace, through its Service: what its workers are given. */
export function masterUrl(cluster: string): string {
  return `spark://${names.masterService(cluster)}:${MASTER_PORT}`;
}

export function masterWebUrl(cluster: string): string {
  return `http://${names.uiService(cluster)}:${MASTER_UI_PORT}`;
}
