// VL53L1X driver against the register-level simulated sensor on a virtual I2C bus: identification and boot
// checks, ST's initialisation (default block, calibration ranging, VHV settings), ranging with one reading per
// measure(), range statuses (sunlight, no target, wraparound, synchronisation), distance mode and timing budget,
// a sensor that stops answering, close().
import { describe, expect, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { Vl53l1x } from '../../firmware/drivers/vl53l1x/vl53l1x.js';
import { attachVl53l1x, DEVICE_STATUS, type Vl53l1xChip, type Vl53l1xChipOptions, type Vl53l1xSees } from '../../simulator/chips/vl53l1x.js';

interface Rig {
  hal: SteppedHal;
  chip: Vl53l1xChip;
  readings: LevelReading[];
  /** What the sensor sees at its next results (the last one repeats). */
  sees: Vl53l1xSees[];
  open(): Vl53l1x;
}

function rig(chipOptions: Partial<Vl53l1xChipOptions> = {}): Rig {
  const hal = steppedHal();
  const sees: Vl53l1xSees[] = [{ mm: 700 }];
  const chip = attachVl53l1x(hal.io, { clock: hal.clock, reading: () => (sees.length > 1 ? sees.shift()! : sees[0]!), ...chipOptions });
  const readings: LevelReading[] = [];
  const open = () => new Vl53l1x({ sensor: { ...hal.device.board.i2c!, io: hal.device.io.SMBus! }, timers: hal.timers, onReading: (r) => readings.push(r) });
  return { hal, chip, readings, sees, open };
}

/** ST's default configuration, 0x2D–0x87, as listed in the ULD (VL53L1X_api.c), typed in again for the test. */
const ST_DEFAULT = [
  0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x02, 0x08, 0x00, 0x08, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x0f,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x0b, 0x00, 0x00, 0x02, 0x0a, 0x21, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0xc8,
  0x00, 0x00, 0x38, 0xff, 0x01, 0x00, 0x08, 0x00, 0x00, 0x01, 0xcc, 0x0f, 0x01, 0xf1, 0x0d, 0x01, 0x68, 0x00, 0x80, 0x08,
  0xb8, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x0d, 0x0e, 0x0e, 0x00,
  0x00, 0x02, 0xc7, 0xff, 0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
];

function registers(chip: Vl53l1xChip, from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => chip.register(from + i));
}

describe('VL53L1X identification and initialisation', () => {
  test("writes ST's default configuration, runs the calibration ranging, then sets VHV as the ULD does", () => {
    const { hal, chip, open } = rig();
    const tof = open();
    expect(registers(chip, 0x2d, ST_DEFAULT.length - 1)).toEqual(ST_DEFAULT.slice(0, -1)); // 0x87 now says "ranging"
    expect(chip.ranging).toBe(true);
    expect(chip.register(0x0008)).toBe(0);
    hal.clock.advance(110); // one 100 ms budget and a poll
    expect(chip.ranging).toBe(false);
    expect(chip.starts).toBe(1);
    expect(chip.register(0x0008)).toBe(0x09);
    expect(chip.register(0x000b)).toBe(0x00);
    expect([tof.distanceMode, tof.timingBudgetMs]).toEqual(['long', 100]);
    tof.close();
  });

  test('throws when the model id is not 0xEACC, when the firmware has not booted, and with no chip', () => {
    expect(() => rig({ modelId: 0xeaaa }).open()).toThrow('unexpected model id 0xeaaa');
    expect(() => rig({ booted: false }).open()).toThrow('not booted');
    expect(() => rig({ address: 0x30 }).open()).toThrow(/no device at 0x29/);
  });
});

