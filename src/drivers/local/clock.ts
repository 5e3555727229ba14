/**
 * Time as supervision sees it: the time now, and a callback later. Injected, as client-go's reflector takes a
 * clock, so tests of restarts and backoff move time on instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
  /** Calls `callback` once, `ms` from now; calling the answer cancels it. */
  after(ms: number, callback: () => void): () => void;
}

/** The real clock. Its timers never keep the process alive: a server stops whatever its supervisors wait for. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};

interface ManualTimer {
  readonly at: number;
  readonly callback: () => void;
}

/** A clock for tests: time moves only by `advance`, which runs what falls due, in time order, at its time. */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Set<ManualTimer>();

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** How far from now each waiting callback is, soonest first. */
  pending(): number[] {
    return [...this.timers].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time on by `ms`; callbacks due by then run (those they schedule within `ms` too). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= end && (next === undefined || timer.at < next.at)) next = timer;
      }
      if (next === undefined) break;
      this.timers.delete(next);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}
