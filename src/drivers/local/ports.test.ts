import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, waitUntilListening } from './ports.js';

describe('waitUntilListening', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const open = server;
    if (open !== undefined) await new Promise((resolve) => open.close(resolve));
    server = undefined;
  });

  it('resolves true once the port accepts connections, also when it starts listening later', async () => {
    const port = await freePort();
    const waiting = waitUntilListening(port, { timeoutMs: 5000, intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    await expect(waiting).resolves.toBe(true);
  });

  it('resolves false when nothing listens before the timeout', async () => {
    const port = await freePort();
    const began = Date.now();
    await expect(waitUntilListening(port, { timeoutMs: 150, intervalMs: 20 })).resolves.toBe(false);
    expect(Date.now() - began).toBeGreaterThanOrEqual(150);
  });

  it('resolves false when cancelled, even with the port listening', async () => {
    const port = await freePort();
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    // Were the cancellation ignored, the port would answer and the wait resolve true.
    await expect(waitUntilListening(port, { timeoutMs: 5000, cancelled: () => true })).resolves.toBe(false);
  });

  it('stops polling as soon as it is cancelled, long before its timeout', async () => {
    const port = await freePort();
    let polls = 0;
    const cancelled = () => ++polls > 3;
    const began = Date.now();
    const waited = waitUntilListening(port, { timeoutMs: 60_000, intervalMs: 20, cancelled });
    // Were the cancellation ignored, the wait would go on for its 60 s: this bound answers first.
    const bound = new Promise<'still waiting'>((resolve) => {
      setTimeout(() => {
        resolve('still waiting');
      }, 2000).unref();
    });
    await expect(Promise.race([waited, bound])).resolves.toBe(false);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(polls).toBe(4);
  });
});
