import type { ClusterModel, ClusterSummary } from '../api/schemas.js';
import type { ClusterView } from '../core/cluster.js';
import { SETTINGS, wireValue } from '../core/cluster-settings.js';

/** Maps the domain view to the upstream-compatible wire shapes (booleans as "true"/"false" strings). */
export function toClusterModel(view: ClusterView): ClusterModel {
  return {
    name: view.name,
    href: `/clusters/${view.name}`,
    status: view.status,
    ...(view.reason === undefined ? {} : { reason: view.reason }),
    config: configModel(view),
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

/** The cluster's `config` on the wire: the stored configuration it started from and each setting it has. */
function configModel(view: ClusterView): ClusterModel['config'] {
  const config = view.config as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = view.storedConfig === undefined ? {} : { name: view.storedConfig };
  for (const row of SETTINGS) {
    const value = config[row.key];
    if (value !== undefined) out[row.key] = wireValue(row, value);
  }
  return out as ClusterModel['config'];
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
