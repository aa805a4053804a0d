// NTC thermistor: the simulated divider on an analog pin read by the Thermistor driver; open and short faults.
import { describe, expect, test } from '@jest/globals';
import { Thermistor, type ThermistorOptions } from '../../firmware/drivers/ntc/ntc.js';
import { openParts } from '../../firmware/parts/open-parts.js';
import { thermistor } from '../../firmware/parts/thermistor.js';
import { createHostHal, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachThermistor, type ThermistorChipOptions } from '../../simulator/chips/thermistor.js';
import { steppedHal } from './io-support.js';

const PIN = 36;

function rig(chip: ThermistorChipOptions = {}, driver: Partial<ThermistorOptions> = {}) {
  const hal = steppedHal();
  const ntc = attachThermistor(hal.io, PIN, chip);
  const sensor = new Thermistor({ sensor: { pin: PIN, io: hal.device.io.Analog! }, ...driver });
  return { hal, ntc, sensor };
}

describe('Thermistor', () => {
  test('°C through the divider and the beta equation, to within an ADC step, from −40 to 150 °C', () => {
    const { ntc, sensor } = rig();
    for (const celsius of [-40, -20, -10, 0, 20, 25, 40, 60, 85, 100, 150]) {
      ntc.setCelsius(celsius);
      expect(Math.abs(sensor.sample()! - celsius)).toBeLessThan(celsius > 100 || celsius < -20 ? 0.5 : 0.2);
    }
  });

  test('25 °C is half scale with r25 = seriesR; a warmer thermistor reads lower', () => {
    const { hal, ntc } = rig({ celsius: 25 });
    expect(hal.io.pin(PIN).analog).toBe(2048);
    ntc.setCelsius(60);
    expect(hal.io.pin(PIN).analog).toBeLessThan(1000);
  });

  test('another thermistor and divider agree on both sides', () => {
    const parts = { beta: 3435, r25: 100_000, seriesR: 47_000 };
    const { hal, ntc, sensor } = rig({ ...parts, celsius: 70 }, parts);
    expect(Math.abs(sensor.sample()! - 70)).toBeLessThan(0.2);
    ntc.setCelsius(-5);
    expect(Math.abs(sensor.sample()! - -5)).toBeLessThan(0.2);
    sensor.close();
    const defaults = new Thermistor({ sensor: { pin: PIN, io: hal.device.io.Analog! } });
    expect(Math.abs(defaults.sample()! - -5)).toBeGreaterThan(5); // the wrong parts' figures are far off
  });

  test('an open or shorted thermistor is a fault (undefined), never a temperature; repaired, it reads again', () => {
    const { ntc, sensor } = rig({ celsius: 30 });
    ntc.open();
    expect(sensor.sample()).toBeUndefined();
    ntc.short();
    expect(sensor.sample()).toBeUndefined();
    expect(sensor.faults).toBe(2);
    ntc.setCelsius(30);
    expect(Math.abs(sensor.sample()! - 30)).toBeLessThan(0.2);
    expect(sensor.faults).toBe(2);
  });

  test('a reading just inside a rail is a fault too: a cut wire with a little leakage is not −60 °C', () => {
    const { hal, sensor } = rig();
    hal.io.pin(PIN).setAnalog(4060); // 99.1 % of full scale
    expect(sensor.sample()).toBeUndefined();
    hal.io.pin(PIN).setAnalog(30); // 0.7 %
    expect(sensor.sample()).toBeUndefined();
    hal.io.pin(PIN).setAnalog(4000);
    expect(sensor.sample()).toBeLessThan(-40);
  });

  test('bad options are refused; close frees the pin; sample after close throws', () => {
    const { hal, sensor } = rig();
    const { Analog } = hal.device.io;
    expect(() => new Thermistor({ sensor: { pin: 39, io: Analog! }, beta: 0 })).toThrow(RangeError);
    expect(() => new Thermistor({ sensor: { pin: 39, io: Analog! }, seriesR: Number.NaN })).toThrow(RangeError);
    expect(() => new Thermistor({ sensor: { pin: 39, io: Analog! }, samples: 0 })).toThrow(RangeError);
    sensor.close();
    expect(hal.io.pin(PIN).owner).toBeUndefined();
    expect(() => sensor.sample()).toThrow(/closed/);
    sensor.close();
  });

  test('the part opens on the board pin with its parts\' figures; a device without Analog reports it', () => {
    const board = Object.freeze({ name: 'ntc-board', pin: Object.freeze({ temperature: PIN }) });
    const hal = createHostHal({ storage: createHostStorage(), board, clock: new SteppedClock() });
    const parts = { beta: 3435, r25: 100_000, seriesR: 47_000 };
    attachThermistor(hal.io, PIN, { ...parts, celsius: 55 });
    const context = { device: hal.device, timers: hal.timers, clock: hal.clock, events: {} };
    const opened = openParts({ temperature: thermistor({ pin: 'temperature', ...parts }) }, context);
    expect(Math.abs(opened.parts.temperature!.sample()! - 55)).toBeLessThan(0.2);
    const none = openParts({ temperature: thermistor({ pin: 'temperature' }) }, { ...context, device: { board, io: { Digital: hal.device.io.Digital } } });
    expect(none.health()).toEqual({ hardware: { temperature: 'no Analog input' } });
  });

  test('the simulated thermistor refuses temperatures below absolute zero', () => {
    const { ntc } = rig();
    expect(() => ntc.setCelsius(-300)).toThrow(RangeError);
    expect(() => ntc.setCelsius(Number.NaN)).toThrow(RangeError);
  });
});
