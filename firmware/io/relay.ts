// A relay (lock strike, contactor) on a Digital output. It writes OFF exactly once when constructed and never
// ON until asked: a door relay must not move on boot, reset or restart.
// Hardware note: Moddable's ESP32 Digital drives an Output low while constructing it, before our first write,
// and a pin floats through reset; so wire the relay driver active high with a pull-down, as our boards do.
import type { Digital, DigitalConstructor, PinSpecifier } from '../../hal/contract/io.js';
import type { TimerId, Timers } from '../../hal/contract/time.js';

export interface RelayOptions {
  io: DigitalConstructor;
  pin: PinSpecifier;
  /** The coil is energized by a low level. Default false. */
  activeLow?: boolean;
}

export class Relay {
  #pin: Digital;
  #onLevel: 0 | 1;
  #energized = false;
  #timers: Timers | undefined;
  #pulse: TimerId | undefined;

  constructor(options: RelayOptions) {
    this.#onLevel = options.activeLow ? 0 : 1;
    this.#pin = new options.io({ pin: options.pin, mode: options.io.Output });
    this.#pin.write(this.#onLevel ? 0 : 1);
  }

  get energized(): boolean {
    return this.#energized;
  }

  on(): void {
    this.#cancelPulse();
    this.#set(true);
  }

  off(): void {
    this.#cancelPulse();
    this.#set(false);
  }

  /** Energizes for `ms`, then releases. A new pulse or on()/off() replaces a running one. */
  pulse(ms: number, timers: Timers): void {
    if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError(`Relay: pulse needs ms > 0, got ${ms}`);
    this.on();
    this.#timers = timers;
    this.#pulse = timers.set(() => {
      this.#pulse = undefined;
      this.#set(false);
    }, ms);
  }

  /** Ends a running pulse (releasing the relay) and frees the pin. */
  close(): void {
    if (this.#pulse !== undefined) this.off();
    this.#pin.close();
  }

  #set(energized: boolean): void {
    this.#energized = energized;
    this.#pin.write(energized ? this.#onLevel : this.#onLevel ? 0 : 1);
  }

  #cancelPulse(): void {
    this.#timers?.clear(this.#pulse);
    this.#pulse = undefined;
  }
}
