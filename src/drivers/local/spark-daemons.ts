import { join } from 'node:path';
import type { PodType } from '../../core/cluster.js';
import type { ImageRecord } from './image-store.js';
import type { HomeLayout } from './layout.js';
import type { DaemonSpec } from './supervisor.js';

export const LOCAL_HOST = '127.0.0.1';
export const MASTER_CLASS = 'org.apache.spark.deploy.master.Master';
export const WORKER_CLASS = 'org.apache.spark.deploy.worker.Worker';

/** Sizes of the daemons; small by default so that a laptop runs several clusters. */
export interface DaemonResources {
  readonly workerCores: number;
  readonly workerMemory: string;
  /** Heap of the master and worker JVMs themselves (SPARK_DAEMON_MEMORY). */
  readonly daemonMemory: string;
}

export const DEFAULT_RESOURCES: DaemonResources = {
  workerCores: 1,
  workerMemory: '1g',
  daemonMemory: '256m',
};

/** One daemon of a cluster as persisted: its ports are fixed for its life, so restarts keep its address. */
export interface DaemonRecord {
  readonly name: string;
  readonly type: PodType;
  readonly port: number;
  readonly webPort: number;
  pid: number | undefined;
  restarts: number;
  startedAt: string | undefined;
}

export interface ClusterIdentity {
  readonly name: string;
  /** Random id of this cluster's life; daemons carry it so that a reused pid or a same-named cluster is not ours. */
  readonly uid: string;
  readonly masterPort: number;
}

export function masterUrl(cluster: ClusterIdentity): string {
  return `spark://${LOCAL_HOST}:${cluster.masterPort}`;
}

export function daemonMarker(cluster: ClusterIdentity, daemon: string): string {
  return `-Doshinko.daemon=${cluster.uid}.${daemon}`;
}

/** Environment variables every process of a cluster carries (executors and Python workers inherit them). */
export const CLUSTER_UID_ENV = 'OSHINKO_CLUSTER_UID';

/**
 * How a master or worker is started: the image's `bin/spark-class` with the daemon class and its arguments. Pure:
 * everything comes from the arguments.
 */
export function daemonSpec(
  layout: HomeLayout,
  cluster: ClusterIdentity,
  daemon: DaemonRecord,
  image: Pick<ImageRecord, 'kind' | 'sparkHome' | 'distribution'>,
  resources: DaemonResources,
  baseEnv: Readonly<Record<string, string | undefined>>,
): DaemonSpec {
  const env: Record<string, string | undefined> = { ...baseEnv };
  // Set by an outer Spark script, it would stop the image's spark-env.sh from being read.
  delete env.SPARK_ENV_LOADED;
  if (image.kind !== 'built') delete env.SPARK_CONF_DIR;
  env.SPARK_HOME = image.distribution;
  env.SPARK_LOCAL_IP = LOCAL_HOST;
  env.SPARK_PUBLIC_DNS = LOCAL_HOST;
  env.SPARK_DAEMON_MEMORY = resources.daemonMemory;
  env.SPARK_DAEMON_JAVA_OPTS = [baseEnv.SPARK_DAEMON_JAVA_OPTS, daemonMarker(cluster, daemon.name)]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  // The REST submission server would take the fixed port 6066 in every cluster: several could not coexist.
  env.SPARK_MASTER_OPTS = [baseEnv.SPARK_MASTER_OPTS, '-Dspark.master.rest.enabled=false']
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  env[CLUSTER_UID_ENV] = cluster.uid;
  env.OSHINKO_CLUSTER = cluster.name;
  const common = [
    '--host',
    LOCAL_HOST,
    '--port',
    String(daemon.port),
    '--webui-port',
    String(daemon.webPort),
  ];
  const args =
    daemon.type === 'master'
      ? [MASTER_CLASS, ...common]
      : [
          WORKER_CLASS,
          ...common,
          '--cores',
          String(resources.workerCores),
          '--memory',
          resources.workerMemory,
          '--work-dir',
          layout.workDir(cluster.name, daemon.name),
          masterUrl(cluster),
        ];
  return {
    name: daemon.name,
    type: daemon.type,
    command: join(image.sparkHome, 'bin', 'spark-class'),
    args,
    env,
    cwd: layout.clusterDir(cluster.name),
    logFile: layout.logFile(cluster.name, daemon.name),
    marker: daemonMarker(cluster, daemon.name),
  };
}

/** What the master's `/json/` page says, as far as status needs it. */
export interface MasterJson {
  readonly status?: string;
  readonly workers?: readonly { readonly host?: string; readonly port?: number; readonly state?: string }[];
}

export async function fetchMasterJson(webPort: number, timeoutMs = 2000): Promise<MasterJson | undefined> {
  try {
    const response = await fetch(`http://${LOCAL_HOST}:${webPort}/json/`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    return (await response.json()) as MasterJson;
  } catch {
    return undefined;
  }
}

/** Worker daemons the master lists as ALIVE, by their port. */
export function aliveWorkerPorts(json: MasterJson | undefined): Set<number> {
  const ports = new Set<number>();
  for (const worker of json?.workers ?? []) {
    if (worker.state === 'ALIVE' && worker.host === LOCAL_HOST && worker.port !== undefined)
      ports.add(worker.port);
  }
  return ports;
}
