import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readClusterStates,
  recordedClusterImages,
  removeClusterDir,
  STATE_VERSION,
  StateFile,
  upgradeState,
} from './cluster-state.js';
import { HomeLayout } from './layout.js';
import { DEFAULT_RESOURCES } from './spark-daemons.js';
import type { ClusterState } from './records.js';

async function tempLayout(): Promise<HomeLayout> {
  return new HomeLayout(await mkdtemp(join(tmpdir(), 'oshinko-state-')));
}

async function record(layout: HomeLayout, dir: string, content: unknown): Promise<void> {
  await mkdir(layout.clusterDir(dir), { recursive: true });
  await writeFile(layout.clusterFile(dir), typeof content === 'string' ? content : JSON.stringify(content));
}

function minimal(name: string, image = 'spark:1'): Partial<ClusterState> {
  return {
    version: STATE_VERSION,
    name,
    image: { ref: image, kind: 'runtime', sparkHome: '/s', distribution: '/s' },
    resources: { workerCores: 1, workerMemory: '1g' },
  };
}

describe('cluster state files', () => {
  it('reads back the states of this version under their own name, skipping the rest', async () => {
    const layout = await tempLayout();
    await record(layout, 'a', minimal('a'));
    await record(layout, 'b', { ...minimal('b'), version: STATE_VERSION + 1 });
    await record(layout, 'c', minimal('not-c'));
    await record(layout, 'd', '{ torn');
    await record(layout, '.removing-e-1234', minimal('.removing-e-1234'));
    await mkdir(layout.clusterDir('f'));
    expect((await readClusterStates(layout, DEFAULT_RESOURCES)).map((state) => state.name)).toEqual(['a']);
    expect(await readClusterStates(new HomeLayout(join(layout.home, 'none')), DEFAULT_RESOURCES)).toEqual([]);
  });

  it("keeps a cluster's own resources across a write and a read", async () => {
    const layout = await tempLayout();
    await mkdir(layout.clusterDir('a'), { recursive: true });
    const resources = { workerCores: 3, workerMemory: '409m', masterMemory: '768m' };
    const state = { ...minimal('a'), resources, lost: undefined } as ClusterState;
    await new StateFile(layout.clusterFile('a')).write(state);
    const [read] = await readClusterStates(layout, { ...DEFAULT_RESOURCES, workerCores: 8 });
    expect(read?.resources).toEqual(resources);
    expect(read?.version).toBe(STATE_VERSION);
  });

  it('takes back a version 1 state with the server defaults it ran with; skips one of version 2 without resources', async () => {
    const layout = await tempLayout();
    const v1 = { ...minimal('old'), version: 1, resources: undefined };
    await record(layout, 'old', v1);
    await record(layout, 'torn', { ...v1, name: 'torn', version: STATE_VERSION });
    const defaults = { ...DEFAULT_RESOURCES, workerMemory: '2g', masterMemory: '512m' };
    const states = await readClusterStates(layout, defaults);
    expect(states.map((state) => [state.name, state.version, state.resources])).toEqual([
      ['old', STATE_VERSION, { workerCores: 1, workerMemory: '2g', masterMemory: '512m' }],
    ]);
    expect(upgradeState({ ...v1 }, DEFAULT_RESOURCES)?.resources).toEqual({
      workerCores: 1,
      workerMemory: '1g',
    });
    expect(upgradeState({ ...v1, version: 0 }, DEFAULT_RESOURCES)).toBeUndefined();
    expect(upgradeState(undefined, DEFAULT_RESOURCES)).toBeUndefined();
  });

  it("tells each recorded cluster's image, whatever the state's version (the CLI's view)", async () => {
    const layout = await tempLayout();
    await record(layout, 'a', minimal('a', 'team/x:1'));
    await record(layout, 'b', { image: { ref: 'team/y:1' } });
    await record(layout, 'c', { version: STATE_VERSION });
    await record(layout, '.removing-d-1', { image: { ref: 'team/z:1' } });
    const images = await recordedClusterImages(layout);
    expect(images.sort((p, q) => p.cluster.localeCompare(q.cluster))).toEqual([
      { cluster: 'a', image: 'team/x:1' },
      { cluster: 'b', image: 'team/y:1' },
    ]);
  });

  it('writes one state after another, each as it was when asked', async () => {
    const layout = await tempLayout();
    await mkdir(layout.clusterDir('a'), { recursive: true });
    const file = new StateFile(layout.clusterFile('a'));
    const state = { ...minimal('a'), lost: undefined } as ClusterState;
    const writes = [file.write(state)];
    state.lost = 'later';
    writes.push(file.write(state));
    state.lost = 'never written';
    await Promise.all(writes);
    await file.settled();
    expect(JSON.parse(await readFile(layout.clusterFile('a'), 'utf8'))).toMatchObject({ lost: 'later' });
  });

  it('a failed write fails its caller only; the next one goes on', async () => {
    const layout = await tempLayout();
    const file = new StateFile(layout.clusterFile('a'));
    await expect(file.write(minimal('a') as ClusterState)).rejects.toMatchObject({ code: 'ENOENT' });
    await file.settled();
    await mkdir(layout.clusterDir('a'), { recursive: true });
    await file.write(minimal('a') as ClusterState);
    expect(await readClusterStates(layout, DEFAULT_RESOURCES)).toHaveLength(1);
  });

  it('removes a directory, and a missing one is no error', async () => {
    const layout = await tempLayout();
    await record(layout, 'a', minimal('a'));
    await removeClusterDir(layout.clusterDir('a'));
    await removeClusterDir(layout.clusterDir('a'));
    expect(await readdir(layout.clusters)).toEqual([]);
  });
});
