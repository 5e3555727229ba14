import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runtimeSparkHome } from '../local/spark-home.js';
import { sparkVersionOf } from '../local/spark-home.js';
import {
  IMAGE_CHECK_SCRIPT,
  imageCheckContainer,
  imageCheckOf,
  imageCheckScript,
  parseImageCheckReport,
  REPORT_END,
} from './image-check.js';

const run = promisify(execFile);

/** What Spark 4.3.0's `spark-submit --version` prints (2>&1), warnings first. */
const BANNER = [
  'WARNING: Using incubator modules: jdk.incubator.vector',
  "Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties",
  'Welcome to',
  '      ____              __',
  '     / __/__  ___ _____/ /__',
  "    _\\ \\/ _ \\/ _ `/ __/  '_/",
  '   /___/ .__/\\_,_/_/ /_/\\_\\   version 4.3.0',
  '      /_/',
  '                        ',
  'Using Scala version 2.13.18, OpenJDK 64-Bit Server VM, 17.0.15',
  'Branch HEAD',
  'Type --help for more information.',
];

const report = (...facts: string[]) => [...facts, REPORT_END, ''].join('\n');
const quoted = (lines: readonly string[]) => lines.map((line) => `| ${line}`);

describe('parseImageCheckReport', () => {
  it('passes with the versions of the banner and of python3', () => {
    expect(
      parseImageCheckReport(report(...quoted(BANNER), 'spark-class-exit 0', 'python Python 3.11.2')),
    ).toEqual({
      result: 'passed',
      versions: { spark: '4.3.0', scala: '2.13.18', java: '17.0.15', python: '3.11.2' },
    });
  });

  it('passes without a Python version when the image has no python3', () => {
    expect(parseImageCheckReport(report(...quoted(BANNER), 'spark-class-exit 0', 'python-missing'))).toEqual({
      result: 'passed',
      versions: { spark: '4.3.0', scala: '2.13.18', java: '17.0.15' },
    });
  });

  it('names a missing Spark home or spark-class', () => {
    expect(parseImageCheckReport(report('missing /opt/spark'))).toEqual({
      result: 'failed',
      problem: 'has no /opt/spark',
    });
    expect(parseImageCheckReport(report('missing /opt/spark/bin/spark-class'))).toEqual({
      result: 'failed',
      problem: 'has no /opt/spark/bin/spark-class',
    });
    expect(parseImageCheckReport(report('not-executable /opt/spark/bin/spark-class'))).toEqual({
      result: 'failed',
      problem: 'has /opt/spark/bin/spark-class, but it is not executable',
    });
  });

  it('quotes the last lines of a spark-class that fails', () => {
    const output = quoted(['', 'ERROR: JAVA_HOME is not set and no java found', '']);
    expect(parseImageCheckReport(report(...output, 'spark-class-exit 1', 'python Python 3.12.1'))).toEqual({
      result: 'failed',
      problem:
        'cannot run /opt/spark/bin/spark-class (exit code 1): ERROR: JAVA_HOME is not set and no java found',
    });
  });

  it('does not take quoted output for a fact', () => {
    expect(parseImageCheckReport(report('| missing /opt/spark', 'spark-class-exit 0'))).toEqual({
      result: 'passed',
      versions: {},
    });
  });

  it('is no report when cut short or not ours', () => {
    expect(parseImageCheckReport('missing /opt/spark\n')).toBeUndefined();
    expect(parseImageCheckReport('')).toBeUndefined();
    expect(parseImageCheckReport(report('| just output'))).toBeUndefined();
  });
});

function masterPod(check: {
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
}): Parameters<typeof imageCheckOf>[0] {
  return {
    metadata: { name: 'c-m-1', labels: { 'oshinko-cluster': 'c', 'oshinko-type': 'master' } },
    spec: { containers: [{ name: 'spark', image: 'i' }] },
    status: {
      initContainerStatuses: [
        { name: 'image-check', image: 'i', imageID: '', ready: false, restartCount: 1, ...check },
      ],
    },
  };
}

