import { vi } from 'vitest';

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/**
 * Reads until `done` holds, with `vi.waitFor`; at the timeout it fails with `notYet` of the last value read. A read
 * that throws ends the wait at once: it is a failure, not a state to wait out.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  notYet: (last: T) => string,
  options: PollOptions,
): Promise<T> {
  const outcome = await vi.waitFor(
    async () => {
      const seen = await read().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if ('value' in seen && !done(seen.value)) throw new Error(notYet(seen.value));
      return seen;
    },
    { timeout: options.timeoutMs, interval: options.intervalMs },
  );
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
