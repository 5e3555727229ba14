/**
 * The benchmark's own line to the test cluster's API server: HTTPS with the admin client certificate from
 * $OSHINKO_KUBE_STATE/certs, keep-alive, loopback only. Used to populate namespaces, to poll a master's /json/
 * through the service proxy, and to wait for pods to go; never by the oshinko server under test.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RealCluster } from '../../test/e2e-kube/real-cluster.js';
import { bodyHeaders, readAnswer, type Response } from '../lib/load.js';

export interface Certificates {
  readonly ca: Buffer;
  readonly adminCert: Buffer;
  readonly adminKey: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
}

export function certificates(cluster: RealCluster): Certificates {
  const dir = join(cluster.state, 'certs');
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    ca: read('ca.crt'),
    adminCert: read('admin.crt'),
    adminKey: read('admin.key'),
    serverCert: read('kube-apiserver.crt'),
    serverKey: read('kube-apiserver.key'),
  };
}

/** The API server's URL, from the cluster's kubeconfig; refused unless it is on the loopback. */
export function apiServerUrl(cluster: RealCluster): string {
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as {
    clusters?: { cluster?: { server?: string } }[];
  };
  const server = config.clusters?.[0]?.cluster?.server;
  if (server === undefined) throw new Error(`${cluster.kubeconfig} names no server`);
  const { hostname, protocol } = new URL(server);
  if (protocol !== 'https:' || (hostname !== '127.0.0.1' && hostname !== 'localhost')) {
    throw new Error(`the benchmark talks to a loopback API server only, not ${server}`);
  }
  return server.replace(/\/$/, '');
}

export class KubeApi {
  private readonly agent: Agent;

  constructor(
    readonly url: string,
    certs: Certificates,
    maxSockets = 16,
  ) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets,
      ca: certs.ca,
      cert: certs.adminCert,
      key: certs.adminKey,
    });
  }

  request(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Response> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        this.url + path,
        {
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: { accept: 'application/json', ...bodyHeaders(payload) },
        },
        (res) => {
          readAnswer(res, resolve, reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${String(timeoutMs)} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A 2xx answer parsed as JSON; anything else is an error that quotes the answer. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request(method, path, body);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${path}: ${String(answer.status)} ${answer.body.slice(0, 300)}`);
    }
    return JSON.parse(answer.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface MasterJson {
  readonly status?: string;
  readonly workers?: readonly { readonly host?: string; readonly state?: string }[];
}

/** The master's own /json/ through the API server's service proxy, as the brief and `kubectl get --raw` read it. */
export async function aliveWorkers(api: KubeApi, namespace: string, cluster: string): Promise<number> {
  const answer = await api.request(
    'GET',
    `/api/v1/namespaces/${namespace}/services/${cluster}-ui:8080/proxy/json/`,
    undefined,
    5_000,
  );
  if (answer.status !== 200) return -1;
  try {
    const json = JSON.parse(answer.body) as MasterJson;
    return (json.workers ?? []).filter((worker) => worker.state === 'ALIVE').length;
  } catch {
    return -1;
  }
}

/** How many pods of the cluster Kubernetes still has (in any phase, terminating included). */
export async function podCount(api: KubeApi, namespace: string, cluster: string): Promise<number> {
  const list = await api.json<{ items: unknown[] }>(
    'GET',
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`oshinko-cluster=${cluster}`)}`,
  );
  return list.items.length;
}
