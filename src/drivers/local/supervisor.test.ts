import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/manual-clock.js';
import { pidExists, processesWithEnv } from './processes.js';
import {
  backoffDelay,
  Supervisor,
  waitingStatus,
  type BackoffPolicy,
  type DaemonSpec,
} from './supervisor.js';

/** The supervisor's waits are on a manual clock: tests move it on, they never sleep through a backoff. */
const POLICY: BackoffPolicy = { initialMs: 1000, maxMs: 4000, stableMs: 60_000, pollMs: 1000 };

/** Waits for what a real process does (start, exit), polling briefly; no supervision time passes meanwhile. */
function eventually(check: () => void | Promise<void>): Promise<void> {
  return vi.waitFor(check, { timeout: 10_000, interval: 10 });
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

function supervise(spec: DaemonSpec, clock = new ManualClock()) {
  const events: string[] = [];
  const supervisor = new Supervisor(
    spec,
    {
      onChange: () => undefined,
      onEvent: (_type, reason) => events.push(reason),
    },
    { backoff: POLICY, clock },
  );
  running.push(supervisor);
  return { supervisor, clock, events };
}

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, POLICY))).toEqual([1000, 2000, 4000, 4000, 4000]);
  });
  it('reports CrashLoopBackOff from the third quick failure', () => {
    expect([1, 2, 3].map(waitingStatus)).toEqual(['Restarting', 'Restarting', 'CrashLoopBackOff']);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing daemon with backoff, shows CrashLoopBackOff, and logs its output', async () => {
    const spec = await nodeDaemon('console.log("hello from daemon"); process.exit(3)', 'mark-crash');
    const { supervisor, clock, events } = supervise(spec);
    supervisor.start();
    const steps = [
      [1, 1000, 'Restarting'],
      [2, 2000, 'Restarting'],
      [3, 4000, 'CrashLoopBackOff'],
      [4, 4000, 'CrashLoopBackOff'],
    ] as const;
    for (const [restarts, delay, status] of steps) {
      await eventually(() => {
        expect(supervisor.snapshot()).toMatchObject({ restarts, status, pid: undefined });
      });
      // The restart waits its whole backoff, and not a moment longer.
      expect(clock.pending()).toEqual([delay]);
      expect(supervisor.snapshot().reason).toBe(`exited with code 3; restarting in ${String(delay / 1000)}s`);
      await clock.advance(delay - 1);
      expect(supervisor.snapshot()).toMatchObject({ restarts, status, pid: undefined });
      await clock.advance(1);
      expect(supervisor.snapshot().status).toBe('Running');
    }
    expect(events.slice(0, 8)).toEqual([
      'Started',
      'Restarting',
      'Started',
      'Restarting',
      'Started',
      'BackOff',
      'Started',
      'BackOff',
    ]);
    const log = await readFile(spec.logFile, 'utf8');
    expect(log.match(/hello from daemon/g)?.length).toBeGreaterThanOrEqual(4);
    expect(log).toContain('--- oshinko 2025-01-01T00:00:');
  });

  it('keeps a healthy daemon running, restarts it after it is killed, and forgets old failures', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-kill');
    const { supervisor, clock } = supervise(spec);
    supervisor.start();
    const first = supervisor.snapshot().pid ?? 0;
    expect(pidExists(first)).toBe(true);
    process.kill(first, 'SIGKILL');
    await eventually(() => {
      expect(supervisor.snapshot()).toMatchObject({ status: 'Restarting', restarts: 1 });
    });
    expect(clock.pending()).toEqual([1000]);
    await clock.advance(1000);
    const second = supervisor.snapshot().pid ?? 0;
    expect(supervisor.snapshot()).toMatchObject({ status: 'Running', restarts: 1 });
    expect(second).not.toBe(first);

    // Killed again at once: a second quick failure waits twice as long.
    process.kill(second, 'SIGKILL');
    await eventually(() => {
      expect(supervisor.snapshot().restarts).toBe(2);
    });
    expect(clock.pending()).toEqual([2000]);
    await clock.advance(2000);

    // After a run of stableMs the failures start over, as Kubernetes resets a pod's backoff.
    await clock.advance(POLICY.stableMs);
    process.kill(supervisor.snapshot().pid ?? 0, 'SIGKILL');
    await eventually(() => {
      expect(supervisor.snapshot()).toMatchObject({ status: 'Restarting', restarts: 3 });
    });
    expect(clock.pending()).toEqual([1000]);
  });

  it('stops the whole process group, children included, and does not restart it', async () => {
    // The daemon starts a child of its own, as a Spark worker starts executors.
    const script = `require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)`;
    const spec = await nodeDaemon(script, 'mark-group');
    const { supervisor, clock } = supervise(spec);
    supervisor.start();
    await eventually(async () => {
      expect(await processesWithEnv('OSHINKO_TEST_MARK', 'mark-group')).toHaveLength(2);
    });
    await supervisor.stop(2000);
    expect(await processesWithEnv('OSHINKO_TEST_MARK', 'mark-group')).toEqual([]);
    expect(clock.pending()).toEqual([]);
    await clock.advance(POLICY.maxMs);
    expect(supervisor.snapshot()).toMatchObject({ status: 'Stopped', pid: undefined });
  });

  it('adopts a daemon it did not start only when the marker matches, and notices when it ends', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-adopt');
    const orphan = spawn(spec.command, [...spec.args], { detached: true, stdio: 'ignore', env: spec.env });
    const pid = orphan.pid ?? 0;
    const stranger = new Supervisor(
      { ...spec, marker: 'someone-else' },
      { onChange: () => undefined, onEvent: () => undefined },
      { backoff: POLICY, clock: new ManualClock() },
    );
    expect(await stranger.adopt(pid, undefined)).toBe(false);

    const { supervisor, clock } = supervise(spec);
    expect(await supervisor.adopt(pid, '2024-12-31T23:00:00.000Z')).toBe(true);
    expect(supervisor.snapshot()).toMatchObject({
      status: 'Running',
      pid,
      startedAt: '2024-12-31T23:00:00.000Z',
    });
    // Not a child of this process: it is checked every pollMs, and checked again while it lives.
    expect(clock.pending()).toEqual([POLICY.pollMs]);
    await clock.advance(POLICY.pollMs);
    await eventually(() => {
      expect(clock.pending()).toEqual([POLICY.pollMs]);
    });
    expect(supervisor.snapshot()).toMatchObject({ status: 'Running', pid });

    process.kill(pid, 'SIGKILL');
    await once(orphan, 'exit');
    await clock.advance(POLICY.pollMs);
    await eventually(() => {
      expect(supervisor.snapshot()).toMatchObject({ status: 'Restarting', restarts: 1, pid: undefined });
    });
    expect(clock.pending()).toEqual([POLICY.initialMs]);
    await clock.advance(POLICY.initialMs);
    expect(supervisor.snapshot()).toMatchObject({ status: 'Running', restarts: 1 });
    expect(supervisor.snapshot().pid).not.toBe(pid);
  });

  it('detach leaves the daemon running for the next server', async () => {
    const spec = await nodeDaemon('setInterval(() => {}, 1000)', 'mark-detach');
    const clock = new ManualClock();
    const supervisor = new Supervisor(
      spec,
      { onChange: () => undefined, onEvent: () => undefined },
      { backoff: POLICY, clock },
    );
    supervisor.start();
    const pid = supervisor.snapshot().pid ?? 0;
    supervisor.detach();
    expect(clock.pending()).toEqual([]);
    expect(pidExists(pid)).toBe(true);
    const { supervisor: next } = supervise(spec);
    expect(await next.adopt(pid, undefined)).toBe(true);
  });
});
