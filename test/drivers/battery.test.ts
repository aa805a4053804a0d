// Battery level by ADC: a simulated cell behind a divider on an analog pin, read by the firmware driver.
import { describe, expect, test } from '@jest/globals';
import { Battery, type BatteryOptions } from '../../firmware/drivers/battery/battery.js';
import { createHostHal } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachBattery, type BatteryChipOptions } from '../../simulator/chips/battery.js';

function rig(chipOptions: BatteryChipOptions = {}, driver: Partial<BatteryOptions> = {}) {
  const hal = createHostHal({ storage: createHostStorage({}) });
  const pin = hal.device.board.pin.battery!;
  const cell = attachBattery(hal.io, pin, chipOptions);
  const battery = new Battery({ analog: { io: hal.device.io.Analog!, pin }, dividerRatio: 2, ...driver });
  return { hal, cell, battery };
}

/** One ADC step seen at the cell: 3300 mV × 2 / 4095. */
const STEP_MV = 1.62;

describe('Battery', () => {
  test('reads the cell voltage through the divider, to within an ADC step', () => {
    for (const mv of [3000, 3300, 3712, 3999, 4200, 4350]) {
      const { cell, battery } = rig({ millivolts: mv });
      expect(Math.abs(battery.read().mv - mv)).toBeLessThanOrEqual(STEP_MV);
      expect(cell.millivolts).toBe(mv);
    }
  });

  test('percent follows the Li-ion curve: flat in the middle, steep at the ends, clamped', () => {
    const { cell, battery } = rig();
    const percentAt = (mv: number) => {
      cell.setMillivolts(mv);
      for (let i = 0; i < 4; i++) battery.read(); // past the smoothing window
      return battery.read().percent;
    };
    expect(percentAt(4200)).toBe(100);
    expect(percentAt(4300)).toBe(100);
    expect(percentAt(3300)).toBe(0);
    expect(percentAt(3000)).toBe(0);
    expect(percentAt(3840)).toBe(50);
    // 3.69 V is 10 %, 3.73 V is 20 %: linear in between.
    expect(percentAt(3710)).toBeGreaterThanOrEqual(14);
    expect(percentAt(3710)).toBeLessThanOrEqual(16);
    // The last 0.3 V below 3.6 V hold only 5 %: a straight line from empty to full would say about a third.
    expect(percentAt(3600)).toBeLessThan(6);
    const sweep = Array.from({ length: 221 }, (_, i) => battery.percentOf(3200 + 5 * i));
    expect(sweep.every((percent, i) => i === 0 || percent >= sweep[i - 1]!)).toBe(true);
  });

  test('the curve stretches to the configured empty and full voltages', () => {
    const { battery, hal } = rig({}, { emptyMv: 3000, fullMv: 4100 });
    const standard = new Battery({ analog: { io: hal.device.io.Analog!, pin: hal.device.board.pin.fillLevel! }, dividerRatio: 2 });
    expect(battery.percentOf(3000)).toBe(0);
    expect(battery.percentOf(4100)).toBe(100);
    expect(battery.percentOf(4200)).toBe(100);
    for (const fraction of [0.1, 0.25, 0.5, 0.6, 0.75, 0.9]) {
      expect(battery.percentOf(3000 + fraction * 1100)).toBe(standard.percentOf(3300 + fraction * 900));
    }
    expect(battery.percentOf(3550)).toBeGreaterThan(standard.percentOf(3550)); // a cell rated lower is fuller at 3.55 V
  });

  test('one sagging read (a radio burst) is smoothed; a lasting drop shows fully after the window', () => {
    const { cell, battery } = rig({ millivolts: 4000 }, { window: 4 });
    for (let i = 0; i < 4; i++) battery.read();
    cell.setMillivolts(3400);
    const sag = battery.read();
    expect(sag.mv).toBeGreaterThan(3800);
    expect(sag.mv).toBeLessThan(3900);
    cell.setMillivolts(4000);
    expect(Math.abs(battery.read().mv - 3850)).toBeLessThanOrEqual(2 * STEP_MV);
    cell.setMillivolts(3400);
    for (let i = 0; i < 3; i++) battery.read();
    expect(Math.abs(battery.read().mv - 3400)).toBeLessThanOrEqual(STEP_MV);
  });

  test('a different divider and reference agree on both sides', () => {
    const { cell, battery } = rig({ dividerRatio: 3, referenceMv: 2450, millivolts: 3900 }, { dividerRatio: 3, referenceMv: 2450 });
    expect(Math.abs(battery.read().mv - 3900)).toBeLessThanOrEqual(2);
    cell.setMillivolts(9000); // beyond the ADC's range: the pin saturates at full scale
    for (let i = 0; i < 4; i++) battery.read();
    expect(battery.read().mv).toBe(3 * 2450);
  });

  test('rejects bad options and use after close', () => {
    const { hal } = rig();
    const analog = { io: hal.device.io.Analog!, pin: hal.device.board.pin.fillLevel! };
    expect(() => new Battery({ analog, dividerRatio: 0 })).toThrow(RangeError);
    expect(() => new Battery({ analog, dividerRatio: 2, emptyMv: 4200, fullMv: 3300 })).toThrow(RangeError);
    expect(() => new Battery({ analog, dividerRatio: 2, samples: 0 })).toThrow(RangeError);
    const battery = new Battery({ analog, dividerRatio: 2 });
    battery.close();
    expect(() => battery.read()).toThrow(/closed/);
    expect(() => attachBattery(hal.io, 36).setMillivolts(Number.NaN)).toThrow(RangeError);
  });
});