describe('imageCheckOf', () => {
  it('reads the report from the termination message of the last run', () => {
    const message = report('missing /opt/spark');
    expect(
      imageCheckOf(masterPod({ state: { terminated: { exitCode: 1, reason: 'Error', message } } })),
    ).toEqual({ result: 'failed', problem: 'has no /opt/spark' });
    // Restarted with a back-off: the report is in the last state.
    expect(
      imageCheckOf(
        masterPod({
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message } },
        }),
      ),
    ).toEqual({ result: 'failed', problem: 'has no /opt/spark' });
  });

  it('names a shell the image lacks, from the runtime error', () => {
    const message =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown';
    expect(
      imageCheckOf(masterPod({ state: { terminated: { exitCode: 128, reason: 'StartError', message } } })),
    ).toEqual({ result: 'failed', problem: 'has no /bin/sh (the image check runs it)' });
  });

  it('says how a run without a report ended', () => {
    expect(
      imageCheckOf(masterPod({ state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } })),
    ).toEqual({
      result: 'failed',
      problem: 'failed its image check (OOMKilled, exit code 137)',
    });
  });

  it('is undefined while the check has not ended, and for pods without it', () => {
    expect(imageCheckOf(masterPod({ state: { running: {} } }))).toBeUndefined();
    expect(imageCheckOf(masterPod({ state: { waiting: { reason: 'ErrImagePull' } } }))).toBeUndefined();
    expect(imageCheckOf({ metadata: { name: 'old' }, status: {} })).toBeUndefined();
  });
});

describe('imageCheckContainer', () => {
  it('runs our script in the cluster image, whatever its entrypoint, into the termination message', () => {
    const container = imageCheckContainer('quay.io/me/spark:1 ; rm -rf /');
    expect(container).toMatchObject({
      name: 'image-check',
      image: 'quay.io/me/spark:1 ; rm -rf /',
      command: ['/bin/sh', '-c', IMAGE_CHECK_SCRIPT],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    expect(container.args).toBeUndefined();
    expect(IMAGE_CHECK_SCRIPT).not.toContain('quay.io');
  });
});

/** The script itself, run by a real shell against Spark homes on this machine. */
describe('the image check script', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oshinko-check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function check(home: string): Promise<{ code: number; report: string }> {
    const out = join(dir, 'termination-log');
    const code = await run('/bin/sh', ['-c', imageCheckScript(home, out)], { env: process.env }).then(
      () => 0,
      (error: unknown) => (error as { code?: number }).code ?? -1,
    );
    return { code, report: await readFile(out, 'utf8') };
  }

  it('passes a real Spark home with the versions its spark-submit and python3 print', async () => {
    const home = runtimeSparkHome({ sparkHome: undefined });
    const { code, report: text } = await check(home);
    expect(code).toBe(0);
    const python = (await run('python3', ['--version'])).stdout.trim().replace(/^Python /, '');
    expect(parseImageCheckReport(text)).toMatchObject({
      result: 'passed',
      versions: { spark: sparkVersionOf(home), python },
    });
  }, 60_000);

  it('fails a directory without Spark, and a spark-class that cannot run', async () => {
    expect(parseImageCheckReport((await check(join(dir, 'none'))).report)).toEqual({
      result: 'failed',
      problem: `has no ${join(dir, 'none')}`,
    });
    const home = join(dir, 'home');
    await mkdir(join(home, 'bin'), { recursive: true });
    const { code, report: text } = await check(home);
    expect(code).toBe(1);
    expect(parseImageCheckReport(text)).toEqual({
      result: 'failed',
      problem: `has no ${home}/bin/spark-class`,
    });
    await writeFile(join(home, 'bin', 'spark-class'), '#!/bin/sh\necho "no java here" >&2\nexit 3\n');
    expect(parseImageCheckReport((await check(home)).report)).toEqual({
      result: 'failed',
      problem: `has ${home}/bin/spark-class, but it is not executable`,
    });
    await chmod(join(home, 'bin', 'spark-class'), 0o755);
    expect(parseImageCheckReport((await check(home)).report)).toEqual({
      result: 'failed',
      problem: `cannot run ${home}/bin/spark-class (exit code 3): no java here`,
    });
  });
});
