// The fill level as the station reports it (the pipeline's own unit tests are level-*.test.ts): bin.level with
// the LwM2M 3435 fields, the blind zone, a dead sensor, no level with the lid open, reports more often as a
// compartment fills, the re-tare after an emptying, and how little a quiet station writes to flash.
import { describe, expect, test } from '@jest/globals';
import { SmartBinDevice } from './smart-bin-device.js';

const LIVELY = { measureS: 120, reportS: 1800 };

function station(config: Record<string, unknown> = LIVELY): SmartBinDevice {
  const bin = new SmartBinDevice({ config }).boot();
  bin.advance(3000);
  return bin;
}

/** bin.level reports of compartment `c`, from the `from`-th on. */
function levels(bin: SmartBinDevice, c: number, from = 0): Record<string, unknown>[] {
  return bin.data('bin.level').filter((level) => level.c === c).slice(from);
}

describe('bin.level', () => {
  test('carries the 3435 fields: height, fill % and mm, distance, thresholds, flags, quality, temperature', () => {
    const bin = station();
    bin.world.fill(0, 40);
    bin.world.fill(1, 40);
    bin.minutes(5);
    for (const c of [0, 1]) {
      const level = levels(bin, c).at(-1)!;
      expect(level).toMatchObject({
        c, category: c === 0 ? 'recyclable' : 'other', heightMm: 1000, status: 'ok', full: false, empty: false,
        highPct: 80, lowPct: 10,
      });
      expect(level.tempC).toBeCloseTo(20, 0);
      const truth = bin.world.compartments[c]!.physics.truePct;
      expect(Math.abs((level.fillPct as number) - truth)).toBeLessThan(5);
      // Fill in mm over the depth the sensor sees (height less the 250 mm blind zone), and the distance to it.
      expect(Math.abs((level.fillMm as number) - ((level.fillPct as number) * 750) / 100)).toBeLessThanOrEqual(1);
      expect(Math.abs((level.distanceMm as number) + (level.fillMm as number) - 1000)).toBeLessThanOrEqual(1);
      expect(level.quality as number).toBeGreaterThanOrEqual(40);
      expect(level.quality as number).toBeLessThanOrEqual(100);
      expect(['periodic', 'crossing', 'request']).toContain(level.why);
    }
  });

  test('filling speed and forecast full date from the history (its baseline survives nights with the power off)', () => {
    const bin = station({ measureS: 120, reportS: 600 });
    bin.minutes(5); // empty: the speed's baseline
    const start = bin.hal.wallClock.now();
    // A heap growing every 8 hours; the station is off in between (time off costs the test nothing).
    for (const pct of [10, 25, 40]) {
      bin.world.fill(0, pct);
      bin.minutes(5);
      bin.powerCycle(8 * 3600_000);
      bin.advance(3000);
    }
    bin.world.fill(0, 55);
    bin.minutes(10); // a burst that agrees with the new level, then the next periodic report (reportS / 2)
    const last = levels(bin, 0).at(-1)!;
    const truth = bin.world.compartments[0]!.physics.truePct;
    expect(Math.abs((last.fillPct as number) - truth)).toBeLessThan(5);
    const days = (bin.hal.wallClock.now() - start) / 86_400_000;
    expect(days).toBeGreaterThan(1);
    expect(last.speedPctDay as number).toBeGreaterThan((0.8 * truth) / days);
    expect(last.speedPctDay as number).toBeLessThan((1.2 * truth) / days);
    // The day it reaches highPct (80 %) at that speed, from the last level.
    const report = bin.events('bin.level').filter((e) => (e.data as { c: number }).c === 0).at(-1)!;
    const forecast = report.ts + ((80 - (last.fillPct as number)) / (last.speedPctDay as number)) * 86_400_000;
    expect(Math.abs((last.forecastFullTs as number) - forecast)).toBeLessThan(5 * 60_000);
    expect(last.forecastFullTs as number).toBeGreaterThan(bin.hal.wallClock.now());
  });

  test('cold air (−10 °C) reads long on a fixed 58 µs/cm module: compensated with the station thermometer', () => {
    const bin = station();
    bin.world.setTemperature(-10);
    bin.world.fill(0, 30);
    bin.minutes(5);
    const level = levels(bin, 0).at(-1)!;
    expect(level.tempC).toBeCloseTo(-10, 0);
    expect(Math.abs((level.fillPct as number) - bin.world.compartments[0]!.physics.truePct)).toBeLessThan(4);
  });
});

