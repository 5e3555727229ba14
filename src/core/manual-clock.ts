import { TimerClock } from './clock.js';

interface ManualTimer {
  readonly at: number;
  readonly callback: () => void;
}

export interface ManualClockOptions {
  /** The time at the start, in ms since the epoch; default 2025-01-01. */
  readonly start?: number | undefined;
  /** The clock's random draws; default always 0 (no jitter), so delays are exact. */
  readonly random?: (() => number) | undefined;
}

/** Lets what is under way go on: promise chains and callbacks already queued. No time passes on the clock. */
const tick = () =>
  new Promise<void>((resolve) => {
    setImmediate(resolve);
  });

/**
 * A clock for tests: time moves only by `advance`, which runs what falls due in time order, each at its time,
 * letting what each one started go on before the next.
 */
export class ManualClock extends TimerClock {
  private time: number;
  private readonly timers = new Set<ManualTimer>();
  private readonly draw: () => number;
  private readonly watchers = new Set<() => void>();

  constructor(options: ManualClockOptions = {}) {
    super();
    this.time = options.start ?? Date.UTC(2025, 0, 1);
    this.draw = options.random ?? (() => 0);
  }

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), callback };
    this.timers.add(timer);
    for (const watcher of this.watchers) watcher();
    return () => {
      this.timers.delete(timer);
    };
  }

  random(): number {
    return this.draw();
  }

  /** How far from now each waiting callback is, soonest first. */
  pending(): number[] {
    return [...this.timers].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Resolves once some waiting callback is due within `ms` of now (real I/O may be what schedules it). */
  whenPending(ms = Infinity): Promise<void> {
    const due = () => [...this.timers].some((timer) => timer.at - this.time <= ms);
    if (due()) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = () => {
        if (!due()) return;
        this.watchers.delete(watcher);
        resolve();
      };
      this.watchers.add(watcher);
    });
  }

  /**
   * Lets what is under way go on, then moves time on by `ms`: callbacks due by then run in time order (those they
   * schedule within `ms` too), each at its own time and followed by what it started.
   */
  async advance(ms: number): Promise<void> {
    await tick();
    const end = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        // Strictly sooner: of those due at the same time, the first set runs first (a Set keeps that order).
        if (timer.at <= end && (next === undefined || timer.at < next.at)) next = timer;
      }
      if (next === undefined) break;
      this.timers.delete(next);
      this.time = next.at;
      next.callback();
      await tick();
    }
    this.time = end;
    await tick();
  }
}
