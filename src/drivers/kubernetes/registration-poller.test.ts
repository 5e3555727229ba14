import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/manual-clock.js';
import { RegistrationPoller, type RegistrationTimings } from './registration-poller.js';
import type { RegistrationTarget } from './worker-registration.js';

const TIMINGS: RegistrationTimings = {
  fastMs: 100,
  slowMs: 1000,
  maxAgeMs: 3000,
  timeoutMs: 60_000,
  concurrency: 2,
};

/** A cluster whose master pod is ready (or not) and whose ready workers have these IPs. */
function target(workers: string[], masterReady = true): RegistrationTarget {
  const master = masterReady ? 'm/10.0.0.1/0' : undefined;
  return { masterKey: master, readyWorkerHosts: workers, signature: `${master ?? '-'} ${workers.join(',')}` };
}

/** A master per cluster whose answer the test sets; records each ask. */
class Masters {
  readonly asks: string[] = [];
  readonly changed: string[] = [];
  readonly alive = new Map<string, string[]>();
  failing: Error | undefined;
  /** Asks hang until aborted. */
  hanging = false;
  inFlight = 0;
  maxInFlight = 0;

  fetch = async (cluster: string, signal: AbortSignal): Promise<unknown> => {
    this.asks.push(cluster);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hanging) {
        await new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reject(new Error('aborted'));
          });
        });
      }
      if (this.failing !== undefined) throw this.failing;
      return {
        status: 'ALIVE',
        workers: (this.alive.get(cluster) ?? []).map((host) => ({ host, state: 'ALIVE' })),
      };
    } finally {
      this.inFlight -= 1;
    }
  };
}

let masters: Masters;
let poller: RegistrationPoller;
let clock: ManualClock;

function start(forgetAfterMs?: number, timings: Partial<RegistrationTimings> = {}): void {
  poller = new RegistrationPoller(
    {
      fetch: masters.fetch,
      changed: (cluster) => {
        masters.changed.push(cluster);
      },
    },
    clock,
    { ...TIMINGS, ...timings },
    forgetAfterMs,
  );
}

/** Lets what is due now happen. */
const soon = () => clock.advance(0);

const asksOf = (cluster: string) => masters.asks.filter((c) => c === cluster).length;

beforeEach(() => {
  clock = new ManualClock();
  masters = new Masters();
});
afterEach(() => {
  poller.stop();
});

describe('RegistrationPoller', () => {
  it('asks a master once it is ready, and applies what it says', async () => {
    start();
    poller.update('c', target(['10.0.0.2'], false));
    await clock.advance(500);
    expect(masters.asks).toEqual([]);
    expect(poller.facts('c')).toBeUndefined();

    masters.alive.set('c', ['10.0.0.2']);
    poller.update('c', target(['10.0.0.2']));
    await soon();
    expect(masters.asks).toEqual(['c']);
    expect(poller.facts('c')).toEqual({ masterKey: 'm/10.0.0.1/0', aliveHosts: new Set(['10.0.0.2']) });
    expect(masters.changed).toEqual(['c']);
  });

  it('asks every fastMs while a ready worker is not registered, every slowMs once all are', async () => {
    start();
    poller.update('c', target(['10.0.0.2']));
    await soon();
    await clock.advance(1000);
    // Unregistered: at 0, 100, 200 ... 1000.
    expect(asksOf('c')).toBe(11);
    // The same answer again and again is not a change.
    expect(masters.changed).toEqual(['c']);

    masters.alive.set('c', ['10.0.0.2']);
    await clock.advance(100);
    const registered = asksOf('c');
    expect(poller.facts('c')).toMatchObject({ aliveHosts: new Set(['10.0.0.2']) });
    await clock.advance(2500);
    expect(asksOf('c') - registered).toBe(2);
  });

  it('asks again at once when the pods change, and forgets what a master said once it is not ready', async () => {
    start();
    masters.alive.set('c', ['10.0.0.2']);
    poller.update('c', target(['10.0.0.2']));
    await soon();
    expect(asksOf('c')).toBe(1);
    poller.update('c', target(['10.0.0.2', '10.0.0.3']));
    await soon();
    expect(asksOf('c')).toBe(2);

    poller.update('c', target(['10.0.0.2'], false));
    expect(poller.facts('c')).toBeUndefined();
    await clock.advance(5000);
    expect(asksOf('c')).toBe(2);
  });

  it('records why a master could not be asked, and backs off up to slowMs', async () => {
    start();
    masters.failing = new Error("cannot read the master's /json/: Kubernetes answered 503: no endpoints");
    poller.update('c', target(['10.0.0.2']));
    await soon();
    expect(poller.facts('c')).toEqual({
      masterKey: 'm/10.0.0.1/0',
      problem: "cannot read the master's /json/: Kubernetes answered 503: no endpoints",
    });
    // 100, 200, 400, 800, then 1000 each: asks at 0, 100, 300, 700, 1500, 2500, 3500.
    await clock.advance(3600);
    expect(asksOf('c')).toBe(7);
  });

  it('does not count an answer older than maxAgeMs', async () => {
    start();
    masters.alive.set('c', ['10.0.0.2']);
    poller.update('c', target(['10.0.0.2']));
    await soon();
    masters.hanging = true;
    await clock.advance(2900);
    expect(poller.facts('c')).toMatchObject({ aliveHosts: new Set(['10.0.0.2']) });
    await clock.advance(200);
    expect(poller.facts('c')).toEqual({
      masterKey: 'm/10.0.0.1/0',
      problem: 'the master was last asked 3 s ago',
    });
    expect(masters.changed).toEqual(['c', 'c']);
  });

  it('keeps at most `concurrency` asks in flight', async () => {
    start();
    masters.hanging = true;
    for (let i = 0; i < 10; i++) poller.update(`c${String(i)}`, target([]));
    await clock.advance(1000);
    expect(masters.maxInFlight).toBe(2);
    expect(masters.asks).toHaveLength(2);
  });

  it('stops asking about a deleted cluster, and (reads without the cache) about one no read has shown', async () => {
    start(2500);
    poller.update('gone', target([]));
    poller.update('unread', target([]));
    await soon();
    poller.update('gone', undefined);
    expect(poller.facts('gone')).toBeUndefined();
    await clock.advance(1500);
    expect(asksOf('gone')).toBe(1);
    expect(asksOf('unread')).toBe(2);
    // Asked at 0, 1000 and 2000 (all registered: every slowMs), then forgotten at 2500.
    await clock.advance(5000);
    expect(poller.facts('unread')).toBeUndefined();
    expect(asksOf('unread')).toBe(3);
  });

  it('stops: asks under way are abandoned and nothing is asked any more', async () => {
    start();
    masters.hanging = true;
    poller.update('c', target([]));
    await soon();
    expect(masters.inFlight).toBe(1);
    poller.stop();
    await soon();
    expect(masters.inFlight).toBe(0);
    poller.update('c', target(['x']));
    await clock.advance(5000);
    expect(masters.asks).toEqual(['c']);
  });
});
