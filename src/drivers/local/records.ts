/**
 * The shapes of what the local driver records and passes between its parts: images of the store, clusters' states
 * and their daemons, the daemons' sizes and kept launches. Types only, so that the modules that read, write and use
 * them import this one and not each other.
 */
import type { ClusterSpec, PodType } from '../../core/cluster.js';

/** What the store keeps about an image (`images/<dir>/image.json`). */
export interface ImageRecord {
  readonly ref: string;
  /** runtime: the Spark installed by setup or SPARK_HOME; imported: `image import`; built: `image build`. */
  readonly kind: 'runtime' | 'imported' | 'built';
  readonly base: string | undefined;
  /** The directory users and daemons run `bin/spark-class`, `bin/spark-submit` from. */
  readonly sparkHome: string;
  /** The Spark distribution underneath (equal to sparkHome unless built). */
  readonly distribution: string;
  readonly sparkVersion: string | undefined;
  readonly createdAt: string;
  /** Absolute paths of the extra jars (this image's and its bases'). */
  readonly jars: readonly string[];
  /** Absolute paths of the extra Python files or packages. */
  readonly pyFiles: readonly string[];
  readonly conf: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/** A cluster and the image it runs. */
export interface ClusterImage {
  readonly cluster: string;
  readonly image: string;
}

/** Sizes of the daemons; small by default so that a laptop runs several clusters. */
export interface DaemonResources {
  readonly workerCores: number;
  readonly workerMemory: string;
  /** Heap of the master and worker JVMs themselves (SPARK_DAEMON_MEMORY). */
  readonly daemonMemory: string;
  /** The master's heap when it is not `daemonMemory` (a cluster's `masterResources.memory`). */
  readonly masterMemory?: string | undefined;
}

/** What a cluster sets of its daemons' sizes, fixed when it is created (its state keeps it, cluster-state.ts). */
export type ClusterResources = Pick<DaemonResources, 'workerCores' | 'workerMemory' | 'masterMemory'>;

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

/**
 * A daemon's launch from a kept launcher answer (`launch-cache.ts`): the command per daemon type, and the
 * class-data-sharing archive per type when there is one.
 */
export interface DaemonLaunch {
  readonly commands: Readonly<Record<PodType, readonly string[]>>;
  readonly archives: Readonly<Record<PodType, string>> | undefined;
  /** The executors' archive, which a worker's executors are given through `JDK_JAVA_OPTIONS`. */
  readonly executorArchive?: string | undefined;
}

/** A cluster as persisted in `clusters/<name>/cluster.json`. */
export interface ClusterState {
  readonly version: number;
  readonly uid: string;
  readonly name: string;
  config: ClusterSpec['config'];
  readonly imageSource: ClusterSpec['imageSource'];
  readonly storedConfig: string | undefined;
  readonly createdAt: string;
  readonly image: Pick<ImageRecord, 'ref' | 'kind' | 'sparkHome' | 'distribution'>;
  readonly masterPort: number;
  readonly masterWebPort: number;
  /** Its workers' offer and its master's heap, as set when it was created: restarts and new workers get the same. */
  readonly resources: ClusterResources;
  daemons: DaemonRecord[];
  lost: string | undefined;
}
