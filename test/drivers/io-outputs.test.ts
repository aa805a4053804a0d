// Relay and Indicator on virtual pins: what the wire saw (pin history) on a stepped clock.
import { describe, expect, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import { Relay } from '../../firmware/io/relay.js';
import { Indicator } from '../../firmware/io/indicator.js';

const PIN = 26;

function boot(): SteppedHal {
  return steppedHal();
}

function levels(hal: SteppedHal, pin = PIN): [number, number][] {
  return hal.io.pin(pin).history.map((change) => [change.at, change.level]);
}

describe('Relay', () => {
  test.each([
    [false, 0],
    [true, 1],
  ])('activeLow=%s: construction writes the OFF level (%i) once and never ON', (activeLow, offLevel) => {
    const hal = boot();
    const relay = new Relay({ io: hal.device.io.Digital, pin: PIN, activeLow });
    expect(levels(hal)).toEqual([[0, offLevel]]);
    expect(relay.energized).toBe(false);
    hal.clock.advance(10_000); // nothing moves it later on its own either
    expect(levels(hal)).toEqual([[0, offLevel]]);
  });

  test('a restart (new boot, new Relay) writes OFF only, even when it was energized before', () => {
    let hal = boot();
    const relay = new Relay({ io: hal.device.io.Digital, pin: PIN });
    relay.on();
    expect(hal.io.pin(PIN).level).toBe(1);
    hal.dispose();
    hal = boot();
    new Relay({ io: hal.device.io.Digital, pin: PIN });
    expect(levels(hal)).toEqual([[0, 0]]);
  });

  test('on, off and energized follow the active level', () => {
    const hal = boot();
    const relay = new Relay({ io: hal.device.io.Digital, pin: PIN, activeLow: true });
    relay.on();
    expect(relay.energized).toBe(true);
    expect(hal.io.pin(PIN).level).toBe(0);
    relay.off();
    expect(relay.energized).toBe(false);
    expect(hal.io.pin(PIN).level).toBe(1);
  });

  test('pulse energizes for exactly ms; a new pulse restarts it; off() cancels it', () => {
    const hal = boot();
    const relay = new Relay({ io: hal.device.io.Digital, pin: PIN });
    hal.clock.advance(100);
    relay.pulse(3000, hal.timers);
    hal.clock.advance(1000);
    relay.pulse(3000, hal.timers); // at 1100: ends at 4100
    hal.clock.advance(2999);
    expect(relay.energized).toBe(true);
    hal.clock.advance(1);
    expect(relay.energized).toBe(false);
    expect(levels(hal)).toEqual([[0, 0], [100, 1], [1100, 1], [4100, 0]]);

    relay.pulse(500, hal.timers);
    relay.off();
    hal.clock.advance(1000);
    expect(levels(hal).slice(-2)).toEqual([[4100, 1], [4100, 0]]);
    expect(() => relay.pulse(0, hal.timers)).toThrow(RangeError);
  });

  test('close() during a pulse releases the relay and frees the pin', () => {
    const hal = boot();
    const relay = new Relay({ io: hal.device.io.Digital, pin: PIN });
    relay.pulse(1000, hal.timers);
    relay.close();
    expect(hal.io.pin(PIN).history.at(-1)?.level).toBe(0);
    expect(hal.io.pin(PIN).owner).toBeUndefined();
    hal.clock.advance(2000);
    expect(hal.clock.pendingTimers).toBe(0);
  });
});

describe('Indicator', () => {
  test('plays a pattern once and ends off', () => {
    const hal = boot();
    const led = new Indicator({ io: hal.device.io.Digital, pin: PIN, timers: hal.timers });
    led.play([100, 50, 200]);
    expect(led.playing).toBe(true);
    hal.clock.advance(1000);
    expect(led.playing).toBe(false);
    expect(levels(hal)).toEqual([[0, 0], [0, 1], [100, 0], [150, 1], [350, 0]]);
  });

  test('repeats n times, skips 0 ms steps, honours activeLow', () => {
    const hal = boot();
    const led = new Indicator({ io: hal.device.io.Digital, pin: PIN, timers: hal.timers, activeLow: true });
    led.play([100, 0, 0, 100], 2);
    hal.clock.advance(399);
    expect(led.playing).toBe(true);
    hal.clock.advance(1);
    expect(led.playing).toBe(false);
    // activeLow: on = 0, off = 1
    expect(levels(hal)).toEqual([[0, 1], [0, 0], [100, 1], [200, 0], [300, 1]]);
  });

  test('repeat=true runs until stop(); play() replaces the running pattern', () => {
    const hal = boot();
    const led = new Indicator({ io: hal.device.io.Digital, pin: PIN, timers: hal.timers });
    led.play([10, 90], true);
    hal.clock.advance(9_999);
    const ons = hal.io.pin(PIN).history.filter((change) => change.level === 1).length;
    expect(ons).toBe(100);
    expect(led.playing).toBe(true);
    led.play([500]);
    hal.clock.advance(499);
    expect(hal.io.pin(PIN).level).toBe(1);
    hal.clock.advance(1);
    expect(hal.io.pin(PIN).level).toBe(0);
    led.play([10, 10], true);
    led.stop();
    expect(led.playing).toBe(false);
    expect(hal.io.pin(PIN).level).toBe(0);
    expect(hal.clock.pendingTimers).toBe(0);
  });

  test('rejects bad patterns; an all-zero pattern plays nothing', () => {
    const hal = boot();
    const led = new Indicator({ io: hal.device.io.Digital, pin: PIN, timers: hal.timers });
    expect(() => led.play([100, -1])).toThrow(RangeError);
    expect(() => led.play([100], 1.5)).toThrow(RangeError);
    led.play([0, 0]);
    expect(led.playing).toBe(false);
  });
});
