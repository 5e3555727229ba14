import { describe, expect, it } from 'vitest';
import { jitter, systemClock } from './clock.js';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('runs what falls due in time order, each at its own time, and nothing early', async () => {
    const clock = new ManualClock({ start: 1000 });
    const ran: [string, number][] = [];
    clock.after(300, () => ran.push(['c', clock.now()]));
    clock.after(100, () => {
      ran.push(['a', clock.now()]);
      // Scheduled while time moves: runs in the same advance when it falls due within it.
      clock.after(50, () => ran.push(['b', clock.now()]));
    });
    clock.after(100, () => ran.push(['a2', clock.now()]));
    expect(clock.pending()).toEqual([100, 100, 300]);
    await clock.advance(99);
    expect(ran).toEqual([]);
    await clock.advance(200);
    expect(ran).toEqual([
      ['a', 1100],
      ['a2', 1100],
      ['b', 1150],
    ]);
    expect(clock.now()).toBe(1299);
    expect(clock.pending()).toEqual([1]);
    await clock.advance(1);
    expect(ran.at(-1)).toEqual(['c', 1300]);
  });

  it('lets what a callback started go on before the next one runs', async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.after(10, () => void Promise.resolve().then(() => ran.push('continuation of the first')));
    clock.after(20, () => ran.push('second'));
    await clock.advance(20);
    expect(ran).toEqual(['continuation of the first', 'second']);
  });

  it('forgets a cancelled callback', async () => {
    const clock = new ManualClock();
    let ran = false;
    const cancel = clock.after(10, () => {
      ran = true;
    });
    cancel();
    await clock.advance(1000);
    expect(ran).toBe(false);
    expect(clock.pending()).toEqual([]);
  });

  it('sleeps until time moves on, or until the signal aborts', async () => {
    const clock = new ManualClock();
    const woke: string[] = [];
    void clock.sleep(100).then(() => woke.push('slept'));
    const controller = new AbortController();
    void clock.sleep(100, controller.signal).then(() => woke.push('aborted'));
    controller.abort();
    await clock.advance(0);
    expect(woke).toEqual(['aborted']);
    // The aborted sleep left no timer behind.
    expect(clock.pending()).toEqual([100]);
    await clock.advance(100);
    expect(woke).toEqual(['aborted', 'slept']);
  });

  it('aborts a timeout signal with a TimeoutError when its time comes', async () => {
    const clock = new ManualClock();
    const signal = clock.timeout(500);
    await clock.advance(499);
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('tells when something waits on it, and draws what it is given', async () => {
    const clock = new ManualClock({ random: () => 0.25 });
    let told = false;
    const waiting = clock.whenPending(1000).then(() => {
      told = true;
    });
    clock.after(5000, () => undefined);
    await clock.advance(0);
    expect(told).toBe(false);
    clock.after(1000, () => undefined);
    await waiting;
    expect(clock.random()).toBe(0.25);
  });
});

describe('jitter', () => {
  it('spreads a delay up to factor times more, by the random source', () => {
    expect(jitter(1000, 1, { random: () => 0 })).toBe(1000);
    expect(jitter(1000, 1, { random: () => 0.5 })).toBe(1500);
    expect(jitter(1000, 0.5, { random: () => 0.999 })).toBeCloseTo(1499.5);
    expect(jitter(1000, 0, { random: () => 0.5 })).toBe(1000);
  });
});

describe('systemClock', () => {
  it('holds the process while a sleep waits, never for a callback set with after', () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const cancel = systemClock.after(60_000, () => undefined);
    expect(timers()).toBe(before);
    cancel();
    const woken = new AbortController();
    const sleeping = systemClock.sleep(60_000, woken.signal);
    expect(timers()).toBe(before + 1);
    woken.abort();
    expect(timers()).toBe(before);
    return sleeping;
  });

  it('tells the time, cancels a timer, and runs one that is not cancelled', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const cancel = systemClock.after(0, () => {
      throw new Error('cancelled, never run');
    });
    cancel();
    await new Promise<void>((resolve) => systemClock.after(0, resolve));
    await systemClock.sleep(0);
    expect(systemClock.random()).toBeGreaterThanOrEqual(0);
    expect(systemClock.random()).toBeLessThan(1);
  });
});
