import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/manual-clock.js';
import { freePort, waitUntilListening } from './ports.js';

/** Moves `clock` on by `stepMs` each time the wait sleeps (after each real connection attempt), until it ends. */
async function runOut<T>(clock: ManualClock, waiting: Promise<T>, stepMs: number): Promise<T> {
  const state = { done: false };
  const ended = waiting.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  for (;;) {
    await Promise.race([clock.whenPending(), ended]);
    if (state.done) return waiting;
    await clock.advance(stepMs);
  }
}

describe('waitUntilListening', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const open = server;
    if (open !== undefined) await new Promise((resolve) => open.close(resolve));
    server = undefined;
  });

  it('resolves true once the port accepts connections, also when it starts listening later', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const waiting = waitUntilListening(port, { timeoutMs: 5000, intervalMs: 20, clock });
    // The first attempt was refused: the wait sleeps until its next poll.
    await clock.whenPending();
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    await expect(runOut(clock, waiting, 20)).resolves.toBe(true);
    expect(clock.now() - Date.UTC(2025, 0, 1)).toBe(20);
  });

  it('resolves false when nothing listens before the timeout, and not before', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const began = clock.now();
    const waiting = waitUntilListening(port, { timeoutMs: 150, intervalMs: 20, clock });
    await expect(runOut(clock, waiting, 20)).resolves.toBe(false);
    // Polled every 20 ms until the first poll at or after 150 ms.
    expect(clock.now() - began).toBe(160);
  });

  it('resolves false when cancelled, even with the port listening', async () => {
    const port = await freePort();
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    // Were the cancellation ignored, the port would answer and the wait resolve true.
    await expect(
      waitUntilListening(port, { timeoutMs: 5000, cancelled: () => true, clock: new ManualClock() }),
    ).resolves.toBe(false);
  });

  it('stops polling as soon as it is cancelled, long before its timeout', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const began = clock.now();
    let polls = 0;
    const cancelled = () => ++polls > 3;
    const waited = waitUntilListening(port, { timeoutMs: 60_000, intervalMs: 20, cancelled, clock });
    await expect(runOut(clock, waited, 20)).resolves.toBe(false);
    expect(polls).toBe(4);
    // Three refused attempts, each followed by a 20 ms sleep, then the check that cancels.
    expect(clock.now() - began).toBe(60);
  });
});