describe('the blind zone', () => {
  test('waste up into the blind zone reads blind and full, never empty', () => {
    const bin = station();
    bin.world.fill(0, 50);
    bin.minutes(5);
    const from = levels(bin, 0).length;
    bin.world.fill(0, 110); // heaped above the rim, inside the sensor's blind zone
    bin.minutes(30);
    const after = levels(bin, 0, from);
    expect(after[0]).toMatchObject({ status: 'blind', fillPct: 100, empty: false, why: 'crossing' });
    // A leap that big is taken once the next burst agrees: full from then on.
    expect(after.find((level) => level.full)).toMatchObject({ status: 'blind', fillPct: 100, why: 'crossing' });
    for (const level of after) {
      expect(level.empty).toBe(false);
      expect(level.status === 'blind' || (level.fillPct as number) >= 95).toBe(true);
    }
    expect(bin.app.compartments[0]!.pipeline.full).toBe(true);
  });
});

describe('a sensor that answers nothing', () => {
  test.each([
    [0, 'silent'], // the UART module stops sending frames
    [1, 'noEcho'], // the time-of-flight sensor finds no target
  ])('compartment %i: status fault (%s), never 0 %%', (c, fault) => {
    const bin = station();
    bin.world.fill(c, 40);
    bin.minutes(5);
    const from = levels(bin, c).length;
    bin.world.setSensorDead(c, true);
    bin.minutes(20); // faults go out with the next periodic report (every reportS / 2 from half full)
    const after = levels(bin, c, from);
    expect(after.length).toBeGreaterThan(0);
    for (const level of after) {
      expect(level).toMatchObject({ status: 'fault', fault, empty: false });
      expect(level).not.toHaveProperty('fillPct');
    }
    // The last good level stands: health and status do not fall to 0.
    expect(bin.app.compartments[c]!.pipeline.fillPct).toBeGreaterThan(30);
    expect((bin.runtime.health().fill as number[])[c]).toBeGreaterThan(30);
  });

  test('sunlight on the time-of-flight window: faults or true levels, never an empty bin', () => {
    const bin = station();
    bin.world.fill(1, 40);
    bin.minutes(5);
    const from = levels(bin, 1).length;
    bin.world.ambient = 1;
    bin.minutes(15);
    for (const level of levels(bin, 1, from)) {
      expect(level.empty).toBe(false);
      if (level.status !== 'fault') expect(Math.abs((level.fillPct as number) - bin.world.compartments[1]!.physics.truePct)).toBeLessThan(8);
    }
    expect(bin.app.compartments[1]!.pipeline.fillPct).toBeGreaterThan(30);
  });
});

describe('the lid', () => {
  test('no level is taken with the lid open, nor before it has been shut settleS', () => {
    const bin = station();
    bin.world.fill(0, 40);
    bin.minutes(5);
    const from = levels(bin, 0).length;
    const compartment = bin.app.compartments[0]!;
    const shutLevel = compartment.pipeline.fillPct!;
    expect(bin.signedOpen(0, 600).code).toBe('ok');
    bin.advance(2000);
    const bursts = compartment.bursts;
    // A measurement asked for while it is open is set aside; the last level is what it answers.
    const measured = bin.command('smart-bin.measure', { c: 0 });
    expect(measured.data).toMatchObject({ last: [expect.objectContaining({ c: 0, why: 'request' })] });
    bin.minutes(9);
    expect(compartment.bursts).toBeGreaterThan(bursts);
    expect(levels(bin, 0, from)).toEqual([]);
    expect(compartment.pipeline.fillPct).toBe(shutLevel);
    bin.advance(60_000); // shut by itself at 10 min
    expect(compartment.lid.state).toBe('closed');
    bin.command('smart-bin.measure', { c: 0 });
    bin.advance(30_000); // shut for less than settleS (60 s): still nothing
    expect(levels(bin, 0, from).filter((level) => level.why !== 'request')).toEqual([]);
    expect(compartment.pipeline.fillPct).toBe(shutLevel);
  });
});

describe('a station knocked over', () => {
  test('takes no level while tilted (its sensors point at a wall), and does again once upright', () => {
    const bin = station();
    bin.world.fill(0, 30);
    bin.minutes(5);
    const compartment = bin.app.compartments[0]!;
    bin.world.tip(90);
    bin.minutes(2);
    expect(bin.app.watch!.tilted).toBe(true); // two checks in a row
    const before = compartment.pipeline.fillPct!;
    expect(before).toBeLessThan(50);
    bin.world.fill(0, 60);
    const bursts = compartment.bursts;
    bin.minutes(10);
    expect(compartment.bursts).toBeGreaterThan(bursts);
    expect(compartment.pipeline.fillPct).toBe(before);
    bin.world.tip(0);
    bin.minutes(6);
    expect(Math.abs(compartment.pipeline.fillPct! - bin.world.compartments[0]!.physics.truePct)).toBeLessThan(5);
  });
});

