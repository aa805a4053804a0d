// ECMA-419 PWM and Analog over virtual pins: PWM duty is recorded on the pin, analog input is set on the pin.
import type { Analog, AnalogConstructor, AnalogOptions, PWM, PWMConstructor, PWMOptions } from '../../contract/io.js';
import { Closable } from './common.js';
import { ANALOG_RESOLUTION, type PinSet, type VirtualPin } from './pins.js';

/** ESP32 LEDC defaults as Moddable configures them. */
const PWM_RESOLUTION = 10;
const PWM_HZ = 1000;

export function createPWMClass(pins: PinSet): PWMConstructor {
  return class VirtualPWM implements PWM {
    readonly resolution = PWM_RESOLUTION;
    readonly hz: number;
    #pin: VirtualPin;
    #state = new Closable('PWM');

    constructor(options: PWMOptions) {
      const hz = options?.hz ?? PWM_HZ;
      if (!(typeof hz === 'number' && hz > 0)) throw new RangeError(`PWM: invalid hz ${String(hz)}`);
      this.hz = hz;
      this.#pin = pins.get(options.pin);
      this.#pin.claim('PWM');
    }

    write(value: number): void {
      this.#state.check();
      const max = 2 ** this.resolution - 1;
      if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`PWM: value must be an integer 0…${max}, got ${value}`);
      this.#pin.writePwm({ value, hz: this.hz, resolution: this.resolution });
    }

    close(): void {
      if (this.#state.close()) this.#pin.release();
    }
  };
}

export function createAnalogClass(pins: PinSet): AnalogConstructor {
  return class VirtualAnalog implements Analog {
    readonly resolution = ANALOG_RESOLUTION;
    #pin: VirtualPin;
    #state = new Closable('Analog');

    constructor(options: AnalogOptions) {
      this.#pin = pins.get(options?.pin);
      this.#pin.claim('Analog');
    }

    read(): number {
      this.#state.check();
      return this.#pin.analog;
    }

    close(): void {
      if (this.#state.close()) this.#pin.release();
    }
  };
}
