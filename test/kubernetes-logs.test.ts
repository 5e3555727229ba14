/**
 * A pod's log through the server and the Kubernetes driver, against the fake Kubernetes API: a pod by name, the
 * image check's init container, the previous instance, and a followed log that streams new lines past the request
 * deadline and lets go of the API's stream when the client goes away.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiErrorDetails, ClusterModel } from '../src/client/oshinko-client.js';
import {
  isRunning,
  NAMESPACE,
  startKubeStack,
  waitForCluster,
  type KubeStack,
} from './support/kube-stack.js';

let stack: KubeStack;

beforeAll(async () => {
  // A short deadline, so that a followed log visibly outlives it.
  stack = await startKubeStack({ env: { OSHINKO_REQUEST_TIMEOUT_MS: '1500' } });
});
afterAll(async () => {
  await stack.close();
});

async function apiError(work: Promise<unknown>): Promise<ApiErrorDetails & { message: string }> {
  try {
    await work;
  } catch (error) {
    const api = (error as { api?: ApiErrorDetails }).api;
    if (api === undefined) throw error;
    return { ...api, message: (error as Error).message };
  }
  throw new Error('expected the request to fail');
}

function podOf(cluster: ClusterModel, type: 'master' | 'worker'): string {
  const pod = cluster.pods.find((p) => p.type === type);
  if (pod === undefined) throw new Error(`cluster ${cluster.name} has no ${type} pod`);
  return pod.name;
}

/** Reads a followed log until its text so far matches, then hands back that text. */
async function readUntil(stream: AsyncIterator<string, void>, pattern: RegExp, sofar = ''): Promise<string> {
  let text = sofar;
  while (!pattern.test(text)) {
    const { done, value } = await stream.next();
    if (done === true) throw new Error(`the log ended before ${String(pattern)}; it had:\n${text}`);
    text += value;
  }
  return text;
}

describe('logs on Kubernetes', () => {
  let cluster: ClusterModel;

  beforeAll(async () => {
    await stack.client.createCluster({ name: 'logs', config: { workerCount: 1 } });
    cluster = await waitForCluster(stack.client, 'logs', isRunning);
  });

  it("reads a pod by name, and says which pods there are for one the cluster doesn't have", async () => {
    const worker = podOf(cluster, 'worker');
    expect(await stack.client.logs('logs', { pod: worker, tail: 1 })).toBe(
      'INFO Worker: Successfully registered with master spark://logs:7077\n',
    );
    const error = await apiError(stack.client.logs('logs', { pod: 'logs-w-nope' }));
    expect(error).toMatchObject({ status: 404, field: 'pod' });
    expect(error.message).toContain(`its pods: ${[...cluster.pods.map((p) => p.name)].sort().join(', ')}`);
  });

  it("reads the master's image-check init container, and refuses a container the pod does not have", async () => {
    const master = podOf(cluster, 'master');
    stack.fake.appendPodLog(NAMESPACE, master, 'oshinko-image-check: java 17, spark 3.5.3', 'image-check');
    expect(await stack.client.logs('logs', { container: 'image-check' })).toBe(
      'oshinko-image-check: java 17, spark 3.5.3\n',
    );
    const request = stack.fake.requests.filter((r) => r.verb === 'log').at(-1);
    expect(request?.name).toBe(master);
    const onWorker = await apiError(
      stack.client.logs('logs', { pod: podOf(cluster, 'worker'), container: 'image-check' }),
    );
    expect(onWorker).toMatchObject({ status: 400, field: 'container' });
    expect(onWorker.message).toBe(
      `pod ${podOf(cluster, 'worker')} has no container 'image-check'; its containers: spark`,
    );
  });

  it('reads the previous instance after a restart, and says none is kept before', async () => {
    const worker = podOf(cluster, 'worker');
    const none = await apiError(stack.client.logs('logs', { pod: worker, previous: true }));
    expect(none).toMatchObject({ status: 404, field: 'previous' });
    expect(none.message).toContain(`container spark of pod ${worker} has no previous instance`);
    stack.fake.appendPodLog(NAMESPACE, worker, 'ERROR Worker: out of memory');
    stack.fake.restartContainer(NAMESPACE, worker);
    expect(await stack.client.logs('logs', { pod: worker, previous: true, tail: 1 })).toBe(
      'ERROR Worker: out of memory\n',
    );
    expect(await stack.client.logs('logs', { pod: worker })).not.toContain('out of memory');
  });

  it('refuses a follow or previous that is not true or false, naming the parameter', async () => {
    const details: string[] = [];
    for (const [query, field] of [
      ['follow=yes', 'querystring.follow'],
      ['previous=1', 'querystring.previous'],
      ['container=Spark%20!', 'querystring.container'],
    ] as const) {
      const response = await fetch(`${stack.server.url}/clusters/logs/logs?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { field?: string; details: string }[] };
      expect(body.errors[0]?.field).toBe(field);
      details.push(body.errors[0]?.details ?? '');
    }
    expect(details).toMatchInlineSnapshot(`
      [
        "invalid querystring.follow "yes": expected true or false",
        "invalid querystring.previous "1": expected true or false",
        "invalid querystring.container "Spark !": expected spark or image-check",
      ]
    `);
  });

  it('follows a log past the request deadline, and closes the API stream when the client goes away', async () => {
    const master = podOf(cluster, 'master');
    const abort = new AbortController();
    const stream = stack.client.followLogs('logs', { tail: 1 }, abort.signal)[Symbol.asyncIterator]();
    let text = await readUntil(stream, /elected leader/);
    expect(stack.fake.openLogFollows()).toBe(1);
    const follow = stack.fake.requests.filter((r) => r.verb === 'log').at(-1);
    expect(follow?.name).toBe(master);

    // A request the fake answers late is cut by the deadline (504): the deadline has passed for the follow too.
    stack.fake.failRequest({ verb: 'log', delayMs: 4000 });
    const late = await apiError(stack.client.logs('logs'));
    expect(late.status).toBe(504);

    stack.fake.appendPodLog(NAMESPACE, master, 'INFO Master: Registering app etl');
    text = await readUntil(stream, /Registering app etl\n/, text);
    expect(text.split('\n').slice(-2)).toEqual(['INFO Master: Registering app etl', '']);

    abort.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await vi.waitFor(() => {
      expect(stack.fake.openLogFollows()).toBe(0);
    });
  });

  it('ends a followed log when its pod goes', async () => {
    await stack.client.createCluster({ name: 'ending', config: { workerCount: 0 } });
    await waitForCluster(stack.client, 'ending', isRunning);
    const stream = stack.client.followLogs('ending')[Symbol.asyncIterator]();
    await readUntil(stream, /elected leader/);
    await stack.client.deleteCluster('ending');
    for (;;) {
      const { done } = await stream.next();
      if (done === true) break;
    }
    expect(stack.fake.openLogFollows()).toBe(0);
  });
});

describe('a server closing', () => {
  it('ends the logs it follows, cleanly, instead of waiting for them', async () => {
    const own = await startKubeStack();
    try {
      await own.client.createCluster({ name: 'closing', config: { workerCount: 0 } });
      await waitForCluster(own.client, 'closing', isRunning);
      const stream = own.client.followLogs('closing')[Symbol.asyncIterator]();
      await readUntil(stream, /elected leader/);
      await own.server.close();
      expect(await stream.next()).toEqual({ done: true, value: undefined });
      await vi.waitFor(() => {
        expect(own.fake.openLogFollows()).toBe(0);
      });
    } finally {
      await own.fake.close();
      own.kubeconfig.remove();
    }
  });
});
