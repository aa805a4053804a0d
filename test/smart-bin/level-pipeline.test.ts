// The level pipeline over time: when it measures, flags with hysteresis, crossings and emptyings reported at
// once, filling speed and forecast, the reporting cadence, settings and the persisted summary.
import { describe, expect, test } from '@jest/globals';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { FIXED_SPEED_OF_SOUND, speedOfSound } from '../../firmware/apps/smart-bin/level/estimate.js';
import { LevelPipeline, levelEventData, type LevelBurstResult, type LevelReport } from '../../firmware/apps/smart-bin/level/pipeline.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2027, 0, 4);
/** heightMm 1100, blindMm 250: 850 mm of visible depth. A clean burst at `pct` as a module reads it at 20 °C. */
const rawFor = (pct: number) => ((1100 - (pct / 100) * 850) * FIXED_SPEED_OF_SOUND) / speedOfSound(20);
const burstAt = (pct: number): LevelReading[] => [0, 2, -2, 1, -1].map((d) => ({ mm: Math.round(rawFor(pct)) + d }));

class Clock {
  ms = T0;
  constructor(readonly level = new LevelPipeline({ reportS: 6 * 3600 })) {}
  /** A burst at `pct` after `afterMs`, with the lid closed for a while and the bin upright. */
  at(pct: number, afterMs = HOUR, extra: { lidClosedMs?: number; tilted?: boolean } = {}): LevelBurstResult {
    this.ms += afterMs;
    return this.level.burst({ readings: burstAt(pct), celsius: 20, lidClosedMs: extra.lidClosedMs ?? 600_000, tilted: extra.tilted ?? false, wallMs: this.ms });
  }
}
const report = (r: LevelBurstResult): LevelReport | undefined => ('report' in r ? r.report : undefined);

describe('when it measures', () => {
  test('lid open, just closed, tilted: skipped with the reason, nothing learnt', () => {
    const c = new Clock();
    expect(c.at(90, HOUR, { lidClosedMs: 0 })).toEqual({ skipped: 'lidOpen' });
    expect(c.at(90, HOUR, { lidClosedMs: 20_000 })).toEqual({ skipped: 'settling' });
    expect(c.at(90, HOUR, { tilted: true })).toEqual({ skipped: 'tilted' });
    expect(c.level.fillPct).toBeUndefined();
    expect(c.level.full).toBe(false);
    const measured = c.at(90, HOUR, { lidClosedMs: 60_000 });
    expect('estimate' in measured && measured.estimate.fillPct).toBeCloseTo(90, 0);
  });
});

describe('thresholds', () => {
  test('full at highPct, cleared only below highPct − hysteresis: no flapping around the line', () => {
    const c = new Clock();
    c.at(70);
    const crossing = c.at(80.2);
    expect(report(crossing)).toMatchObject({ why: 'crossing', full: true });
    const whys: (string | undefined)[] = [];
    for (const pct of [78, 80.5, 77, 79.5, 76]) whys.push(report(c.at(pct, 10 * 60_000))?.why);
    expect(whys).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(c.level.full).toBe(true);
    expect(report(c.at(74.5, 10 * 60_000))).toMatchObject({ why: 'crossing', full: false });
  });

  test('empty at lowPct, cleared above lowPct + hysteresis', () => {
    const c = new Clock();
    c.at(25);
    expect(report(c.at(9.5))).toMatchObject({ why: 'crossing', empty: true });
    expect(c.level.empty).toBe(true);
    c.at(14);
    expect(c.level.empty).toBe(true);
    expect(report(c.at(16))).toMatchObject({ why: 'crossing', empty: false });
  });

  test('the blind zone sets full at once, whatever highPct is', () => {
    const c = new Clock(new LevelPipeline({ highPct: 95, lowPct: 10 }));
    c.at(82);
    c.ms += HOUR;
    const r = c.level.burst({ readings: [{ mm: 240 }, { mm: 236 }, { mm: 480 }, { fault: 'noEcho' }, { mm: 244 }], celsius: 20, lidClosedMs: 600_000, tilted: false, wallMs: c.ms });
    expect(report(r)).toMatchObject({ why: 'crossing', full: true, estimate: { status: 'blind', fillPct: 100 } });
  });

  test('a low-quality estimate is reported but moves no flag', () => {
    const c = new Clock();
    c.at(50);
    c.ms += 7 * HOUR;
    const shaky = c.level.burst({ readings: [{ mm: 450 }, { mm: 455 }, { fault: 'noEcho' }, { fault: 'noEcho' }, { fault: 'noEcho' }], celsius: 20, lidClosedMs: 600_000, tilted: false, wallMs: c.ms });
    expect('estimate' in shaky && shaky.estimate.quality).toBeLessThan(40);
    expect(report(shaky)?.why).toBe('periodic');
    expect(c.level.full).toBe(false);
    expect(c.level.fillPct).toBe(50);
  });

  test('a sensor fault moves no flag and no level; it comes with the next report, with no fill', () => {
    const c = new Clock();
    c.at(85);
    const fault = () => {
      c.ms += HOUR;
      return c.level.burst({ readings: Array(5).fill({ fault: 'noEcho' }), celsius: 20, lidClosedMs: 600_000, tilted: false, wallMs: c.ms });
    };
    expect(report(fault())).toBeUndefined();
    const r = fault(); // 2 h since the last report: due when full
    const data = levelEventData(report(r)!, 1);
    expect(data).toMatchObject({ c: 1, status: 'fault', fault: 'noEcho', why: 'periodic', full: true });
    expect(data).not.toHaveProperty('fillPct');
    expect(c.level.fillPct).toBeCloseTo(85, 0);
  });

  test('a leap up waits for the next burst to agree: a rim echo winning one burst sets no flag', () => {
    const c = new Clock();
    c.at(30);
    expect(report(c.at(93))?.why).not.toBe('crossing');
    expect(c.level.full).toBe(false);
    c.at(31);
    c.at(93);
    expect(report(c.at(93.5))).toMatchObject({ why: 'crossing', full: true }); // two in a row: a real leap
  });
});

