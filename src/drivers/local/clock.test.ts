import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('runs what falls due in time order, each at its own time, and nothing early', () => {
    const clock = new ManualClock(1000);
    const ran: [string, number][] = [];
    clock.after(300, () => ran.push(['c', clock.now()]));
    clock.after(100, () => {
      ran.push(['a', clock.now()]);
      // Scheduled while time moves: runs in the same advance when it falls due within it.
      clock.after(50, () => ran.push(['b', clock.now()]));
    });
    clock.after(100, () => ran.push(['a2', clock.now()]));
    expect(clock.pending()).toEqual([100, 100, 300]);
    clock.advance(99);
    expect(ran).toEqual([]);
    clock.advance(200);
    expect(ran).toEqual([
      ['a', 1100],
      ['a2', 1100],
      ['b', 1150],
    ]);
    expect(clock.now()).toBe(1299);
    expect(clock.pending()).toEqual([1]);
    clock.advance(1);
    expect(ran.at(-1)).toEqual(['c', 1300]);
  });

  it('forgets a cancelled callback', () => {
    const clock = new ManualClock();
    let ran = false;
    const cancel = clock.after(10, () => {
      ran = true;
    });
    cancel();
    clock.advance(1000);
    expect(ran).toBe(false);
    expect(clock.pending()).toEqual([]);
  });
});

describe('systemClock', () => {
  it('tells the time and cancels a timer', () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const cancel = systemClock.after(0, () => {
      throw new Error('cancelled, never run');
    });
    cancel();
  });
});
