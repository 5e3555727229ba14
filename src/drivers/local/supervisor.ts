import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PodType } from '../../core/cluster.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { isOurProcess, stopProcessGroups } from './processes.js';

/** How one daemon is started. Arguments are an array: nothing goes through a shell. */
export interface DaemonSpec {
  readonly name: string;
  readonly type: PodType;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logFile: string;
  /** A string in the command line that proves a pid is this daemon (checked when re-adopting). */
  readonly marker: string;
}

export interface BackoffPolicy {
  /** Delay before the first restart. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** A run longer than this resets the backoff, like Kubernetes after a pod ran fine for a while. */
  readonly stableMs: number;
  /** How often adopted (not our child) processes are checked. */
  readonly pollMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1000,
  maxMs: 30_000,
  stableMs: 60_000,
  pollMs: 1000,
};

/** Consecutive quick failures from which the status is CrashLoopBackOff instead of Restarting. */
export const CRASH_LOOP_FAILURES = 3;

/** Delay before restart number `failures` (1-based): doubles each time, capped. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
}

export function waitingStatus(failures: number): 'Restarting' | 'CrashLoopBackOff' {
  return failures >= CRASH_LOOP_FAILURES ? 'CrashLoopBackOff' : 'Restarting';
}

export type DaemonStatus = 'Starting' | 'Running' | 'Restarting' | 'CrashLoopBackOff' | 'Stopped';

export interface DaemonSnapshot {
  readonly name: string;
  readonly type: PodType;
  readonly pid: number | undefined;
  readonly status: DaemonStatus;
  readonly restarts: number;
  readonly reason: string | undefined;
  readonly startedAt: string | undefined;
}

export interface SupervisorOptions {
  readonly backoff?: BackoffPolicy | undefined;
  /** Restarts counted before (a daemon taken over after a server restart). */
  readonly restarts?: number | undefined;
  /** Backoff waits, adopted processes' polls and run times go by it; default: the real one. */
  readonly clock?: Clock | undefined;
}

export interface SupervisorEvents {
  /** State changed (a new pid, a restart): persist it. */
  onChange(snapshot: DaemonSnapshot): void;
  onEvent(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/**
 * Keeps one daemon running, like a one-replica Deployment: starts it in its own process group with its output
 * appended to its log file, restarts it with exponential backoff when it ends, and stops the whole group.
 */
export class Supervisor {
  private pid: number | undefined;
  private restarts: number;
  private failures = 0;
  private status: DaemonStatus = 'Starting';
  private reason: string | undefined;
  private startedAt: string | undefined;
  private startedAtMs = 0;
  /** Cancels the restart waiting for its backoff. */
  private cancelRestart: (() => void) | undefined;
  /** Cancels the next check of an adopted process; set while it is polled. */
  private cancelPoll: (() => void) | undefined;
  private stopped = false;
  /** Identifies the current run; an exit of an older run is ignored. */
  private generation = 0;

  private readonly policy: BackoffPolicy;
  private readonly clock: Clock;

  constructor(
    readonly spec: DaemonSpec,
    private readonly events: SupervisorEvents,
    options: SupervisorOptions = {},
  ) {
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    this.restarts = options.restarts ?? 0;
    this.clock = options.clock ?? systemClock;
  }

  snapshot(): DaemonSnapshot {
    return {
      name: this.spec.name,
      type: this.spec.type,
      pid: this.pid,
      status: this.status,
      restarts: this.restarts,
      reason: this.reason,
      startedAt: this.startedAt,
    };
  }

  /** Settles when the current child (if we started it) has exited and been reaped. */
  private reaped: Promise<void> | undefined;

  /** Starts the daemon as a child of this process. */
  start(): void {
    if (this.stopped) return;
    this.cancelRestart = undefined;
    const generation = ++this.generation;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const log = openSync(this.spec.logFile, 'a');
    try {
      const child = spawn(this.spec.command, [...this.spec.args], {
        cwd: this.spec.cwd,
        env: this.spec.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      child.unref();
      child.once('error', (error) => {
        this.exited(generation, `could not start ${this.spec.command}: ${error.message}`);
      });
      this.reaped = new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          resolve();
          this.exited(generation, describeExit(code, signal));
        });
      });
      if (child.pid !== undefined) {
        this.running(child.pid, new Date(this.clock.now()));
      }
    } finally {
      closeSync(log);
    }
  }