describe('VL53L1X ranging', () => {
  test('measure() gives one reading with distance, signal and ambient rates, and stops ranging after it', () => {
    const { hal, chip, readings, sees, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    sees.splice(0, sees.length, { mm: 1000 }, { mm: 250 });
    tof.measure();
    hal.clock.advance(95);
    expect(readings).toEqual([]);
    hal.clock.advance(20);
    expect(readings).toEqual([{ mm: 1000, signal: 4000, ambient: 63 }]); // the chip's 60 kcps is 8/128 Mcps
    expect(chip.ranging).toBe(false);
    tof.measure();
    tof.measure(); // joins the ranging under way
    hal.clock.advance(500);
    expect(readings.slice(1)).toEqual([{ mm: 250, signal: expect.any(Number), ambient: 63 }, { mm: 250, signal: expect.any(Number), ambient: 63 }]);
    expect(chip.starts).toBe(3); // calibration + two rangings
    tof.close();
  });

  test('a measure() during the calibration ranging is answered after it, by a ranging of its own', () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    tof.measure();
    hal.clock.advance(300);
    expect(readings).toEqual([{ mm: 700, signal: expect.any(Number), ambient: 63 }]);
    expect(chip.starts).toBe(2);
    tof.close();
  });

  test('sunlight: a failed range under a strong ambient rate over the signal is "ambient"; no target or a weak return in the dark is noEcho', () => {
    const { hal, readings, sees, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    sees.splice(0, sees.length, { ambient: 20_000 }, 'noEcho', { ambient: 10 }, { mm: 400, ambient: 900 });
    for (let i = 0; i < 4; i++) {
      tof.measure();
      hal.clock.advance(200);
    }
    expect(readings).toEqual([{ fault: 'ambient' }, { fault: 'noEcho' }, { fault: 'noEcho' }, { mm: 400, signal: 25_000, ambient: 898 }]);
    tof.close();
  });

  test('range statuses: wraparound and out of bounds are "range"; min-range clipped is a distance; a synchronisation is skipped', () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    chip.forceStatus(DEVICE_STATUS.WRAP, DEVICE_STATUS.PHASE_CHECK, 8, DEVICE_STATUS.SYNC);
    for (let i = 0; i < 4; i++) {
      tof.measure();
      hal.clock.advance(300);
    }
    expect(readings.map((r) => ('mm' in r ? r.mm : r.fault))).toEqual(['range', 'range', 700, 700]);
    expect(chip.results).toBe(6); // calibration, three, and the synchronisation before the last
    tof.close();
  });

  test('a sensor that stops answering: "silent" after twice the budget plus 100 ms, and no exception', () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    chip.detach();
    tof.measure();
    hal.clock.advance(290);
    expect(readings).toEqual([]);
    hal.clock.advance(20);
    expect(readings).toEqual([{ fault: 'silent' }]);
    tof.close();
    expect(hal.clock.pendingTimers).toBe(0);
  });
  test('a calibration ranging that never ends: its waiting caller hears silent, and the next measure() calibrates again', () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    tof.measure();
    chip.detach();
    hal.clock.advance(310);
    expect(readings).toEqual([{ fault: 'silent' }]);
    hal.io.i2c(0).attach(0x29, chip); // back on the bus
    tof.measure();
    hal.clock.advance(300);
    expect(readings).toEqual([{ fault: 'silent' }, { mm: 700, signal: expect.any(Number), ambient: 63 }]);
    expect(chip.register(0x0008)).toBe(0x09);
    tof.close();
  });
});

describe('VL53L1X configuration', () => {
  test("short mode, 50 ms: ST's mode registers, the budget's macro periods and the inter-measurement period", () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    tof.configure({ distanceMode: 'short', timingBudgetMs: 50 });
    expect([chip.register(0x4b), chip.register(0x60), chip.register(0x63), chip.register(0x69)]).toEqual([0x14, 0x07, 0x05, 0x38]);
    expect(registers(chip, 0x78, 4)).toEqual([0x07, 0x05, 0x06, 0x06]);
    expect(registers(chip, 0x5e, 2)).toEqual([0x01, 0xae]);
    expect(registers(chip, 0x61, 2)).toEqual([0x01, 0xe8]);
    const period = Math.floor(0x178 * 50 * 1.075);
    expect(registers(chip, 0x6c, 4)).toEqual([period >>> 24, (period >>> 16) & 0xff, (period >>> 8) & 0xff, period & 0xff]);
    tof.measure();
    hal.clock.advance(45);
    expect(readings).toEqual([]);
    hal.clock.advance(15);
    expect(readings).toHaveLength(1);
    tof.configure({ distanceMode: 'long' }); // keeps 50 ms
    expect([chip.register(0x4b), ...registers(chip, 0x5e, 2), ...registers(chip, 0x61, 2)]).toEqual([0x0a, 0x00, 0xad, 0x00, 0xc6]);
    tof.close();
  });

  test('a budget the mode has no setting for is refused; settings asked for during a ranging wait for its end', () => {
    const { hal, chip, open } = rig();
    const tof = open();
    expect(() => tof.configure({ timingBudgetMs: 15 })).toThrow(RangeError); // 15 ms is short mode only
    expect(() => tof.configure({ distanceMode: 'short', timingBudgetMs: 25 })).toThrow(RangeError);
    expect(() => tof.configure({ distanceMode: 'medium' as 'short' })).toThrow(RangeError);
    tof.configure({ distanceMode: 'short', timingBudgetMs: 15 }); // while calibrating
    expect(chip.register(0x4b)).toBe(0x0a);
    expect([tof.distanceMode, tof.timingBudgetMs]).toEqual(['short', 15]);
    hal.clock.advance(200);
    expect([chip.register(0x4b), ...registers(chip, 0x5e, 2)]).toEqual([0x14, 0x00, 0x1d]);
    tof.close();
  });
});

describe('VL53L1X close()', () => {
  test('stops a ranging under way, drops its reading, leaves no timer; measure() afterwards throws', () => {
    const { hal, chip, readings, open } = rig();
    const tof = open();
    hal.clock.advance(200);
    tof.measure();
    tof.close();
    expect(chip.ranging).toBe(false);
    hal.clock.advance(1000);
    expect(readings).toEqual([]);
    expect(hal.clock.pendingTimers).toBe(0);
    expect(() => tof.measure()).toThrow('closed');
  });
});
