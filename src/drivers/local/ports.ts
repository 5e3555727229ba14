import { connect, createServer } from 'node:net';
import type { Clock } from '../../core/clock.js';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/** Whether something accepts TCP connections on `port`. */
function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Waits until `port` accepts connections, polling every `intervalMs`; false when `timeoutMs` passes first or
 * `cancelled()` says the wait no longer matters.
 */
export async function waitUntilListening(
  port: number,
  options: {
    host?: string;
    timeoutMs: number;
    intervalMs?: number;
    cancelled?: () => boolean;
    /** The polls' interval and the deadline go by it. */
    clock: Clock;
  },
): Promise<boolean> {
  const { clock } = options;
  const host = options.host ?? '127.0.0.1';
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    if (options.cancelled?.() === true) return false;
    if (await accepts(port, host)) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(options.intervalMs ?? 100);
  }
}
