/**
 * Time as the server sees it: the time now, a callback later, a wait, a deadline, and the random draws that spread
 * retries. Every timer of the server goes through one, injected at the composition root, as client-go's reflector
 * takes a clock: tests pass a manual one (manual-clock.ts) and move time on instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
  /** Calls `callback` once, `ms` from now; calling the answer cancels it. It never keeps the process alive. */
  after(ms: number, callback: () => void): () => void;
  /**
   * Resolves `ms` from now, or at once when `signal` aborts. Unlike `after`'s callbacks, a sleep holds the process
   * as any awaited I/O does: a command that waits between polls must not end in the middle of its wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts `ms` from now with a TimeoutError, as `AbortSignal.timeout` does. */
  timeout(ms: number): AbortSignal;
  /** A number in [0, 1), as `Math.random()`: the jitter of retries and watch durations. */
  random(): number;
}

/** `sleep` and `timeout` from `after`: one definition for the real clock and the manual one. */
export abstract class TimerClock implements Clock {
  abstract now(): number;
  abstract after(ms: number, callback: () => void): () => void;
  abstract random(): number;

  /** As `after`, for a sleep: a timer that holds the process where there is a process to hold. */
  protected held(ms: number, callback: () => void): () => void {
    return this.after(ms, callback);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = () => {
        cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.held(ms, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.after(ms, () => {
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    });
    return controller.signal;
  }
}

class SystemClock extends TimerClock {
  now(): number {
    return Date.now();
  }

  /** Its timers never keep the process alive: a server stops whatever they wait for. */
  after(ms: number, callback: () => void): () => void {
    return this.timer(ms, callback, false);
  }

  protected override held(ms: number, callback: () => void): () => void {
    return this.timer(ms, callback, true);
  }

  private timer(ms: number, callback: () => void, hold: boolean): () => void {
    const timer = setTimeout(callback, ms);
    if (!hold) timer.unref();
    return () => {
      clearTimeout(timer);
    };
  }

  random(): number {
    return Math.random();
  }
}

/**
 * The real clock. Composition roots name it (serve, the CLI, driver factories), and the few waits on the operating
 * system that a test's clock must not hold up (a stopping process's grace, local/processes.ts).
 */
export const systemClock: Clock = new SystemClock();

/**
 * `ms` spread at random up to `factor` times more, as client-go's `wait.Jitter`: clients that failed together
 * (every watch of a server when the API server restarts) do not all try again at the same moment.
 */
export function jitter(ms: number, factor: number, clock: Pick<Clock, 'random'>): number {
  return factor > 0 ? ms + clock.random() * factor * ms : ms;
}