describe('emptying, speed, forecast', () => {
  test('a big drop is an emptying, reported at once; the speed restarts from it', () => {
    const c = new Clock();
    for (let pct = 10; pct <= 85; pct += 5) c.at(pct, 4 * HOUR); // 5 % per 4 h = 30 %/day
    const emptied = report(c.at(2, 4 * HOUR));
    expect(emptied).toMatchObject({ why: 'emptied', full: false });
    expect(emptied?.emptied?.fromPct).toBeCloseTo(85, 0);
    expect(emptied?.emptied?.toPct).toBeCloseTo(2, 0);
    expect(emptied?.speedPctDay).toBeUndefined(); // no history since the emptying yet
    expect(c.level.state().emptyings).toBe(1);
  });

  test('a lone leap up is a misreading, not a level to empty from', () => {
    const c = new Clock();
    c.at(30);
    c.at(31);
    c.at(75); // a wall echo won this burst
    expect(report(c.at(31))?.why).not.toBe('emptied');
    expect(c.level.state().emptyings).toBe(0);
  });

  test('average filling speed (%/day) and the forecast date it reaches highPct', () => {
    const c = new Clock();
    for (let h = 0; h <= 48; h += 6) c.at(10 + (20 * h) / 24, h === 0 ? HOUR : 6 * HOUR); // 20 %/day from 10 %
    const r = c.level.request(c.ms)!;
    expect(r.why).toBe('request');
    expect(r.speedPctDay).toBeCloseTo(20, 0);
    // 50 % now, 80 % at 20 %/day: in 1.5 days.
    expect(Math.abs(r.forecastFullTs! - (c.ms + 1.5 * DAY))).toBeLessThan(HOUR);
  });

  test('no speed before half a day of history; no forecast when not filling', () => {
    const c = new Clock();
    c.at(20);
    c.at(22, 3 * HOUR);
    expect(c.level.request(c.ms)!.speedPctDay).toBeUndefined();
    c.at(22, DAY);
    const flat = new Clock();
    flat.at(20);
    flat.at(20, DAY);
    expect(flat.level.request(flat.ms)).toMatchObject({ speedPctDay: 0 });
    expect(flat.level.request(flat.ms)!.forecastFullTs).toBeUndefined();
  });
});

test('a fixed reflector seen in three half-days is learnt; its echoes no longer win a burst', () => {
  const c = new Clock();
  const burst = (surfaceMm: number, wallReadings: number) => {
    c.ms += 6 * HOUR;
    const readings: LevelReading[] = [];
    for (let i = 0; i < 5; i++) readings.push({ mm: i < wallReadings ? 520 + i : surfaceMm + i });
    return c.level.burst({ readings, lidClosedMs: 600_000, tilted: false, wallMs: c.ms });
  };
  for (let i = 0; i < 6; i++) burst(1000 - 10 * i, 2); // the wall is the nearer of two groups, day after day
  expect(c.level.reflectorsMm()).toEqual([521]);
  const r = burst(900, 3); // the wall now outnumbers the surface
  expect('estimate' in r && r.estimate.distanceMm).toBe(904); // the median of 903 and 904
  expect(JSON.parse(JSON.stringify(c.level.state())).reflectors).toHaveLength(1);
  // Only the reflector answers, far from the last level: the surface was silent, not up there.
  expect(burst(900, 5)).toMatchObject({ estimate: { status: 'fault', fault: 'reflector' } });
  expect(c.level.fillPct).toBeCloseTo(((1100 - 903.5) / 850) * 100, 0);
});

