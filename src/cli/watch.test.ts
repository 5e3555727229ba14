import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { OshinkoClient, type ClusterModel, type ClusterSummary } from '../client/oshinko-client.js';
import type { CliIo } from './io.js';
import { CLUSTER_OUTPUTS, parseOutput, type Output } from './output.js';
import type { PollClock } from './wait.js';
import { watchCluster, watchClusters } from './watch.js';

const START = Date.parse('2026-01-01T12:00:00Z');

function summary(name: string, status: ClusterSummary['status'], workersReady: number): ClusterSummary {
  return {
    name,
    href: `/clusters/${name}`,
    status,
    masterCount: 1,
    workerCount: 2,
    workersReady,
    masterUrl: `spark://${name}:7077`,
    masterWebUrl: `http://${name}-ui:8080`,
    image: 'spark:4',
    customImage: false,
    imageSource: 'default',
    createdAt: '2026-01-01T11:59:00Z',
  };
}

function model(status: ClusterModel['status'], workersReady: number): ClusterModel {
  return {
    name: 'spark1',
    href: '/clusters/spark1',
    status,
    config: {
      masterCount: 1,
      workerCount: 2,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'spark:4',
      exposeWebUI: 'true',
      metrics: 'false',
    },
    image: 'spark:4',
    customImage: false,
    imageSource: 'default',
    masterUrl: 'spark://spark1:7077',
    masterWebUrl: 'http://spark1-ui:8080',
    masters: { desired: 1, ready: 1 },
    workers: { desired: 2, ready: workersReady },
    pods: [],
    createdAt: '2026-01-01T11:59:00Z',
  };
}

/** A client whose answers are the given ones in turn, one per request (the last one repeats). */
function scripted(answers: (ClusterSummary[] | ClusterModel | 404)[]): OshinkoClient {
  let call = 0;
  const fetchStub: typeof fetch = () => {
    const answer = answers[Math.min(call, answers.length - 1)];
    call += 1;
    if (answer === 404 || answer === undefined) {
      const body = { errors: [{ status: 404, title: 'cannot get cluster', details: 'gone' }] };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 404 }));
    }
    const body = Array.isArray(answer) ? { clusters: answer } : { cluster: answer };
    return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
  };
  return new OshinkoClient('http://oshinko.test', { fetch: fetchStub });
}

/** A clock that never sleeps: each sleep moves it on by its length; after `polls` sleeps, Ctrl-C. */
function fakeTime(polls: number): { clock: PollClock; signal: AbortSignal; sleeps: () => number[] } {
  const controller = new AbortController();
  let now = START;
  const slept: number[] = [];
  return {
    signal: controller.signal,
    sleeps: () => slept,
    clock: {
      now: () => now,
      sleep: (ms) => {
        now += ms;
        slept.push(ms);
        if (slept.length >= polls) controller.abort();
        return Promise.resolve();
      },
    },
  };
}

function capture(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { io: { stdout: out, stderr: err, env: {} }, stdout: () => stdout, stderr: () => stderr };
}

function options(time: ReturnType<typeof fakeTime>, output: Output = { kind: 'table' }, more = {}) {
  return {
    output,
    headers: true,
    watchOnly: false,
    intervalMs: 2000,
    signal: time.signal,
    clock: time.clock,
    ...more,
  };
}

