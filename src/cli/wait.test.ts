import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OshinkoClient, type ClusterModel } from '../client/oshinko-client.js';
import { TimeoutError } from '../core/errors.js';
import type { CliIo } from './io.js';
import {
  ClusterFailedError,
  hasReadyWorkers,
  waitForCluster,
  waitForDeletion,
  type PollClock,
} from './wait.js';

function cluster(
  status: ClusterModel['status'],
  workersReady: number,
  overrides: Partial<ClusterModel> = {},
): ClusterModel {
  return {
    name: 'spark1',
    href: '/clusters/spark1',
    status,
    config: {
      masterCount: 1,
      workerCount: 2,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'docker.io/apache/spark:3.5.3',
      exposeWebUI: 'true',
      metrics: 'false',
    },
    image: 'docker.io/apache/spark:3.5.3',
    customImage: false,
    imageSource: 'default',
    masterUrl: 'spark://spark1:7077',
    masterWebUrl: 'http://spark1-ui:8080',
    masters: { desired: 1, ready: status === 'Creating' && workersReady === 0 ? 0 : 1 },
    workers: { desired: 2, ready: workersReady },
    pods: [],
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A client whose HTTP answers are the given responses in turn (the last one repeats). */
function scriptedClient(answers: (ClusterModel | 404)[]): OshinkoClient {
  let call = 0;
  const fetchStub: typeof fetch = () => {
    const answer = answers[Math.min(call, answers.length - 1)];
    call += 1;
    const response =
      answer === 404 || answer === undefined
        ? new Response(
            JSON.stringify({ errors: [{ status: 404, title: 'cannot get cluster', details: 'gone' }] }),
            {
              status: 404,
            },
          )
        : new Response(JSON.stringify({ cluster: answer }), { status: 200 });
    return Promise.resolve(response);
  };
  return new OshinkoClient('http://oshinko.test', { fetch: fetchStub });
}

function capture(isTTY: boolean): { io: CliIo; output: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { io: { stdout, stderr: new PassThrough(), env: {} }, output: () => text };
}

const FAST = { timeoutMs: 5000, intervalMs: 1 };

describe('waiting for a cluster', () => {
  const states = [
    cluster('Creating', 0),
    cluster('Creating', 0),
    cluster('Creating', 1),
    cluster('Running', 2),
  ];

  it('prints one plain line per change when not on a terminal', async () => {
    const { io, output } = capture(false);
    const ready = await waitForCluster(scriptedClient(states), 'spark1', io, FAST);
    expect(ready.status).toBe('Running');
    expect(output().split('\n')).toEqual([
      'cluster "spark1": Creating, master 0/1, workers 0/2 ready',
      'cluster "spark1": Creating, master 1/1, workers 1/2 ready',
      'cluster "spark1": Running, master 1/1, workers 2/2 ready',
      '',
    ]);
  });

  it('rewrites one line on a terminal and ends it', async () => {
    const { io, output } = capture(true);
    await waitForCluster(scriptedClient(states), 'spark1', io, FAST);
    const text = output();
    expect(text.split(`\r${String.fromCharCode(27)}[2K`)).toHaveLength(5);
    expect(text).toMatch(/workers 2\/2 ready \(\d+s\)\n$/);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('stops at once with the reason when the cluster cannot come up', async () => {
    const { io } = capture(false);
    const degraded = cluster('Degraded', 0, { reason: 'spark1-w-x: ImagePullBackOff' });
    await expect(
      waitForCluster(scriptedClient([cluster('Creating', 0), degraded]), 'spark1', io, FAST),
    ).rejects.toThrow(ClusterFailedError);
    await expect(waitForCluster(scriptedClient([degraded]), 'spark1', io, FAST)).rejects.toThrow(
      /is Degraded: spark1-w-x: ImagePullBackOff/,
    );
  });

  it('gives up at the timeout saying where the cluster stands', async () => {
    const { io } = capture(false);
    const wait = waitForCluster(scriptedClient([cluster('Creating', 1)]), 'spark1', io, {
      timeoutMs: 50,
      intervalMs: 10,
    });
    await expect(wait).rejects.toThrow(TimeoutError);
    await expect(
      waitForCluster(scriptedClient([cluster('Creating', 1)]), 'spark1', io, {
        timeoutMs: 50,
        intervalMs: 10,
      }),
    ).rejects.toThrow(/workers 1\/2 ready/);
  });

  it('waits for a deleted cluster to disappear', async () => {
    const { io, output } = capture(false);
    await waitForDeletion(
      scriptedClient([cluster('Running', 2), cluster('Running', 1), 404]),
      'spark1',
      io,
      FAST,
    );
    expect(output()).toContain('cluster "spark1": deleting, 0 pods left');
  });

  it('scale --wait waits for exactly the ready workers asked for, on a clock that never sleeps', async () => {
    const { io, output } = capture(false);
    let now = 0;
    const slept: number[] = [];
    const clock: PollClock = {
      now: () => now,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    // Scaled from 3 workers to 1: the two extra ones stop, one by one.
    const one = { workers: { desired: 1, ready: 3 } };
    const states = [
      cluster('Scaling', 3, one),
      cluster('Running', 2, { workers: { desired: 1, ready: 2 } }),
      cluster('Running', 1, { workers: { desired: 1, ready: 1 } }),
    ];
    const done = await waitForCluster(scriptedClient(states), 'spark1', io, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      clock,
      until: hasReadyWorkers(1),
    });
    expect(done.workers).toEqual({ desired: 1, ready: 1 });
    expect(slept).toEqual([1000, 1000]);
    expect(output()).toContain('cluster "spark1": Running, master 1/1, workers 1/1 ready');
    // Without the predicate, more ready workers than desired already count as up.
    expect(hasReadyWorkers(1)(cluster('Running', 2, { workers: { desired: 1, ready: 2 } }))).toBe(false);
    expect(hasReadyWorkers(2)(cluster('Running', 2))).toBe(true);
  });

  it('gives up at the timeout as the injected clock tells it', async () => {
    const { io } = capture(false);
    let now = 0;
    const clock: PollClock = {
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    };
    await expect(
      waitForCluster(scriptedClient([cluster('Creating', 1)]), 'spark1', io, {
        timeoutMs: 120_000,
        intervalMs: 1000,
        clock,
      }),
    ).rejects.toThrow('gave up waiting after 120s');
    expect(now).toBe(120_000);
  });
});
