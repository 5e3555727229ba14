import type { ClusterModel, ClusterSummary } from '../api/schemas.js';
import type { ClusterView } from '../core/cluster.js';

/** Maps the domain view to the upstream-compatible wire shapes (booleans as "true"/"false" strings). */
export function toClusterModel(view: ClusterView): ClusterModel {
  const { config } = view;
  return {
    name: view.name,
    href: `/clusters/${view.name}`,
    status: view.status,
    ...(view.reason === undefined ? {} : { reason: view.reason }),
    config: {
      ...(view.storedConfig === undefined ? {} : { name: view.storedConfig }),
      masterCount: config.masterCount,
      workerCount: config.workerCount,
      sparkMasterConfig: config.sparkMasterConfig,
      sparkWorkerConfig: config.sparkWorkerConfig,
      sparkImage: config.sparkImage,
      exposeWebUI: config.exposeWebUI ? 'true' : 'false',
      metrics: config.metrics,
      ...(config.imagePullPolicy === undefined ? {} : { imagePullPolicy: config.imagePullPolicy }),
      ...(config.runAsUser === undefined ? {} : { runAsUser: config.runAsUser }),
      ...(config.imagePullSecrets === undefined ? {} : { imagePullSecrets: [...config.imagePullSecrets] }),
      ...(config.nodeSelector === undefined ? {} : { nodeSelector: config.nodeSelector }),
      ...(config.tolerations === undefined ? {} : { tolerations: [...config.tolerations] }),
      ...(config.labels === undefined ? {} : { labels: config.labels }),
      ...(config.annotations === undefined ? {} : { annotations: config.annotations }),
      ...(config.env === undefined ? {} : { env: [...config.env] }),
      ...(config.masterResources === undefined ? {} : { masterResources: config.masterResources }),
      ...(config.workerResources === undefined ? {} : { workerResources: config.workerResources }),
    },
    image: view.image,
    customImage: view.customImage,
    imageSource: view.imageSource,
    ...(view.sparkVersion === undefined ? {} : { sparkVersion: view.sparkVersion }),
    ...(view.scalaVersion === undefined ? {} : { scalaVersion: view.scalaVersion }),
    ...(view.javaVersion === undefined ? {} : { javaVersion: view.javaVersion }),
    ...(view.pythonVersion === undefined ? {} : { pythonVersion: view.pythonVersion }),
    masterUrl: view.masterUrl,
    masterWebUrl: view.masterWebUrl,
    ...(view.masterWebRoute === undefined ? {} : { masterWebRoute: view.masterWebRoute }),
    masters: view.masters,
    workers: view.workers,
    pods: view.pods.map((pod) => ({
      name: pod.name,
      ip: pod.ip,
      type: pod.type,
      status: pod.status,
      ready: pod.ready,
      image: pod.image,
      restarts: pod.restarts,
      ...(pod.reason === undefined ? {} : { reason: pod.reason }),
      ...(pod.pid === undefined ? {} : { pid: pod.pid }),
    })),
    ...(view.events === undefined ? {} : { events: view.events.map((event) => ({ ...event })) }),
    createdAt: view.createdAt,
  };
}

/** Summaries by view: unchanged clusters keep their view objects (see ClusterService), and so their summaries. */
const summaries = new WeakMap<ClusterView, ClusterSummary>();

export function toClusterSummary(view: ClusterView): ClusterSummary {
  let summary = summaries.get(view);
  if (summary === undefined) {
    summary = summaryOf(view);
    summaries.set(view, summary);
  }
  return summary;
}

function summaryOf(view: ClusterView): ClusterSummary {
  return {
    name: view.name,
    href: `/clusters/${view.name}`,
    status: view.status,
    ...(view.reason === undefined ? {} : { reason: view.reason }),
    masterCount: view.config.masterCount,
    workerCount: view.config.workerCount,
    workersReady: view.workers.ready,
    masterUrl: view.masterUrl,
    masterWebUrl: view.masterWebUrl,
    ...(view.masterWebRoute === undefined ? {} : { masterWebRoute: view.masterWebRoute }),
    image: view.image,
    customImage: view.customImage,
    imageSource: view.imageSource,
    createdAt: view.createdAt,
  };
}