describe('get --watch', () => {
  const polls = [
    [summary('spark1', 'Creating', 0)],
    [summary('spark1', 'Creating', 0)],
    [summary('spark1', 'Running', 2), summary('etl', 'Creating', 0)],
    [summary('etl', 'Creating', 0)],
    [summary('etl', 'Creating', 0)],
  ];

  it('prints the table, then a row for each change, a Deleted row for a cluster gone, until Ctrl-C', async () => {
    const time = fakeTime(5);
    const { io, stdout } = capture();
    expect(await watchClusters(scripted(polls), io, options(time))).toBe(0);
    expect(stdout().split('\n')).toEqual([
      'NAME     STATUS     WORKERS   IMAGE     MASTER URL            AGE',
      'spark1   Creating   0/2       spark:4   spark://spark1:7077   60s',
      'spark1   Running    2/2       spark:4   spark://spark1:7077   64s',
      'etl      Creating   0/2       spark:4   spark://etl:7077      64s',
      'spark1   Deleted    2/2       spark:4   spark://spark1:7077   66s',
      '',
    ]);
    // Polled at the interval, and stopped by Ctrl-C.
    expect(time.sleeps()).toEqual([2000, 2000, 2000, 2000, 2000]);
  });

  it('--watch-only leaves out the table as it stands; --no-headers the header', async () => {
    const time = fakeTime(5);
    const { io, stdout } = capture();
    await watchClusters(
      scripted(polls),
      io,
      options(time, { kind: 'table' }, { watchOnly: true, headers: false }),
    );
    expect(
      stdout()
        .split('\n')
        .map((line) => line.split(/\s+/).slice(0, 2).join(' ')),
    ).toEqual(['spark1 Running', 'etl Creating', 'spark1 Deleted', '']);
  });

  it('prints each changed cluster in a program format: names, YAML documents, a JSONPath template', async () => {
    const names = capture();
    await watchClusters(scripted(polls), names.io, options(fakeTime(5), { kind: 'name' }));
    expect(names.stdout()).toBe('cluster/spark1\ncluster/spark1\ncluster/etl\ncluster/spark1\n');

    const yaml = capture();
    await watchClusters(scripted(polls), yaml.io, options(fakeTime(2), { kind: 'yaml' }));
    const documents = yaml
      .stdout()
      .split(/^---\n/m)
      .filter((doc) => doc !== '');
    expect(documents.map((doc) => (parse(doc) as ClusterSummary).status)).toEqual(['Creating']);

    const template = capture();
    const output = parseOutput('jsonpath={.name} {.status}{"\\n"}', CLUSTER_OUTPUTS);
    await watchClusters(scripted(polls), template.io, options(fakeTime(5), output));
    expect(template.stdout()).toBe('spark1 Creating\nspark1 Running\netl Creating\nspark1 Running\n');
  });

  it('says there are no clusters yet on standard error, then prints the header with the first row', async () => {
    const time = fakeTime(3);
    const { io, stdout, stderr } = capture();
    await watchClusters(scripted([[], [summary('etl', 'Creating', 0)]]), io, options(time));
    expect(stderr()).toBe('No clusters.\n');
    expect(stdout().split('\n')[0]).toMatch(/^NAME\s+STATUS/);
    expect(stdout().split('\n')[1]).toMatch(/^etl\s+Creating/);
  });
});

describe('get NAME --watch', () => {
  it('prints a row when the cluster changes and ends when it is deleted, saying so', async () => {
    const time = fakeTime(100);
    const { io, stdout } = capture();
    const event = { time: '2026-01-01T12:00:01Z', type: 'Normal', reason: 'Started', message: 'up' } as const;
    const client = scripted([
      model('Creating', 0),
      model('Creating', 1),
      // A new event changes the object but not its row: no line.
      { ...model('Creating', 1), events: [event] },
      model('Running', 2),
      404,
    ]);
    expect(await watchCluster(client, 'spark1', io, options(time))).toBe(0);
    expect(
      stdout()
        .split('\n')
        .map((line) => line.split(/\s+/).slice(0, 3).join(' ')),
    ).toEqual([
      'NAME STATUS WORKERS',
      'spark1 Creating 0/2',
      'spark1 Creating 1/2',
      'spark1 Running 2/2',
      'cluster "spark1" deleted',
      '',
    ]);
    expect(time.sleeps()).toHaveLength(4);
  });

  it('prints the whole cluster for programs, and the deletion on standard error', async () => {
    const { io, stdout, stderr } = capture();
    await watchCluster(
      scripted([model('Running', 2), 404]),
      'spark1',
      io,
      options(fakeTime(100), { kind: 'json' }),
    );
    expect((JSON.parse(stdout()) as ClusterModel).workers).toEqual({ desired: 2, ready: 2 });
    expect(stderr()).toBe('cluster "spark1" deleted\n');
  });

  it('fails as get NAME does when the cluster does not exist', async () => {
    const { io } = capture();
    await expect(watchCluster(scripted([404]), 'nope', io, options(fakeTime(100)))).rejects.toThrow('gone');
  });
});
