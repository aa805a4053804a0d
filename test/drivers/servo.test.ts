// Lid servo: the Servo io piece's pulse widths on the host PWM, and the simulated servo's slew and blocking.
import { describe, expect, test } from '@jest/globals';
import { Servo, type ServoOptions } from '../../firmware/io/servo.js';
import { openParts } from '../../firmware/parts/open-parts.js';
import { servo as servoPart } from '../../firmware/parts/servo.js';
import { createHostHal, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachServo, type ServoChipOptions } from '../../simulator/chips/servo.js';
import { steppedHal } from './io-support.js';

const PIN = 25;
/** One step of the host PWM at 50 Hz: 20,000 µs / 1023. */
const STEP_US = 20_000 / 1023;

function rig(chip: Partial<ServoChipOptions> = {}, driver: Partial<ServoOptions> = {}) {
  const hal = steppedHal();
  const moves: number[] = [];
  const horn = attachServo(hal.io, { pin: PIN, timers: hal.timers, onMove: (degrees) => moves.push(degrees), ...chip });
  const servo = new Servo({ pwm: { pin: PIN, io: hal.device.io.PWM! }, ...driver });
  return { hal, horn, servo, moves, pwm: () => hal.io.pin(PIN).pwm };
}

describe('Servo', () => {
  test('50 Hz frames; 0°, 90° and 180° are 500, 1500 and 2500 µs pulses, to within a PWM step', () => {
    const { servo, horn, pwm } = rig();
    expect(pwm()?.hz).toBe(50);
    for (const [degrees, us] of [[0, 500], [45, 1000], [90, 1500], [180, 2500]] as const) {
      servo.angle(degrees);
      expect(Math.abs(horn.pulseUs! - us)).toBeLessThanOrEqual(STEP_US / 2);
      expect(servo.degrees).toBe(degrees);
    }
  });

  test('no pulses until an angle is asked for, and none after release()', () => {
    const { servo, horn, pwm } = rig();
    expect(pwm()?.value).toBe(0);
    expect(horn.pulseUs).toBeUndefined();
    servo.angle(120);
    expect(pwm()?.value).toBeGreaterThan(0);
    servo.release();
    expect(pwm()?.value).toBe(0);
    expect(servo.degrees).toBeUndefined();
  });

  test('a narrower servo range maps 0–180° onto it', () => {
    const { servo, horn } = rig({ minUs: 1000, maxUs: 2000 }, { minUs: 1000, maxUs: 2000 });
    servo.angle(0);
    expect(Math.abs(horn.pulseUs! - 1000)).toBeLessThanOrEqual(STEP_US / 2);
    servo.angle(180);
    expect(Math.abs(horn.pulseUs! - 2000)).toBeLessThanOrEqual(STEP_US / 2);
  });

  test('angles outside 0–180 and bad ranges are refused; close releases and frees the pin', () => {
    const { hal, servo, pwm } = rig();
    expect(() => servo.angle(-1)).toThrow(RangeError);
    expect(() => servo.angle(181)).toThrow(RangeError);
    expect(() => servo.angle(Number.NaN)).toThrow(RangeError);
    expect(() => new Servo({ pwm: { pin: 26, io: hal.device.io.PWM! }, minUs: 2000, maxUs: 1000 })).toThrow(RangeError);
    expect(() => new Servo({ pwm: { pin: 26, io: hal.device.io.PWM!, hz: 1000 } })).toThrow(/frame/);
    servo.angle(30);
    servo.close();
    expect(pwm()?.value).toBe(0);
    expect(hal.io.pin(PIN).owner).toBeUndefined();
    expect(() => servo.angle(10)).toThrow(/closed/);
    servo.close();
  });
});

describe('servo part', () => {
  const board = Object.freeze({ name: 'lid-board', pin: Object.freeze({ lid: PIN }) });

  test('opens on the board pin at 50 Hz with its range; a device without PWM reports it and runs on', () => {
    const hal = createHostHal({ storage: createHostStorage(), board, clock: new SteppedClock() });
    const horn = attachServo(hal.io, { pin: PIN, timers: hal.timers, minUs: 1000, maxUs: 2000 });
    const context = { device: hal.device, timers: hal.timers, clock: hal.clock, events: {} };
    const opened = openParts({ lid: servoPart({ pin: 'lid', minUs: 1000, maxUs: 2000 }) }, context);
    opened.parts.lid!.angle(180);
    expect(Math.abs(horn.pulseUs! - 2000)).toBeLessThanOrEqual(STEP_US / 2);
    opened.close();
    expect(hal.io.pin(PIN).owner).toBeUndefined();

    const noPwm = openParts({ lid: servoPart({ pin: 'lid' }) }, { ...context, device: { board, io: { Digital: hal.device.io.Digital } } });
    expect(noPwm.parts.lid).toBeUndefined();
    expect(noPwm.health()).toEqual({ hardware: { lid: 'no PWM output' } });
  });
});

describe('simulated servo', () => {
  test('turns toward the commanded angle at its slew rate, one step per 20 ms frame, and stops there', () => {
    const { hal, servo, horn, moves } = rig({ slewDegPerS: 200 });
    servo.angle(90);
    expect(horn.target).toBeCloseTo(90, 0);
    hal.clock.advance(100); // 200°/s: 20° in 100 ms
    expect(horn.angle).toBeCloseTo(20, 6);
    expect(moves).toHaveLength(5);
    hal.clock.advance(340);
    expect(horn.angle).toBeCloseTo(88, 6);
    hal.clock.advance(20);
    expect(horn.angle).toBe(horn.target);
    expect(horn.moving).toBe(false);
    expect(hal.clock.pendingTimers).toBe(0);
  });

  test('a new angle mid-way turns it back; release leaves it where it is', () => {
    const { hal, servo, horn } = rig({ degrees: 90 });
    servo.angle(180);
    hal.clock.advance(100);
    expect(horn.angle).toBeCloseTo(110, 6);
    servo.angle(0);
    hal.clock.advance(100);
    expect(horn.angle).toBeCloseTo(90, 6);
    servo.release();
    hal.clock.advance(1000);
    expect(horn.angle).toBeCloseTo(90, 6);
    expect(horn.target).toBeUndefined();
  });

  test('blocked: an obstacle stops it where it is; cleared, it goes on', () => {
    const { hal, servo, horn, moves } = rig({ degrees: 90 });
    servo.angle(0); // closing the lid
    hal.clock.advance(200);
    expect(horn.angle).toBeCloseTo(50, 6);
    horn.blocked = true;
    const steps = moves.length;
    hal.clock.advance(1000);
    expect(horn.angle).toBeCloseTo(50, 6);
    expect(moves).toHaveLength(steps);
    servo.angle(0); // pulses go on: still blocked
    hal.clock.advance(100);
    expect(horn.angle).toBeCloseTo(50, 6);
    horn.blocked = false;
    hal.clock.advance(240);
    expect(horn.moving).toBe(true);
    hal.clock.advance(40);
    expect(horn.angle).toBe(horn.target);
  });

  test('a PWM signal that is no servo frame (1 kHz) does not move it', () => {
    const hal = steppedHal();
    const horn = attachServo(hal.io, { pin: PIN, timers: hal.timers, degrees: 45 });
    const pwm = new hal.device.io.PWM!({ pin: PIN, hz: 1000 });
    pwm.write(512);
    hal.clock.advance(1000);
    expect(horn.target).toBeUndefined();
    expect(horn.angle).toBe(45);
  });
});
