import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { HomeLayout } from './layout.js';
import type { DaemonSpec } from './supervisor.js';
import { archiveOptions, DAEMON_JIT_OPTIONS, imageConfDir, launchArgs, withHeap } from './launch-command.js';
import type { DaemonLaunch, DaemonRecord, DaemonResources, ImageRecord } from './records.js';

export const LOCAL_HOST = '127.0.0.1';
export const MASTER_CLASS = 'org.apache.spark.deploy.master.Master';
export const WORKER_CLASS = 'org.apache.spark.deploy.worker.Worker';

export const DEFAULT_RESOURCES: DaemonResources = {
  workerCores: 1,
  workerMemory: '1g',
  daemonMemory: '256m',
};

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
 * The environment of an image's daemons that is the same for every cluster: what the launcher's answer depends on
 * (`launch-cache.ts` keys it by this). The user's SPARK_DAEMON_JAVA_OPTS and SPARK_MASTER_OPTS are kept.
 */
export function daemonEnv(
  image: Pick<ImageRecord, 'kind' | 'sparkHome' | 'distribution'>,
  resources: DaemonResources,
  baseEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...baseEnv };
  // Set by an outer Spark script, it would stop the image's spark-env.sh from being read.
  delete env.SPARK_ENV_LOADED;
  // A built image's conf dir is what its bin/ wrappers set; any other image reads its distribution's.
  if (image.kind === 'built') env.SPARK_CONF_DIR = imageConfDir(image);
  else delete env.SPARK_CONF_DIR;
  env.SPARK_HOME = image.distribution;
  env.SPARK_LOCAL_IP = LOCAL_HOST;
  env.SPARK_PUBLIC_DNS = LOCAL_HOST;
  env.SPARK_DAEMON_MEMORY = resources.daemonMemory;
  // The REST submission server would take the fixed port 6066 in every cluster: several could not coexist.
  env.SPARK_MASTER_OPTS = joinOptions(baseEnv.SPARK_MASTER_OPTS, '-Dspark.master.rest.enabled=false');
  return env;
}

function joinOptions(...parts: (string | undefined)[]): string {
  return parts.filter((part) => part !== undefined && part !== '').join(' ');
}

/**
 * How a master or worker is started. With a kept launch, bash runs Spark's load-spark-env.sh and execs the JVM
 * directly with the daemon options (C1 only, the archive); without one, the image's `bin/spark-class`, with the
 * JIT options ahead of the user's SPARK_DAEMON_JAVA_OPTS (the user's come later and win either way). `resources`
 * are the cluster's (`clusterResources`): its workers' offer goes in their arguments and its master's heap in the
 * master's command, never in what the kept launch is keyed by (`daemonEnv`), so that every cluster of an image
 * shares one. Pure: everything comes from the arguments.
 */
export function daemonSpec(
  layout: HomeLayout,
  cluster: ClusterIdentity,
  daemon: DaemonRecord,
  image: Pick<ImageRecord, 'kind' | 'sparkHome' | 'distribution'>,
  resources: DaemonResources,
  baseEnv: Readonly<Record<string, string | undefined>>,
  launch?: DaemonLaunch,
): DaemonSpec {
  const env = daemonEnv(image, resources, baseEnv);
  const marker = daemonMarker(cluster, daemon.name);
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
  const daemonArgs =
    daemon.type === 'master'
      ? common
      : [
          ...common,
          '--cores',
          String(resources.workerCores),
          '--memory',
          resources.workerMemory,
          '--work-dir',
          layout.workDir(cluster.name, daemon.name),
          masterUrl(cluster),
        ];
  // The heap spark-class would give the master under SPARK_DAEMON_MEMORY, which it reads and the kept launch holds.
  const masterHeap = daemon.type === 'master' ? resources.masterMemory : undefined;
  if (masterHeap !== undefined) env.SPARK_DAEMON_MEMORY = masterHeap;
  const where = {
    name: daemon.name,
    type: daemon.type,
    env,
    cwd: layout.clusterDir(cluster.name),
    logFile: layout.logFile(cluster.name, daemon.name),
    marker,
  };
  if (launch !== undefined) {
    env.SPARK_DAEMON_JAVA_OPTS = joinOptions(baseEnv.SPARK_DAEMON_JAVA_OPTS, marker);
    const archive = launch.archives?.[daemon.type];
    const ours = [...DAEMON_JIT_OPTIONS, ...(archive === undefined ? [] : archiveOptions(archive)), marker];
    // The worker's executors inherit its environment and the java launcher reads this variable: they map the
    // executors' archive (or run without it when their class path is another). The user's own options come later
    // and win; so does the worker's own -XX:SharedArchiveFile, on its command line.
    if (daemon.type === 'worker' && launch.executorArchive !== undefined)
      env.JDK_JAVA_OPTIONS = joinOptions(...archiveOptions(launch.executorArchive), baseEnv.JDK_JAVA_OPTIONS);
    const command = launch.commands[daemon.type];
    const sized = masterHeap === undefined ? command : withHeap(command, masterHeap);
    return { ...where, command: 'bash', args: launchArgs(sized, ours, daemonArgs) };
  }
  env.SPARK_DAEMON_JAVA_OPTS = joinOptions(...DAEMON_JIT_OPTIONS, baseEnv.SPARK_DAEMON_JAVA_OPTS, marker);
  return {
    ...where,
    command: join(image.sparkHome, 'bin', 'spark-class'),
    args: [daemon.type === 'master' ? MASTER_CLASS : WORKER_CLASS, ...daemonArgs],
  };
}

/** What the master's `/json/` page says, as far as status needs it. */
export interface MasterJson {
  readonly status?: string;
  readonly workers?: readonly { readonly host?: string; readonly port?: number; readonly state?: string }[];
}

/** The master's `/json/`, or undefined when it does not answer within `timeoutMs` on `clock`. */
export async function fetchMasterJson(
  webPort: number,
  clock: Clock,
  timeoutMs = 2000,
): Promise<MasterJson | undefined> {
  try {
    const response = await fetch(`http://${LOCAL_HOST}:${webPort}/json/`, {
      signal: clock.timeout(timeoutMs),
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
