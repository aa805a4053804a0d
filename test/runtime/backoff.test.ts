import { Backoff } from '../../firmware/runtime/backoff.js';

describe('Backoff', () => {
  it('doubles up to the cap and stays between half and all of each step', () => {
    let r = 0;
    const randoms = [0, 0.999999];
    const backoff = new Backoff({ initialMs: 1000, maxMs: 10_000, random: () => randoms[r++ % 2]! });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    const ceilings = [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i]!);
    });
    expect(delays[0]).toBe(500);
    expect(delays[1]).toBe(2000);
  });

  it('never retries at once and spreads a fleet', () => {
    const delays = new Set<number>();
    for (let device = 0; device < 50; device++) {
      const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });
      for (let i = 0; i < 5; i++) backoff.next();
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(16_000);
      delays.add(delay);
    }
    expect(delays.size).toBeGreaterThan(40);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
    for (let i = 0; i < 6; i++) backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(75);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
