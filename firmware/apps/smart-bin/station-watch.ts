// The station's own dangers, checked every watchS: fire (the compartment air at or above fireC, or rising
// fireRiseC within a minute: smouldering waste heats fast before it flames) and tilt (knocked over, or lifted
// off its base: the angle between the accelerometer's z axis and gravity). A condition must hold on two checks in
// a row to raise and be gone on two in a row to clear, so one odd reading does neither. The temperature also
// feeds the ultrasonic level sensor's speed-of-sound correction.
import type { MonotonicClock, TimerId, Timers } from '../../../hal/contract/time.js';
import type { Acceleration } from '../../drivers/lis3dh/lis3dh.js';

export interface Thermometer {
  sample(): number | undefined;
}

export interface TiltSensor {
  sample(): Acceleration;
}

export interface StationWatchOptions {
  thermometer: Thermometer | undefined;
  accel: TiltSensor | undefined;
  timers: Timers;
  clock: MonotonicClock;
  settings(): { watchS: number; fireC: number; fireRiseC: number; tiltDeg: number };
  onFire(active: boolean, celsius: number | undefined): void;
  onTilt(active: boolean, degrees: number | undefined): void;
  log(level: 'info' | 'warn', message: string): void;
}

/** Checks in a row that raise or clear a condition. */
export const CONFIRM_CHECKS = 2;
/** A fire clears only this far below fireC (no flapping around the limit). */
export const FIRE_CLEAR_MARGIN_C = 10;
export const TILT_CLEAR_MARGIN_DEG = 5;
const MINUTE_MS = 60_000;

class Confirmed {
  active = false;
  #streak = 0;

  /** Feeds one check; true when the state changed. */
  feed(raise: boolean, clear: boolean): boolean {
    const towards = this.active ? clear : raise;
    this.#streak = towards ? this.#streak + 1 : 0;
    if (this.#streak < CONFIRM_CHECKS) return false;
    this.#streak = 0;
    this.active = !this.active;
    return true;
  }
}

export class StationWatch {
  #o: StationWatchOptions;
  #timer: TimerId | undefined;
  #celsius: number | undefined;
  #degrees: number | undefined;
  /** Temperatures of the last minute, oldest first, with their times. */
  #recent: { at: number; c: number }[] = [];
  #fire = new Confirmed();
  #tilt = new Confirmed();
  #errors = 0;

  constructor(options: StationWatchOptions) {
    this.#o = options;
  }

  get celsius(): number | undefined {
    return this.#celsius;
  }

  get tiltDegrees(): number | undefined {
    return this.#degrees;
  }

  get fire(): boolean {
    return this.#fire.active;
  }

  get tilted(): boolean {
    return this.#tilt.active;
  }

  get errors(): number {
    return this.#errors;
  }

  /** Starts checking; the first check runs now. `fire`/`tilted`: what a restored alarm says was going on. */
  start(restored: { fire: boolean; tilted: boolean }): void {
    this.#fire.active = restored.fire;
    this.#tilt.active = restored.tilted;
    this.check();
  }

  stop(): void {
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  check(): void {
    this.#o.timers.clear(this.#timer);
    const s = this.#o.settings();
    this.#checkTemperature(s.fireC, s.fireRiseC);
    this.#checkTilt(s.tiltDeg);
    this.#timer = this.#o.timers.set(() => this.check(), s.watchS * 1000);
  }

  #checkTemperature(fireC: number, riseC: number): void {
    const thermometer = this.#o.thermometer;
    if (!thermometer) return;
    const c = thermometer.sample();
    this.#celsius = c;
    if (c === undefined) return; // an open or shorted thermistor: no reading is no fire (health says why)
    const now = this.#o.clock.now();
    this.#recent.push({ at: now, c });
    while (this.#recent.length > 1 && now - this.#recent[0]!.at > MINUTE_MS) this.#recent.shift();
    const oldest = this.#recent[0]!.c;
    const hot = c >= fireC || c - oldest >= riseC;
    const cool = c < fireC - FIRE_CLEAR_MARGIN_C && c - oldest < riseC / 2;
    if (this.#fire.feed(hot, cool)) this.#o.onFire(this.#fire.active, c);
  }

  #checkTilt(limitDeg: number): void {
    const accel = this.#o.accel;
    if (!accel) return;
    let a: Acceleration;
    try {
      a = accel.sample();
    } catch (error) {
      this.#errors++;
      this.#o.log('warn', `tilt: accelerometer read failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const g = Math.sqrt(a.x * a.x + a.y * a.y + a.z * a.z);
    if (!(g > 200)) return; // free fall or a dead reading: no angle from it
    const degrees = Math.round((Math.acos(Math.max(-1, Math.min(1, a.z / g))) * 180) / Math.PI);
    this.#degrees = degrees;
    if (this.#tilt.feed(degrees > limitDeg, degrees < limitDeg - TILT_CLEAR_MARGIN_DEG)) this.#o.onTilt(this.#tilt.active, degrees);
  }
}