describe('report pace', () => {
  test('periodic reports come twice as often from half of highPct, four times as often when full', () => {
    const bin = station({ measureS: 900, reportS: 600 });
    /** Seconds between compartment 0's reports from its `from`-th on (a crossing or an emptying restarts the pace). */
    const gaps = (from: number) => {
      const times = bin.events('bin.level').filter((e) => (e.data as { c: number }).c === 0).slice(from).map((e) => e.ts);
      return times.slice(1).map((t, i) => (t - times[i]!) / 1000);
    };
    bin.world.fill(0, 55); // a heap about 60 % high: over half of highPct
    bin.advance(65_000);
    expect(levels(bin, 0)).toHaveLength(1);
    bin.minutes(11);
    const half = gaps(0);
    bin.world.fill(0, 75); // about 84 %: full once the next burst agrees with the leap
    bin.minutes(10);
    expect(levels(bin, 0).at(-1)).toMatchObject({ why: 'crossing', full: true });
    let from = levels(bin, 0).length - 1;
    bin.minutes(6);
    const full = gaps(from);
    bin.world.empty(0);
    bin.world.fill(0, 10); // about 20 %
    // The first burst after it may be too scattered to count (a fresh heap); an agreeing one reports the emptying.
    for (let waited = 0; levels(bin, 0).at(-1)!.why !== 'emptied'; waited += 30) {
      if (waited > 600) throw new Error('no emptying reported within 10 minutes');
      bin.advance(30_000);
    }
    expect(levels(bin, 0).at(-1)).toMatchObject({ full: false });
    from = levels(bin, 0).length - 1;
    bin.minutes(11);
    const low = gaps(from);
    expect(half).toHaveLength(2);
    expect(full).toHaveLength(2);
    expect(low).toHaveLength(1);
    for (const gap of half) expect(gap).toBeCloseTo(300, -1);
    for (const gap of full) expect(gap).toBeCloseTo(150, -1);
    expect(low[0]).toBeCloseTo(600, -1);
  });
});

describe('after an emptying', () => {
  test('bin.emptied, then the scale is tared again (weights drift): bin.tared why emptied', () => {
    const bin = station();
    bin.world.fill(0, 60);
    bin.minutes(10);
    expect(bin.data('bin.tared')).toEqual([]);
    bin.world.empty(0);
    bin.minutes(5);
    expect(bin.data('bin.emptied')).toEqual([expect.objectContaining({ c: 0 })]);
    const [tared] = bin.data('bin.tared');
    expect(tared).toMatchObject({ c: 0, why: 'emptied', driftG: expect.any(Number) });
    // The new zero is the empty compartment: what the scale says now is about nothing.
    let grams: number | undefined;
    bin.app.compartments[0]!.scale!.weigh((w) => { grams = w?.grams; });
    bin.advance(2000);
    expect(Math.abs(grams!)).toBeLessThan(20);
  });
});

describe('flash', () => {
  // A simulated hour costs the test a second or more (the UART module streams ten frames a second): half an hour
  // of bursts every minute stands for a day's 96 at the default measureS; the bound is per burst.
  test('a quiet station writes nothing per burst: the kv store not at all, the outbox only for reports', () => {
    const bin = station({ measureS: 60, reportS: 21_600 });
    bin.world.fill(0, 30);
    bin.world.fill(1, 20);
    bin.minutes(5);
    const kvBefore = bin.storage.kv.writes;
    const outbox = bin.storage.partition('outbox')!;
    const outboxBefore = outbox.writes;
    const bursts = () => bin.app.compartments.reduce((n, c) => n + c!.bursts, 0);
    const burstsBefore = bursts();
    const eventsBefore = bin.events().length;
    bin.minutes(30);
    const burstCount = bursts() - burstsBefore;
    const events = bin.events().slice(eventsBefore);
    expect(burstCount).toBeGreaterThanOrEqual(2 * 29);
    // kv: the level state is written on crossings and emptyings only, calibrations on commands: none here.
    expect(bin.storage.kv.writes - kvBefore).toBe(0);
    // The outbox: events only (no periodic report is due within the hour), a few writes each; never one a burst.
    expect(events.map((e) => e.type)).toEqual([]);
    expect(outbox.writes - outboxBefore).toBeLessThanOrEqual(4);
  });
});
