// HX711 load cell: the host io class clocks bits through virtual pins into the simulated chip (bit protocol,
// gain pulses, sign, not ready, power-down), the LoadCell driver samples bursts on top, scale.ts does the sums.
import { afterAll, describe, expect, test } from '@jest/globals';
import { LoadCell, type LoadCellOptions } from '../../firmware/drivers/hx711/load-cell.js';
import { calibrate, settle, toGrams } from '../../firmware/drivers/hx711/scale.js';
import { loadCell } from '../../firmware/parts/load-cell.js';
import { openParts } from '../../firmware/parts/open-parts.js';
import { createHostHal, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import type { HX711Options } from '../../hal/contract/io.js';
import { attachHx711, type Hx711ChipOptions } from '../../simulator/chips/hx711.js';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { steppedHal } from './io-support.js';
import { main as binDriversScenario } from './xs/bin-drivers-scenario.js';
import { random } from '../../scripts/falls/synthetic.js';

afterAll(() => killAllWorkers());

const DATA = 26;
const CLOCK = 27;
/** A conversion period at 10 SPS, and the first one after power-up. */
const PERIOD = 100;
const SETTLED = 400;

function rig(chip: Partial<Hx711ChipOptions> = {}) {
  const hal = steppedHal();
  const hx711 = attachHx711(hal.io, { data: DATA, clock: CLOCK, timers: hal.timers, ...chip });
  const open = (options: Partial<HX711Options> = {}) => new hal.device.io.HX711!({ data: DATA, clock: CLOCK, ...options });
  const risingEdges = () => hal.io.pin(CLOCK).history.filter((change) => change.level === 1).length;
  return { hal, hx711, open, risingEdges };
}


describe('HX711 io class and chip: bit protocol', () => {
  test('not ready before the first conversion: no clock pulse, undefined', () => {
    const { hal, open, risingEdges } = rig();
    const adc = open();
    hal.clock.advance(SETTLED - 1);
    expect(adc.read()).toBeUndefined();
    expect(risingEdges()).toBe(0);
  });

  test('25 pulses per read at gain 128; the first conversion only sets the gain; the value is the load', () => {
    const { hal, hx711, open, risingEdges } = rig({ grams: 1000 });
    const adc = open();
    hal.clock.advance(SETTLED);
    expect(adc.read()).toBeUndefined(); // made at whatever gain the chip had before
    expect(risingEdges()).toBe(25);
    expect(adc.read()).toBeUndefined(); // DOUT went high at the 25th pulse
    expect(risingEdges()).toBe(25);
    hal.clock.advance(PERIOD);
    expect(adc.read()).toBe(40_000 + 1000 * 210);
    expect(risingEdges()).toBe(50);
    expect(hx711.reads).toBe(2);
    expect(hx711.protocolErrors).toBe(0);
  });

  test('27 pulses select channel A at gain 64 for the next conversion, 26 channel B at 32', () => {
    const a64 = rig({ grams: 500 });
    const adc64 = a64.open({ gain: 64 });
    a64.hal.clock.advance(SETTLED);
    adc64.read();
    expect(a64.risingEdges()).toBe(27);
    a64.hal.clock.advance(PERIOD);
    expect(a64.hx711.gain).toBe(64);
    expect(adc64.read()).toBe((40_000 + 500 * 210) / 2);

    const b32 = rig({ channelBCounts: -777 });
    const adc32 = b32.open({ gain: 32 });
    b32.hal.clock.advance(SETTLED);
    adc32.read();
    expect(b32.risingEdges()).toBe(26);
    b32.hal.clock.advance(PERIOD);
    expect(b32.hx711.gain).toBe(32);
    expect(adc32.read()).toBe(-777);
  });

  test('24-bit two\'s complement is sign-extended; the chip clips at its limits', () => {
    const { hal, hx711, open } = rig();
    const adc = open();
    hal.clock.advance(SETTLED);
    adc.read();
    const readAt = (counts: number) => {
      hx711.setCounts(counts);
      hal.clock.advance(PERIOD);
      return adc.read();
    };
    expect(readAt(-12_345)).toBe(-12_345);
    expect(readAt(-1)).toBe(-1);
    expect(readAt(0)).toBe(0);
    expect(readAt(0x7f_fffe)).toBe(0x7f_fffe);
    expect(readAt(-0x80_0000)).toBe(-0x80_0000);
    expect(readAt(1e9)).toBe(0x7f_ffff);
    expect(readAt(-1e9)).toBe(-0x80_0000);
  });

  test('a conversion left unread is replaced by the next one', () => {
    const { hal, hx711, open } = rig({ grams: 10 });
    const adc = open();
    hal.clock.advance(SETTLED);
    adc.read();
    hx711.setGrams(20);
    hal.clock.advance(PERIOD);
    hx711.setGrams(30);
    hal.clock.advance(PERIOD);
    expect(adc.read()).toBe(40_000 + 30 * 210);
    expect(hx711.overwritten).toBe(1);
  });

  test('the clock held high powers the chip down; the falling edge resets it to gain 128 and settles again', () => {
    const { hal, hx711 } = rig({ grams: 100 });
    const { Digital } = hal.device.io;
    const clock = new Digital({ pin: CLOCK, mode: Digital.Output });
    const data = new Digital({ pin: DATA, mode: Digital.Input });
    const pulses = (count: number) => {
      let bits = 0;
      for (let i = 0; i < count; i++) {
        clock.write(1);
        if (i < 24) bits = bits * 2 + data.read();
        clock.write(0);
      }
      return bits;
    };
    clock.write(0);
    hal.clock.advance(SETTLED);
    pulses(27); // gain 64 from the next conversion
    hal.clock.advance(PERIOD);
    expect(hx711.gain).toBe(64);
    expect(data.read()).toBe(0);
    hal.clock.advance(5); // quick pulses never power it down
    expect(hx711.powerDowns).toBe(0);

    clock.write(1);
    hal.clock.advance(2);
    expect(hx711.poweredDown).toBe(true);
    expect(hx711.powerDowns).toBe(1);
    expect(data.read()).toBe(1);
    hal.clock.advance(1000);
    expect(data.read()).toBe(1); // no conversions while down
    clock.write(0);
    expect(hx711.poweredDown).toBe(false);
    expect(hx711.gain).toBe(128);
    hal.clock.advance(SETTLED - 1);
    expect(data.read()).toBe(1);
    hal.clock.advance(1);
    expect(data.read()).toBe(0);
    expect(pulses(25)).toBe(40_000 + 100 * 210); // at gain 128 again
  });

  test('fewer than 25 or more than 27 pulses are protocol errors and keep the gain', () => {
    const { hal, hx711 } = rig();
    const { Digital } = hal.device.io;
    const clock = new Digital({ pin: CLOCK, mode: Digital.Output });
    const pulses = (count: number) => {
      for (let i = 0; i < count; i++) {
        clock.write(1);
        clock.write(0);
      }
    };
    clock.write(0);
    hal.clock.advance(SETTLED);
    pulses(26); // channel B, gain 32
    hal.clock.advance(PERIOD);
    expect(hx711.gain).toBe(32);
    pulses(12);
    hal.clock.advance(PERIOD);
    pulses(28);
    hal.clock.advance(PERIOD);
    expect(hx711.protocolErrors).toBe(2);
    expect(hx711.gain).toBe(32);
    pulses(25); // a proper read
    hal.clock.advance(PERIOD);
    expect(hx711.gain).toBe(128);
    expect(hx711.protocolErrors).toBe(2);
  });

  test('bad options are refused; the pins are claimed until close, then free; read after close throws', () => {
    const { hal, open } = rig();
    expect(() => open({ gain: 100 as 128 })).toThrow(RangeError);
    expect(() => open({ gain: '128' as unknown as 128 })).toThrow(RangeError);
    expect(() => open({ clock: DATA })).toThrow(RangeError);
    expect(() => open({ data: -1 })).toThrow(RangeError);
    expect(hal.io.pin(DATA).owner).toBeUndefined(); // nothing left claimed by the refusals
    const adc = open();
    expect(hal.io.pin(DATA).owner).toBe('Digital');
    expect(() => open()).toThrow(/in use/);
    adc.close();
    expect(hal.io.pin(CLOCK).owner).toBeUndefined();
    expect(() => adc.read()).toThrow(/closed/);
    adc.close(); // twice is harmless
  });
});

describe('LoadCell', () => {
  function cellRig(chip: Partial<Hx711ChipOptions> = {}, driver: Partial<LoadCellOptions> = {}) {
    const base = rig(chip);
    const cell = new LoadCell({ adc: { data: DATA, clock: CLOCK, io: base.hal.device.io.HX711! }, timers: base.hal.timers, ...driver });
    const results: (number[] | undefined)[] = [];
    const done = (raws: number[] | undefined) => results.push(raws);
    return { ...base, cell, results, done };
  }

  test('a burst collects its count of conversions, once, and stops polling', () => {
    const { hal, hx711, cell, results, done } = cellRig({ grams: 250 });
    cell.sample(4, done);
    expect(cell.sampling).toBe(true);
    hal.clock.advance(SETTLED + 3 * PERIOD); // the first conversion sets the gain: three so far
    expect(results).toEqual([]);
    hal.clock.advance(PERIOD);
    expect(results).toEqual([[92_500, 92_500, 92_500, 92_500]]);
    expect(cell.sampling).toBe(false);
    hal.clock.advance(10 * PERIOD);
    expect(results).toHaveLength(1);
    expect(hx711.reads).toBe(5);
    expect(hal.clock.pendingTimers).toBe(1); // only the chip's own conversion timer
  });

  test('noisy conversions settle to the load: tare, calibrate with a known weight, weigh', () => {
    const { hal, hx711, cell } = cellRig({ noiseCounts: 300, random: random(7) });
    const burst = () => {
      let out: number[] | undefined;
      cell.sample(9, (raws) => { out = raws; });
      hal.clock.advance(SETTLED + 12 * PERIOD);
      return settle(out!);
    };
    const empty = burst();
    hx711.setGrams(2000);
    const known = burst();
    const scale = calibrate(known.raw, empty.raw, 2000)!;
    expect(scale).toBeGreaterThan(209);
    expect(scale).toBeLessThan(211);
    hx711.setGrams(1234);
    const weighed = burst();
    expect(Math.abs(toGrams(weighed.raw, { offset: empty.raw, scale }) - 1234)).toBeLessThan(3);
    expect(weighed.spread).toBeGreaterThan(0); // the noise shows in the spread (σ 300 counts: MAD ≈ 200)
    expect(weighed.spread).toBeLessThan(600);
    hx711.noiseCounts = 0;
    expect(burst().spread).toBe(0);
  });

  test('a silent chip ends the burst with undefined after the timeout', () => {
    const { hal, hx711, cell, results, done } = cellRig({}, { timeoutMs: 500 });
    hx711.stalled = true;
    cell.sample(3, done);
    hal.clock.advance(475);
    expect(results).toEqual([]);
    hal.clock.advance(25);
    expect(results).toEqual([undefined]);
    expect(cell.timeouts).toBe(1);
    expect(cell.sampling).toBe(false);
  });

  test('a chip that goes silent mid-burst fails the burst; the timeout runs from the last conversion', () => {
    const { hal, hx711, cell, results, done } = cellRig({}, { timeoutMs: 300 });
    cell.sample(5, done);
    hal.clock.advance(SETTLED + 2 * PERIOD); // gain read, then two conversions
    hx711.stalled = true;
    hal.clock.advance(275);
    expect(results).toEqual([]);
    hal.clock.advance(25);
    expect(results).toEqual([undefined]);
  });

  test('saturated conversions (an open bridge) are dropped and counted, and the burst times out', () => {
    const { hal, hx711, cell, results, done } = cellRig({}, { timeoutMs: 1000 });
    hx711.setCounts(5e8);
    cell.sample(2, done);
    hal.clock.advance(SETTLED + 10 * PERIOD);
    expect(results).toEqual([undefined]);
    expect(cell.saturated).toBeGreaterThanOrEqual(5);
  });

  test('one burst at a time, a count ≥ 1; close ends a burst without calling back and frees the pins', () => {
    const { hal, cell, results, done } = cellRig();
    expect(() => cell.sample(0, done)).toThrow(RangeError);
    cell.sample(2, done);
    expect(() => cell.sample(2, done)).toThrow(/already/);
    hal.clock.advance(SETTLED + PERIOD);
    cell.close();
    hal.clock.advance(10 * PERIOD);
    expect(results).toEqual([]);
    expect(hal.io.pin(DATA).owner).toBeUndefined();
    expect(() => cell.sample(1, done)).toThrow(/closed/);
  });
});

describe('load-cell part', () => {
  test('opens on the board\'s data and clock pins with its gain; a build without io.HX711 reports it', () => {
    const board = Object.freeze({ name: 'scale-board', pin: Object.freeze({ scaleData: DATA, scaleClock: CLOCK }) });
    const clock = new SteppedClock();
    const hal = createHostHal({ storage: createHostStorage(), board, clock });
    const hx711 = attachHx711(hal.io, { data: DATA, clock: CLOCK, timers: hal.timers, grams: 100 });
    const context = { device: hal.device, timers: hal.timers, clock: hal.clock, events: {} };
    const opened = openParts({ scale: loadCell({ data: 'scaleData', clock: 'scaleClock', gain: 64 }) }, context);
    const results: (number[] | undefined)[] = [];
    opened.parts.scale!.sample(2, (raws) => results.push(raws));
    clock.advance(SETTLED + 2 * PERIOD);
    expect(hx711.gain).toBe(64);
    expect(results).toEqual([[(40_000 + 100 * 210) / 2, (40_000 + 100 * 210) / 2]]);
    opened.close();
    expect(hal.io.pin(CLOCK).owner).toBeUndefined();

    const { HX711: _, ...without } = hal.device.io;
    const none = openParts({ scale: loadCell({ data: 'scaleData', clock: 'scaleClock' }) }, { ...context, device: { board, io: without } });
    expect(none.health()).toEqual({ hardware: { scale: 'no HX711 io class in this build' } });
  });
});

describe('scale arithmetic', () => {
  test('settle: median and median absolute deviation ignore a few wild conversions', () => {
    expect(settle([5])).toEqual({ raw: 5, spread: 0 });
    expect(settle([10, 12, 11, 9_000_000, 10, 11])).toEqual({ raw: 11, spread: 1 });
    expect(settle([4, 1, 3, 2])).toEqual({ raw: 2.5, spread: 1 });
    const raws = [3, 1, 2];
    settle(raws);
    expect(raws).toEqual([3, 1, 2]); // the caller's burst is left as it was
    expect(() => settle([])).toThrow(RangeError);
  });

  test('calibrate and toGrams invert each other, either polarity; a weight that moved nothing is no calibration', () => {
    expect(calibrate(40_000 + 210 * 500, 40_000, 500)).toBe(210);
    expect(toGrams(40_000 + 210 * 123, { offset: 40_000, scale: 210 })).toBeCloseTo(123, 9);
    const reversed = calibrate(40_000 - 210 * 500, 40_000, 500)!;
    expect(reversed).toBe(-210);
    expect(toGrams(40_000 - 210 * 80, { offset: 40_000, scale: reversed })).toBeCloseTo(80, 9);
    expect(calibrate(40_000, 40_000, 500)).toBeUndefined();
    expect(calibrate(50_000, 40_000, 0)).toBeUndefined();
    expect(calibrate(50_000, 40_000, Number.NaN)).toBeUndefined();
  });
});

// Bundling and starting xsnap take a few seconds on a loaded machine: 120 s, as io-xs.test.ts.
test('load cell, servo and thermistor give the same, expected outcome on XS and on Node', async () => {
  const node = binDriversScenario();
  expect(node).toMatchObject({
    // Each burst starts with the conversion made before the load changed: the median sees past it.
    bursts: [[20_000, 20_000, 20_000], [20_000, 230_000, 230_000], [230_000, 98_750, 98_750], 'fault'],
    scale: 105, grams: 750, gain: 64, timeouts: 1,
    celsius: [21.5, 85], open: 'fault', faults: 1,
    pwm: 43, horn: 12, // 30° is 833 µs: 43/1023 of 20 ms; stopped at 12° by the obstacle
  });
  expect(node['angles']).toEqual([4, 8, 12]);
  const xs = await runOnXs({ entry: 'test/drivers/xs/bin-drivers-scenario.ts' });
  expect(xs.result).toEqual(node);
}, 120_000);
