import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pidExists, processesWithEnv } from './processes.js';
import {
  backoffDelay,
  Supervisor,
  waitingStatus,
  type BackoffPolicy,
  type DaemonSnapshot,
  type DaemonSpec,
} from './supervisor.js';

const FAST: BackoffPolicy = { initialMs: 50, maxMs: 400, stableMs: 60_000, pollMs: 50 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

/** A daemon played by a real Node process; `script` is its program. */
async function nodeDaemon(script: string, marker: string): Promise<DaemonSpec> {
  const dir = await mkdtemp(join(tmpdir(), 'oshinko-supervisor-'));
  return {
    name: 'd-w-1',
    type: 'worker',
    command: process.execPath,
    args: ['-e', script, marker],
    env: { ...process.env, OSHINKO_TEST_MARK: marker },
    cwd: dir,
    logFile: join(dir, 'logs', 'd-w-1.log'),
    marker,
  };
}

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop(500)));
});

function supervise(spec: DaemonSpec, events: string[] = [], changes: DaemonSnapshot[] = []): Supervisor {
  const supervisor = new Supervisor(
    spec,
    {
      onChange: (snapshot) => changes.push(snapshot),
      onEvent: (_type, reason) => events.push(reason),
    },
    FAST,
  );
  running.push(supervisor);
  return supervisor;
}

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, FAST))).toEqual([50, 100, 200, 400, 400]);
  });
  it('reports CrashLoopBackOff from the third quick failure', () => {
    expect([1, 2, 3].map(waitingStatus)).toEqual(['Restarting', 'Restarting', 'CrashLoopBackOff']);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing daemon with backoff, shows CrashLoopBackOff, and logs its output', async () => {
    const spec = await nodeDaemon('console.log("hello from daemon"); process.exit(3)', 'mark-crash');
    const events: string[] = [];
    const supervisor = supervise(spec, events);
    supervisor.start();
    await until(() => supervisor.snapshot().restarts >= 3);
    const snapshot = supervisor.snapshot();
    expect(['CrashLoopBackOff', 'Running']).toContain(snapshot.status);
    expect(events).toContain('BackOff');
    await until(() => supervisor.snapshot().status === 'CrashLoopBackOff');
    expect(supervisor.snapshot().reason).toMatch(/exited with code 3; restarting in/);
    const log = await readFile(spec.logFile, 'utf8');
    expect(log.match(/hello from daemon/g)?.length).toBeGreaterThanOrEqual(3);
    expect(log).toContain('--- oshinko');
  });

  it('keeps a healthy daemon running and restarts it after it is killed', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-kill');
    const supervisor = supervise(spec);
    supervisor.start();
    const first = supervisor.snapshot().pid ?? 0;
    expect(pidExists(first)).toBe(true);
    process.kill(first, 'SIGKILL');
    await until(() => supervisor.snapshot().status === 'Running' && supervisor.snapshot().pid !== first);
    expect(supervisor.snapshot().restarts).toBe(1);
  });

  it('stops the whole process group, children included, and does not restart it', async () => {
    // The daemon starts a child of its own, as a Spark worker starts executors.
    const script = `require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)`;
    const spec = await nodeDaemon(script, 'mark-group');
    const supervisor = supervise(spec);
    supervisor.start();
    await until(async () => (await processesWithEnv('OSHINKO_TEST_MARK', 'mark-group')).length === 2);
    await supervisor.stop(2000);
    expect(await processesWithEnv('OSHINKO_TEST_MARK', 'mark-group')).toEqual([]);
    await sleep(200);
    expect(supervisor.snapshot()).toMatchObject({ status: 'Stopped', pid: undefined });
  });

  it('adopts a daemon it did not start only when the marker matches, and notices when it ends', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-adopt');
    const orphan = spawn(spec.command, [...spec.args], { detached: true, stdio: 'ignore', env: spec.env });
    const pid = orphan.pid ?? 0;
    const stranger = new Supervisor(
      { ...spec, marker: 'someone-else' },
      { onChange: () => undefined, onEvent: () => undefined },
      FAST,
    );
    expect(await stranger.adopt(pid, undefined)).toBe(false);

    const supervisor = supervise(spec);
    expect(await supervisor.adopt(pid, new Date().toISOString())).toBe(true);
    expect(supervisor.snapshot()).toMatchObject({ status: 'Running', pid });
    process.kill(pid, 'SIGKILL');
    await until(() => supervisor.snapshot().restarts === 1 && supervisor.snapshot().status === 'Running');
    expect(supervisor.snapshot().pid).not.toBe(pid);
  });

  it('detach leaves the daemon running for the next server', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-detach');
    const supervisor = new Supervisor(spec, { onChange: () => undefined, onEvent: () => undefined }, FAST);
    supervisor.start();
    const pid = supervisor.snapshot().pid ?? 0;
    supervisor.detach();
    await sleep(200);
    expect(pidExists(pid)).toBe(true);
    const next = supervise(spec);
    expect(await next.adopt(pid, undefined)).toBe(true);
  });
});
