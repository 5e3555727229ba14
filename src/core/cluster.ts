/** The domain model of a Spark cluster, independent of where it runs. */
import type { ClusterConfig } from './cluster-settings.js';

export type { ClusterConfig } from './cluster-settings.js';
export {
  IMAGE_USER,
  MAX_UID,
  METRICS_MODES,
  PULL_POLICIES,
  SPARK_IMAGE_UID,
  type MetricsMode,
  type PullPolicy,
  type RunAsUser,
} from './setting-values.js';

/** Where the cluster's image came from: the request, a stored configuration, or the server default. */
export type ImageSource = 'request' | 'stored-config' | 'default';

export interface ResolvedClusterConfig {
  readonly config: ClusterConfig;
  readonly imageSource: ImageSource;
  /** Name of the stored configuration the cluster started from, if any was named. */
  readonly storedConfig: string | undefined;
  /** Where `config.imagePullSecrets` came from (an error names it); known at create time only. */
  readonly pullSecretsSource?: ImageSource | undefined;
}

/** What a driver is asked to create. */
export interface ClusterSpec extends ResolvedClusterConfig {
  readonly name: string;
}

export type PodType = 'master' | 'worker';

/** One Spark daemon: a Kubernetes pod or a local process. */
export interface PodState {
  readonly name: string;
  readonly type: PodType;
  readonly ip: string;
  /** Phase or, when it explains more, the waiting reason: Running, Pending, ImagePullBackOff, Restarting ... */
  readonly status: string;
  /**
   * Observed: the daemon is up (the pod is Ready, the local process runs). In a ClusterView a worker is ready only
   * when it is also `registered` (see `deriveStatus`).
   */
  readonly ready: boolean;
  /**
   * Workers: the Spark master lists this worker as ALIVE. A worker counts as ready only when it is (a worker whose
   * web UI answers may still have failed to reach the master); a driver that cannot tell leaves it unset.
   */
  readonly registered?: boolean | undefined;
  /** The image the daemon really runs. */
  readonly image: string;
  readonly restarts: number;
  readonly reason?: string | undefined;
  /** Local driver: the process id. */
  readonly pid?: number | undefined;
  /**
   * The daemon was restarted before it ever served Spark (its web UI never answered in the time allowed, or it
   * exited): it will not come up by itself, and `reason` says how its last run ended.
   */
  readonly failedToServe?: boolean | undefined;
}

export interface ReplicaCount {
  readonly desired: number;
  readonly ready: number;
}

/** The versions an image carries, as its own tools print them; a tool the image lacks is left out. */
export interface ImageVersions {
  readonly spark?: string | undefined;
  readonly scala?: string | undefined;
  readonly java?: string | undefined;
  readonly python?: string | undefined;
}

/**
 * What the check of a cluster's image found (see docs/custom-images.md): it passed with the versions the image
 * carries, or it failed with what the image lacks (`problem`, e.g. "has no /opt/spark/bin/spark-class").
 */
export type ImageCheck =
  | { readonly result: 'passed'; readonly versions: ImageVersions }
  | { readonly result: 'failed'; readonly problem: string };

/** What a driver observes about a cluster; the status is derived from it by `deriveStatus`. */
export interface ClusterObservation {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly imageSource: ImageSource;
  readonly storedConfig: string | undefined;
  readonly createdAt: string;
  readonly masterUrl: string;
  readonly masterWebUrl: string;
  readonly masterWebRoute: string | undefined;
  readonly pods: readonly PodState[];
  /** Objects the cluster should have and does not (e.g. "Service spark-ui"): the cluster is Incomplete. */
  readonly missing: readonly string[];
  /** Why the driver could not learn from the master which workers are registered (master not ready, no answer). */
  readonly registrationProblem?: string | undefined;
  /**
   * Set while workers that were there before the current master are not registered with it: the master pod was
   * replaced or its container restarted (when, how), and running applications were lost with it.
   */
  readonly masterRestarted?: string | undefined;
  /** Set by a driver when it knows the cluster is gone but still has a record of it (e.g. after a restart). */
  readonly lost?: string | undefined;
  /** Set by a driver while a deleted cluster still has objects (pods stopping): what is left. */
  readonly deleting?: string | undefined;
  /** Recent events or messages, newest last, where the driver has them. */
  readonly events?: readonly ClusterEvent[] | undefined;
  /** The check of the image, once it ran (Kubernetes: in the master pod; local: from the image store). */
  readonly imageCheck?: ImageCheck | undefined;
}

export interface ClusterEvent {
  readonly time: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly object?: string | undefined;
}

export type ClusterPhase =
  | 'Creating'
  | 'Running'
  | 'Recovering'
  | 'Scaling'
  | 'Degraded'
  | 'Incomplete'
  | 'Stopped'
  | 'Deleting'
  | 'Lost';

/** A cluster as the API reports it: the observation plus derived status and counts. */
export interface ClusterView extends ClusterObservation {
  readonly status: ClusterPhase;
  readonly reason: string | undefined;
  readonly image: string;
  readonly customImage: boolean;
  /** The versions the image carries, once its check passed: the ones to submit applications with. */
  readonly sparkVersion?: string | undefined;
  readonly scalaVersion?: string | undefined;
  readonly javaVersion?: string | undefined;
  readonly pythonVersion?: string | undefined;
  readonly masters: ReplicaCount;
  readonly workers: ReplicaCount;
}
