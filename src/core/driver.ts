import type { Readable } from 'node:stream';
import type { ClusterObservation, ClusterSpec } from './cluster.js';
import type { StoredConfigSource } from './cluster-config.js';

export type DriverKind = 'kubernetes' | 'local';

export interface ReplicaCounts {
  readonly masterCount: number;
  readonly workerCount: number;
}

/** A Spark home registered in the local image store (local driver only). */
export interface LocalImage {
  readonly ref: string;
  /** The image it is layered on, for images made by `oshinko image build`. */
  readonly base: string | undefined;
  readonly sparkHome: string;
  readonly sparkVersion: string | undefined;
  readonly createdAt: string;
  readonly isDefault: boolean;
  readonly jars: readonly string[];
  readonly pyFiles: readonly string[];
  readonly conf: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  /** Clusters that currently run this image. */
  readonly usedBy: readonly string[];
}

export interface LogRequest {
  /** Pod (or process) name; the master when omitted. */
  readonly pod?: string | undefined;
  readonly tailLines: number;
  /** The container (Kubernetes); the Spark one when omitted. */
  readonly container?: string | undefined;
  /** The log of the previous instance (before the last restart). */
  readonly previous?: boolean | undefined;
}

/**
 * Where clusters run. The server, CLI and console talk to this interface only and never learn which driver
 * is behind it. Methods throw the errors of `errors.ts`; a missing cluster is `undefined` / `false`, not a throw.
 */
export interface ClusterDriver {
  readonly kind: DriverKind;
  /** The image clusters get when neither the request nor a stored config names one (before a server override). */
  readonly defaultImage: string;
  readonly storedConfigs: StoredConfigSource;
  /** Facts for `GET /` and the console: namespace, data directory, ... */
  describe(): Readonly<Record<string, string>>;
  /** Throws when the image cannot be used here (the local store lacks it); nothing is created before. */
  checkImage(image: string): Promise<void>;
  /** Creates every object of the cluster or none: on failure what was created is removed. Name taken: ConflictError. */
  create(spec: ClusterSpec): Promise<ClusterObservation>;
  list(): Promise<ClusterObservation[]>;
  /** The names of the existing clusters: what a create checks, without observing every cluster. */
  clusterNames(): Promise<string[]>;
  get(name: string): Promise<ClusterObservation | undefined>;
  /** Changes the replica counts and nothing else. Missing cluster: NotFoundError. */
  scale(name: string, counts: ReplicaCounts): Promise<ClusterObservation>;
  /** Removes every object of the cluster; false when there was no such cluster. */
  delete(name: string): Promise<boolean>;
  logs(name: string, request: LogRequest): Promise<string>;
  /**
   * The log as it grows: its last `tailLines` lines, then each new line, until the pod (process) or the cluster
   * ends. Rejects as `logs` does before any line; destroying the stream (the client went away) lets go of every
   * resource it holds.
   */
  followLogs(name: string, request: LogRequest): Promise<Readable>;
  /** Local images; undefined on drivers without a local image store. */
  listImages?(): Promise<LocalImage[]>;
  close(): Promise<void>;
}
