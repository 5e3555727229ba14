/**
 * The two kinds of cluster the local driver benchmark compares, 1 master and 2 workers each: one made with
 * `POST /clusters`, one started by `bare-cluster.sh` with spark-class; each timed from its start to both workers
 * registered, and stopped when asked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { send } from '../lib/load.js';
import { agent, baseEnv, freePort, repo, sparkHome, stopGroup, until, work } from './setup.js';

export interface Started {
  readonly masterUrl: string;
  /** From the start (POST, or the script) to both workers registered. */
  readonly readyMs: number;
  readonly began: number;
  stop(): Promise<void>;
}

export async function bareCluster(): Promise<Started> {
  const dir = mkdtempSync(join(work(), 'bare-'));
  const ports: string[] = [];
  for (let i = 0; i < 6; i++) ports.push(String(await freePort()));
  const began = performance.now();
  const child = spawn(join(repo, 'bench', 'local', 'bare-cluster.sh'), [sparkHome, dir, ...ports], {
    detached: true,
    stdio: 'ignore',
    env: baseEnv,
  });
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('the bare workers', async () => {
      const answer = await send(agent, `http://127.0.0.1:${ports[1] ?? ''}/json/`, 'GET');
      const json = JSON.parse(answer.body) as { workers?: { state?: string }[] };
      return (json.workers ?? []).filter((w) => w.state === 'ALIVE').length >= 2;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    masterUrl: `spark://127.0.0.1:${ports[0] ?? ''}`,
    readyMs: performance.now() - began,
    began,
    stop,
  };
}

interface ClusterAnswer {
  cluster: { status: string; masterUrl: string; workers: { desired: number; ready: number } };
}

export async function clusterReady(url: string, name: string, workers: number): Promise<boolean> {
  const answer = await send(agent, `${url}/clusters/${name}`, 'GET');
  const { cluster } = JSON.parse(answer.body) as ClusterAnswer;
  return cluster.status === 'Running' && cluster.workers.ready === workers;
}

async function deleteCluster(url: string, name: string): Promise<void> {
  const deleted = await send(agent, `${url}/clusters/${name}`, 'DELETE');
  if (deleted.status !== 204) throw new Error(`delete failed: ${String(deleted.status)} ${deleted.body}`);
}

/** Asks the server for a cluster of `workers` workers. */
export async function createCluster(url: string, name: string, workers: number): Promise<void> {
  const created = await send(agent, `${url}/clusters`, 'POST', { name, config: { workerCount: workers } });
  if (created.status !== 201) throw new Error(`create failed: ${String(created.status)} ${created.body}`);
}

export async function oshinkoCluster(url: string, name: string, workers = 2): Promise<Started> {
  const began = performance.now();
  await createCluster(url, name, workers);
  const stop = () => deleteCluster(url, name);
  try {
    await until(`cluster ${name}`, () => clusterReady(url, name, workers));
  } catch (error) {
    await stop();
    throw error;
  }
  const readyMs = performance.now() - began;
  const { cluster } = JSON.parse((await send(agent, `${url}/clusters/${name}`, 'GET')).body) as ClusterAnswer;
  return { masterUrl: cluster.masterUrl, readyMs, began, stop };
}

/** Deletes every cluster the server has (the daemons outlive the server by design). */
export async function deleteAll(url: string): Promise<void> {
  const cleanup = new Agent({ keepAlive: false });
  const listed = await send(cleanup, `${url}/clusters`, 'GET').catch(() => undefined);
  const left =
    listed?.status === 200 ? (JSON.parse(listed.body) as { clusters: { name: string }[] }).clusters : [];
  for (const { name } of left) await send(cleanup, `${url}/clusters/${name}`, 'DELETE');
}
