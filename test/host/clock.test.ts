import { describe, expect, test } from '@jest/globals';
import { REAL_TIME_CATCH_UP_PERIODS, RealTimeClock, SteppedClock } from '../../hal/host/clock.js';

describe('SteppedClock', () => {
  test('time moves only on advance', () => {
    const clock = new SteppedClock();
    expect(clock.now()).toBe(0);
    clock.advance(250);
    expect(clock.now()).toBe(250);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  test('timers fire in time order, ties in the order they were set, with now() at their due time', () => {
    const clock = new SteppedClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.timers.set(at('c'), 30);
    clock.timers.set(at('a'), 10);
    clock.timers.set(at('b1'), 20);
    clock.timers.set(at('b2'), 20);
    clock.advance(25);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20']);
    expect(clock.now()).toBe(25);
    clock.advance(5);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
  });

  test('a timer set by a callback fires within the same advance when it falls due', () => {
    const clock = new SteppedClock();
    const fired: number[] = [];
    clock.timers.set(() => {
      fired.push(clock.now());
      clock.timers.set(() => fired.push(clock.now()), 5);
      clock.timers.set(() => fired.push(clock.now()), 50);
    }, 10);
    clock.advance(20);
    expect(fired).toEqual([10, 15]);
    clock.advance(40);
    expect(fired).toEqual([10, 15, 60]);
  });

  test('repeat fires every period until cleared, also from its own callback', () => {
    const clock = new SteppedClock();
    const fired: number[] = [];
    const id = clock.timers.repeat(() => {
      fired.push(clock.now());
      if (fired.length === 3) clock.timers.clear(id);
    }, 100);
    clock.advance(1000);
    expect(fired).toEqual([100, 200, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  test('clear cancels a pending timer and tolerates undefined or fired ids', () => {
    const clock = new SteppedClock();
    let count = 0;
    const once = clock.timers.set(() => count++, 10);
    const cancelled = clock.timers.set(() => count += 100, 20);
    clock.timers.clear(cancelled);
    clock.timers.clear(undefined);
    clock.advance(30);
    clock.timers.clear(once);
    expect(count).toBe(1);
  });

  test('delays are whole milliseconds, as on the device: a fractional one never makes now() fractional', () => {
    const clock = new SteppedClock();
    const seen: number[] = [];
    clock.timers.set(() => seen.push(clock.now()), 2.4);
    clock.timers.repeat(() => seen.push(clock.now()), 0.5);
    clock.advance(3);
    expect(seen).toEqual([1, 2, 3, 3]);
    expect(seen.every(Number.isInteger)).toBe(true);
  });

  test('runNext jumps to the next timer', () => {
    const clock = new SteppedClock();
    let fired = false;
    clock.timers.set(() => { fired = true; }, 5000);
    expect(clock.nextDue()).toBe(5000);
    expect(clock.runNext()).toBe(true);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(5000);
    expect(clock.runNext()).toBe(false);
  });

  test('a throwing callback propagates out of advance and leaves the queue consistent', () => {
    const clock = new SteppedClock();
    const fired: number[] = [];
    clock.timers.set(() => { throw new Error('boom'); }, 10);
    clock.timers.set(() => fired.push(clock.now()), 20);
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    clock.advance(20);
    expect(fired).toEqual([20]);
  });

  test('wall clock: a guess until set, then valid and following monotonic time', () => {
    const clock = new SteppedClock({ wallTimeMs: 1_000_000 });
    expect(clock.wallClock.valid).toBe(false);
    clock.advance(500);
    expect(clock.wallClock.now()).toBe(1_000_500);
    clock.wallClock.set(1_700_000_000_000);
    expect(clock.wallClock.valid).toBe(true);
    clock.advance(1234);
    expect(clock.wallClock.now()).toBe(1_700_000_001_234);
    expect(() => clock.wallClock.set(Number.NaN)).toThrow(RangeError);
  });
});

describe('RealTimeClock', () => {
  test('fires timers from Node timers, scaled by speed, in order', async () => {
    const fired: string[] = [];
    const started = performance.now();
    const clock = new RealTimeClock({ speed: 10 });
    const done = new Promise<void>((resolve) => {
      clock.timers.set(() => fired.push('late'), 400);
      clock.timers.set(() => {
        fired.push('early');
        clock.timers.set(() => { fired.push('chained'); resolve(); }, 500);
      }, 200);
    });
    await done;
    const virtual = clock.now();
    const real = performance.now() - started;
    expect(fired).toEqual(['early', 'late', 'chained']);
    expect(virtual).toBeGreaterThanOrEqual(700);
    // Virtual time runs ten times faster than real time, however slow the machine is.
    expect(virtual / real).toBeGreaterThan(8);
    expect(virtual / real).toBeLessThan(12);
    clock.close();
  });

  test('close stops all timers and errors in callbacks do not stop the clock', async () => {
    const errors: unknown[] = [];
    const clock = new RealTimeClock({ onError: (error) => errors.push(error) });
    let ticks = 0;
    clock.timers.set(() => { throw new Error('bad callback'); }, 1);
    await new Promise<void>((resolve) => {
      clock.timers.repeat(() => {
        if (++ticks === 3) resolve();
      }, 5);
    });
    expect(errors).toHaveLength(1);
    clock.close();
    const before = ticks;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ticks).toBe(before);
    expect(clock.pendingTimers).toBe(0);
  });

  test('after a host stall, time seen from outside stops at an overdue timer, so timers keep the device\'s order', async () => {
    const clock = new RealTimeClock();
    const order: string[] = [];
    clock.timers.set(() => {
      order.push('bit');
      clock.timers.set(() => order.push('edge'), 0); // e.g. a pin edge handed to the driver
    }, 5);
    clock.timers.set(() => order.push('frame end'), 20); // e.g. the driver's end-of-frame timeout
    const until = performance.now() + 60;
    while (performance.now() < until); // the host stalls past both
    expect(clock.now()).toBe(5); // a network callback running now sees the overdue timer's time
    await new Promise<void>((resolve) => clock.timers.set(resolve, 30));
    expect(order).toEqual(['bit', 'edge', 'frame end']);
    clock.close();
  });
});

describe('real-time repeating timers after a host stall', () => {
  test('make up the missed periods at their own due times (a watchdog feed is not skipped past the watchdog)', async () => {
    const clock = new RealTimeClock({ speed: 100 });
    const feeds: number[] = [];
    let bitten: number | undefined;
    clock.timers.repeat(() => feeds.push(clock.now()), 100); // the feed, every 100 ms of device time
    clock.timers.set(() => (bitten = clock.now()), 250); // a one-shot that a skipped feed would let through first
    const until = performance.now() + 20; // 2 s of device time at 100×
    while (performance.now() < until);
    await new Promise<void>((resolve) => clock.timers.set(resolve, 10));
    // Each made-up feed at its own due time (a period apart), and the second before the one-shot due at 250.
    expect(feeds[1]! - feeds[0]!).toBe(100);
    expect(feeds[2]! - feeds[1]!).toBe(100);
    expect(feeds[1]!).toBeLessThan(bitten!);
    expect(bitten!).toBeLessThan(feeds[2]!);
    clock.close();
  });

  test('but only so many: after REAL_TIME_CATCH_UP_PERIODS in a row it skips to the present', async () => {
    const clock = new RealTimeClock({ speed: 1000 });
    let polls = 0;
    clock.timers.repeat(() => polls++, 1);
    const until = performance.now() + 50; // 50 s of device time: 50,000 missed 1 ms polls
    while (performance.now() < until);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    expect(polls).toBeGreaterThan(REAL_TIME_CATCH_UP_PERIODS);
    expect(polls).toBeLessThan(10_000);
    clock.close();
  });
});