  /**
   * Takes over a daemon started by an earlier server (not our child): it is watched by polling its pid and
   * command-line marker. Returns false when the pid is not (any more) our daemon.
   */
  async adopt(pid: number, startedAt: string | undefined): Promise<boolean> {
    if (!(await isOurProcess(pid, this.spec.marker))) return false;
    this.reaped = undefined;
    this.running(pid, new Date(startedAt ?? this.clock.now()), false);
    const generation = ++this.generation;
    const poll = () => {
      this.cancelPoll = this.clock.after(this.policy.pollMs, () => {
        void isOurProcess(pid, this.spec.marker).then((alive) => {
          // Stopped, detached or superseded while the check ran.
          if (this.cancelPoll === undefined || generation !== this.generation) return;
          if (alive) {
            poll();
          } else {
            this.cancelPoll = undefined;
            this.exited(generation, 'exited');
          }
        });
      });
    };
    poll();
    return true;
  }

  /** Starts again a daemon that ended while no server watched it; it counts as a restart. */
  restartAfterDowntime(): void {
    this.restarts += 1;
    this.note(`${this.spec.name} was not running when the server started; restart ${this.restarts}`);
    this.events.onEvent('Warning', 'Restarting', `${this.spec.name} ended while the server was down`);
    this.start();
  }

  private running(pid: number, startedAt: Date, announce = true): void {
    this.pid = pid;
    this.status = 'Running';
    this.reason = undefined;
    this.startedAt = startedAt.toISOString();
    this.startedAtMs = startedAt.getTime();
    if (announce) this.events.onEvent('Normal', 'Started', `${this.spec.name} started (pid ${pid})`);
    this.events.onChange(this.snapshot());
  }

  private exited(generation: number, how: string): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    this.pid = undefined;
    if (this.stopped) {
      this.status = 'Stopped';
      return;
    }
    const ranMs = this.clock.now() - this.startedAtMs;
    this.failures = ranMs >= this.policy.stableMs ? 1 : this.failures + 1;
    this.restarts += 1;
    const delay = backoffDelay(this.failures, this.policy);
    this.status = waitingStatus(this.failures);
    this.reason = `${how}; restarting in ${Math.round(delay / 100) / 10}s`;
    this.note(`${this.spec.name} ${how}; restart ${this.restarts} in ${delay} ms`);
    this.events.onEvent(
      'Warning',
      this.status === 'CrashLoopBackOff' ? 'BackOff' : 'Restarting',
      `${this.spec.name} ${this.reason}`,
    );
    this.events.onChange(this.snapshot());
    this.cancelRestart = this.clock.after(delay, () => {
      this.start();
    });
  }

  /** Appends a line to the daemon's log, so its restarts show where its output is. */
  private note(message: string): void {
    try {
      const log = openSync(this.spec.logFile, 'a');
      try {
        writeSync(log, `--- oshinko ${new Date(this.clock.now()).toISOString()}: ${message} ---\n`);
      } finally {
        closeSync(log);
      }
    } catch {
      // The log is informative only.
    }
  }

  private clearTimers(): void {
    this.cancelRestart?.();
    this.cancelPoll?.();
    this.cancelRestart = undefined;
    this.cancelPoll = undefined;
  }

  /** Stops supervising and the daemon's whole process group (SIGTERM, then SIGKILL). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const pid = this.pid;
    if (pid !== undefined) await stopProcessGroups([pid], [], graceMs);
    // A child of ours lingers as a zombie until Node reaps it and emits 'exit'; wait for that, briefly. (Real time,
    // like the grace before SIGKILL: these wait for the operating system, not for supervision.)
    if (pid !== undefined && this.reaped !== undefined) {
      const reaped = new AbortController();
      await Promise.race([this.reaped, systemClock.sleep(5000, reaped.signal)]);
      reaped.abort();
    }
    this.pid = undefined;
    this.status = 'Stopped';
  }

  /** Stops supervising and leaves the daemon running (server shutdown: the next server adopts it). */
  detach(): void {
    this.stopped = true;
    this.clearTimers();
  }
}
