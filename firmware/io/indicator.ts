// An LED or buzzer on a Digital output that plays on/off patterns on the HAL timers, e.g. [100, 100, 100, 700]
// for two short blinks a second. One pattern at a time: play() replaces what is playing.
import type { Digital, DigitalConstructor, PinSpecifier } from '../../hal/contract/io.js';
import type { TimerId, Timers } from '../../hal/contract/time.js';

export interface IndicatorOptions {
  io: DigitalConstructor;
  pin: PinSpecifier;
  timers: Timers;
  activeLow?: boolean;
}

export class Indicator {
  #pin: Digital;
  #timers: Timers;
  #onLevel: 0 | 1;
  #pattern: readonly number[] = [];
  #step = 0;
  #playsLeft = 0; // Infinity when repeating until stop()
  #timer: TimerId | undefined;
  #lit: boolean | undefined;

  constructor(options: IndicatorOptions) {
    this.#timers = options.timers;
    this.#onLevel = options.activeLow ? 0 : 1;
    this.#pin = new options.io({ pin: options.pin, mode: options.io.Output });
    this.#write(false);
  }

  get playing(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Plays `pattern` = [on ms, off ms, on ms, ...] `repeat` times (default once; true: until stop()), then
   * leaves the output off. Steps of 0 ms are skipped.
   */
  play(pattern: readonly number[], repeat: number | true = 1): void {
    for (const ms of pattern) {
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`Indicator: pattern steps must be ms >= 0, got ${ms}`);
    }
    if (repeat !== true && !(Number.isInteger(repeat) && repeat >= 0)) {
      throw new RangeError(`Indicator: repeat must be an integer >= 0 or true, got ${String(repeat)}`);
    }
    this.stop();
    if (!pattern.some((ms) => ms > 0)) return;
    this.#pattern = pattern.slice();
    this.#playsLeft = repeat === true ? Infinity : repeat;
    this.#step = 0;
    if (this.#playsLeft > 0) this.#next();
  }

  stop(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#write(false);
  }

  close(): void {
    this.stop();
    this.#pin.close();
  }

  #next(): void {
    const pattern = this.#pattern;
    // The pattern has a step > 0, so this loop ends within one pass.
    for (;;) {
      if (this.#step === pattern.length) {
        this.#step = 0;
        if (--this.#playsLeft <= 0) {
          this.stop();
          return;
        }
      }
      const step = this.#step++;
      const ms = pattern[step]!;
      if (ms === 0) continue;
      this.#write(step % 2 === 0);
      this.#timer = this.#timers.set(() => {
        this.#timer = undefined; // fired: clearing it again is an error on Moddable
        this.#next();
      }, ms);
      return;
    }
  }

  // Writes changes only: the wire sees one edge per step.
  #write(on: boolean): void {
    if (on === this.#lit) return;
    this.#lit = on;
    this.#pin.write(on ? this.#onLevel : this.#onLevel ? 0 : 1);
  }
}
