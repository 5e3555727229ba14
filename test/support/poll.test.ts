import { describe, expect, it } from 'vitest';
import { pollUntil } from './poll.js';

/** A read that answers 1, 2, 3, ... one number per call. */
function counter(): { read: () => Promise<number>; calls: () => number } {
  let n = 0;
  return { read: () => Promise.resolve(++n), calls: () => n };
}

describe('pollUntil', () => {
  it('answers the first value that is done', async () => {
    const { read } = counter();
    expect(await pollUntil(read, (n) => n === 3, String, { timeoutMs: 2000, intervalMs: 5 })).toBe(3);
  });

  it('fails at the timeout with the last value read', async () => {
    const { read, calls } = counter();
    const error = await pollUntil(
      read,
      () => false,
      (last) => `not yet: ${last}`,
      {
        timeoutMs: 200,
        intervalMs: 10,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^not yet: \d+$/);
    // The message names the value of the last attempt, not a stale one.
    expect(Number((error as Error).message.slice('not yet: '.length))).toBeGreaterThanOrEqual(calls() - 1);
  });

  it('ends at once when a read fails, with its error', async () => {
    const refused = new Error('connection refused');
    let calls = 0;
    const read = () => {
      calls += 1;
      return Promise.reject(refused);
    };
    await expect(pollUntil(read, () => true, String, { timeoutMs: 5000, intervalMs: 10 })).rejects.toBe(
      refused,
    );
    // Not tried again: a retry would have come after the first interval.
    expect(calls).toBe(1);
  });
});
