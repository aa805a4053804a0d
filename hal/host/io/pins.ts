// The pins of a virtual chip. An IO instance claims a pin while open; the simulator and tests reach the
// electrical side here: drive inputs, watch outputs, set analog levels, read PWM duty.
import type { MonotonicClock } from '../../contract/time.js';

export type Level = 0 | 1;

export interface LevelChange {
  /** Monotonic ms of the change. */
  readonly at: number;
  readonly level: Level;
}

export interface PwmState {
  readonly value: number;
  readonly hz: number;
  readonly resolution: number;
}

export type PinListener = (pin: VirtualPin) => void;

/** ADC resolution of virtual analog pins (ESP32: 12 bits). */
export const ANALOG_RESOLUTION = 12;

export class VirtualPin {
  readonly number: number;
  /** Levels the device wrote, oldest first, bounded to the newest `historyLimit`. */
  readonly history: LevelChange[] = [];
  #pins: PinSet;
  #owner: string | undefined;
  #output = false;
  #pull: Level | undefined;
  #driven: Level = 0;
  #external: Level | undefined;
  #analog = 0;
  #pwm: PwmState | undefined;
  #listeners = new Set<PinListener>();

  constructor(pins: PinSet, number: number) {
    this.#pins = pins;
    this.number = number;
  }

  /** Class name of the IO instance holding the pin, if any. */
  get owner(): string | undefined {
    return this.#owner;
  }

  get isOutput(): boolean {
    return this.#owner === 'Digital' && this.#output;
  }

  /** The level on the wire: what the device drives when it is an output, else the external drive or the pull. */
  get level(): Level {
    if (this.isOutput) return this.#driven;
    return this.#external ?? this.#pull ?? 0;
  }

  /** Drives the pin from outside (a button, a sensor line). `undefined` lets it float back to its pull. */
  setInput(level: Level | undefined): void {
    if (level !== undefined && level !== 0 && level !== 1) throw new RangeError(`pin ${this.number}: level must be 0 or 1`);
    this.#change(() => { this.#external = level; });
  }

  /** Raw ADC count, 0 … 2^ANALOG_RESOLUTION − 1. */
  get analog(): number {
    return this.#analog;
  }

  setAnalog(value: number): void {
    const max = 2 ** ANALOG_RESOLUTION - 1;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`pin ${this.number}: analog value must be an integer 0…${max}, got ${value}`);
    }
    this.#analog = value;
    this.#notify();
  }

  /** Duty the device last wrote with PWM, or undefined when it never did. */
  get pwm(): PwmState | undefined {
    return this.#pwm;
  }

  /** Calls `listener` after every change of level, analog value or PWM duty. Returns the unsubscribe. */
  watch(listener: PinListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- used by the IO classes ----

  claim(owner: string): void {
    if (this.#owner !== undefined) throw new Error(`pin ${this.number} is in use by ${this.#owner}`);
    this.#owner = owner;
  }

  release(): void {
    this.#change(() => {
      this.#owner = undefined;
      this.#output = false;
      this.#pull = undefined;
    });
  }

  configureDigital(output: boolean, pull: Level | undefined): void {
    this.#change(() => {
      this.#output = output;
      this.#pull = pull;
    });
  }

  drive(level: Level): void {
    const before = this.level;
    this.#driven = level;
    if (this.isOutput) this.#record(level);
    if (this.level !== before) this.#notify();
  }

  writePwm(state: PwmState): void {
    this.#pwm = state;
    this.#notify();
  }

  #change(mutate: () => void): void {
    const before = this.level;
    mutate();
    if (this.level !== before) this.#notify();
  }

  #record(level: Level): void {
    this.history.push({ at: this.#pins.clock.now(), level });
    if (this.history.length > this.#pins.historyLimit) this.history.shift();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener(this);
  }
}

export interface PinSetOptions {
  clock: MonotonicClock;
  /** Highest valid pin number. Default 63. */
  maxPin?: number;
  historyLimit?: number;
}

export class PinSet {
  readonly clock: MonotonicClock;
  readonly maxPin: number;
  readonly historyLimit: number;
  #pins = new Map<number, VirtualPin>();

  constructor(options: PinSetOptions) {
    this.clock = options.clock;
    this.maxPin = options.maxPin ?? 63;
    this.historyLimit = options.historyLimit ?? 1000;
  }

  get(number: unknown): VirtualPin {
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > this.maxPin) {
      throw new RangeError(`invalid pin ${String(number)} (0…${this.maxPin})`);
    }
    let pin = this.#pins.get(number);
    if (pin === undefined) {
      pin = new VirtualPin(this, number);
      this.#pins.set(number, pin);
    }
    return pin;
  }
}