describe('reporting cadence', () => {
  test('reportS while low, half of it from half of highPct, a quarter when full', () => {
    const c = new Clock();
    expect(c.level.nextReportMs()).toBe(6 * HOUR);
    c.at(20);
    expect(c.level.nextReportMs()).toBe(6 * HOUR);
    c.at(35);
    c.at(45);
    expect(c.level.nextReportMs()).toBe(3 * HOUR);
    for (const pct of [60, 72, 84]) c.at(pct);
    expect(c.level.full).toBe(true);
    expect(c.level.nextReportMs()).toBe(1.5 * HOUR);
  });

  test('periodic reports come when due, and more often as it fills', () => {
    const c = new Clock();
    const periodic = (from: number, to: number) => {
      let n = 0;
      for (let h = 0; h < 24; h++) if (report(c.at(from + ((to - from) * h) / 24))?.why === 'periodic') n++;
      return n;
    };
    expect(periodic(20, 38)).toBe(4); // the first burst, then every 6 h
    expect(periodic(45, 60)).toBe(8); // every 3 h
  });
});

describe('settings and state', () => {
  test('inconsistent or out-of-range settings are refused with a reason; the old ones stay', () => {
    const level = new LevelPipeline();
    expect(level.configure({ lowPct: 78 })).toMatch(/apart/);
    expect(level.configure({ heightMm: 200, blindMm: 250 })).toMatch(/blindMm/);
    expect(level.configure({ reportS: 10 })).toMatch(/reportS/);
    expect(level.configure({ sensor: 'radar' as 'tof' })).toMatch(/sensor/);
    expect(level.settings.lowPct).toBe(10);
    expect(level.configure({ highPct: 90, reportS: 3600 })).toBeUndefined();
    expect(level.settings).toMatchObject({ highPct: 90, reportS: 3600 });
    expect(() => new LevelPipeline({ hysteresisPct: -1 })).toThrow(RangeError);
  });

  test('state round trip: small JSON; flags, last level, baseline, emptyings and reflectors survive', () => {
    const c = new Clock();
    for (let h = 0; h < 30; h++) c.at(20 + 2 * h);
    c.at(3); // emptied
    c.at(5, DAY);
    const saved = JSON.stringify(c.level.state());
    expect(saved.length).toBeLessThan(400);
    const again = new LevelPipeline({ reportS: 6 * 3600 });
    expect(again.restore(JSON.parse(saved))).toBeUndefined();
    expect(again.state()).toEqual(c.level.state());
    expect(again.request(c.ms)).toBeUndefined(); // no estimate since boot
    // The next burst gives both the same flags, speed and forecast.
    const restored = new Clock(again);
    restored.ms = c.ms;
    c.at(8);
    restored.at(8);
    const [before, after] = [c.level.request(c.ms)!, again.request(restored.ms)!];
    expect(after).toMatchObject({ full: before.full, empty: before.empty, speedPctDay: before.speedPctDay, forecastFullTs: before.forecastFullTs });
    expect(after.speedPctDay).toBeGreaterThan(0);
  });

  test('a corrupt saved state is refused with a reason; the pipeline starts afresh', () => {
    const level = new LevelPipeline();
    for (const bad of [null, 'x', { v: 2 }, { v: 1, full: 'yes', empty: false, emptyings: 0, reflectors: [] },
      { v: 1, full: true, empty: false, emptyings: 0, reflectors: [], pct: 150, ts: 1 },
      { v: 1, full: true, empty: false, emptyings: 0, reflectors: [[1, 2]] }]) {
      expect(level.restore(bad)).toEqual(expect.any(String));
    }
    expect(level.state()).toEqual({ v: 1, full: false, empty: false, emptyings: 0, reflectors: [] });
  });
});

test('the bin.level event data carries the LwM2M 3435 fields', () => {
  const c = new Clock();
  c.at(40);
  c.ms += HOUR;
  c.level.burst({ readings: burstAt(50), celsius: 20, lidClosedMs: 600_000, tilted: false, wallMs: c.ms });
  const data = levelEventData(c.level.request(c.ms)!, 2);
  expect(data).toEqual({
    c: 2, fillPct: expect.any(Number), fillMm: expect.any(Number), distanceMm: expect.any(Number), heightMm: 1100,
    status: 'ok', quality: expect.any(Number), full: false, empty: false, highPct: 80, lowPct: 10, tempC: 20, why: 'request',
  });
  expect(data.fillPct).toBeCloseTo(50, 0);
  expect(Math.abs((data.fillMm as number) - 425)).toBeLessThanOrEqual(1);
  expect(Math.abs((data.distanceMm as number) - 675)).toBeLessThanOrEqual(1);
});
