/**
 * A cluster's persisted state, `clusters/<name>/cluster.json`: its shape, reading the recorded ones back, writing
 * one (atomically, one write after another), removing a cluster's directory.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './files.js';
import type { HomeLayout } from './layout.js';
import type { ClusterImage, ClusterResources, ClusterState, DaemonResources } from './records.js';

/**
 * The version written. 2 added `resources`; a server of version 1 skips these files rather than run a cluster's
 * workers with other offers than it was created with.
 */
export const STATE_VERSION = 2;

/** Directories under `clusters/` that may hold a cluster (not hidden: those are being removed). */
async function clusterDirNames(layout: HomeLayout): Promise<string[]> {
  const entries = await readdir(layout.clusters, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((e) => e.name);
}

/**
 * A recorded state as this version holds it, or undefined when it cannot take it back. Version 1 had no per-cluster
 * resources: its clusters ran with the server's `defaults`, which they keep.
 */
export function upgradeState(recorded: unknown, defaults: DaemonResources): ClusterState | undefined {
  const state = recorded as (Omit<ClusterState, 'resources'> & { resources?: ClusterResources }) | undefined;
  if (state?.version === STATE_VERSION && state.resources !== undefined) return state as ClusterState;
  if (state?.version !== 1) return undefined;
  const { workerCores, workerMemory, masterMemory } = defaults;
  return {
    ...state,
    version: STATE_VERSION,
    resources: { workerCores, workerMemory, ...(masterMemory === undefined ? {} : { masterMemory }) },
  };
}

/**
 * The states recorded under `clusters/` that this version can take back: readable, of its version (or an older one
 * it upgrades, with the server's `defaults`) and name.
 */
export async function readClusterStates(
  layout: HomeLayout,
  defaults: DaemonResources,
): Promise<ClusterState[]> {
  const states: ClusterState[] = [];
  for (const name of await clusterDirNames(layout)) {
    const recorded: unknown = await readJsonIfExists(layout.clusterFile(name)).catch(() => undefined);
    const state = upgradeState(recorded, defaults);
    if (state?.name === name) states.push(state);
  }
  return states;
}

/**
 * Which image each recorded cluster uses, read from the state files: what the image store goes by when no server
 * (no driver) tells it. Any state naming an image counts, whatever its version.
 */
export async function recordedClusterImages(layout: HomeLayout): Promise<ClusterImage[]> {
  const out: ClusterImage[] = [];
  for (const name of await clusterDirNames(layout)) {
    const state = (await readJsonIfExists(layout.clusterFile(name)).catch(() => undefined)) as
      { image?: { ref?: string } } | undefined;
    const image = state?.image?.ref;
    if (image !== undefined) out.push({ cluster: name, image });
  }
  return out;
}

/** Writes one cluster's state file, each write after the one before, so an older state never lands last. */
export class StateFile {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Writes a copy of `state` as it is now (later changes to it are the next write's). */
  write(state: ClusterState): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(state)) as ClusterState;
    this.writing = this.writing.catch(() => undefined).then(() => writeJsonAtomic(this.path, snapshot));
    return this.writing;
  }

  /** Settles when the writes under way are done, whatever their outcome. */
  settled(): Promise<void> {
    return this.writing.catch(() => undefined);
  }
}

/** Removes a cluster's directory; it is hidden first, so a crash half-way never leaves what looks like a cluster. */
export async function removeClusterDir(dir: string): Promise<void> {
  const trash = join(dirname(dir), `.removing-${basename(dir)}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(dir, trash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
}
