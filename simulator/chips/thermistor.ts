// An NTC thermistor as the lower leg of a divider on an analog pin (seriesR from the reference to the pin): the
// world sets the temperature, the pin reads R / (R + seriesR) of full scale with the beta equation's R. open()
// (a cut wire: the pin is pulled to full scale) and short() (zero) are the faults; setCelsius() repairs them.
import { ANALOG_RESOLUTION, type VirtualIo, type VirtualPin } from '../../hal/host/io/index.js';

export interface ThermistorChipOptions {
  /** Temperature at attach time, °C. Default 20. */
  celsius?: number;
  /** Beta (K), resistance at 25 °C and the divider's fixed resistor (Ω). Default 3950, 10 k, 10 k. */
  beta?: number;
  r25?: number;
  seriesR?: number;
}

const KELVIN = 273.15;

export class ThermistorChip {
  readonly beta: number;
  readonly r25: number;
  readonly seriesR: number;
  #pin: VirtualPin;
  #celsius = 0;
  #fault: 'open' | 'short' | undefined;

  constructor(io: VirtualIo, pin: number, options: ThermistorChipOptions = {}) {
    const { celsius = 20, beta = 3950, r25 = 10_000, seriesR = 10_000 } = options;
    for (const [name, value] of [['beta', beta], ['r25', r25], ['seriesR', seriesR]] as const) {
      if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`thermistor: ${name} must be positive, got ${value}`);
    }
    this.beta = beta;
    this.r25 = r25;
    this.seriesR = seriesR;
    this.#pin = io.pin(pin);
    this.setCelsius(celsius);
  }

  get celsius(): number {
    return this.#celsius;
  }

  get fault(): 'open' | 'short' | undefined {
    return this.#fault;
  }

  /** The thermistor's resistance at `celsius`, Ω. */
  ohmsAt(celsius: number): number {
    return this.r25 * Math.exp(this.beta * (1 / (celsius + KELVIN) - 1 / (25 + KELVIN)));
  }

  /** Sets the temperature (and ends a fault). */
  setCelsius(celsius: number): void {
    if (!(celsius > -KELVIN && Number.isFinite(celsius))) throw new RangeError(`thermistor: celsius must be above absolute zero, got ${celsius}`);
    this.#celsius = celsius;
    this.#fault = undefined;
    const ohms = this.ohmsAt(celsius);
    this.#write(ohms / (ohms + this.seriesR));
  }

  /** A cut wire: the divider pulls the pin to full scale. */
  open(): void {
    this.#fault = 'open';
    this.#write(1);
  }

  /** A short across the thermistor: the pin reads zero. */
  short(): void {
    this.#fault = 'short';
    this.#write(0);
  }

  #write(fraction: number): void {
    this.#pin.setAnalog(Math.round(fraction * (2 ** ANALOG_RESOLUTION - 1)));
  }
}

/** Wires a simulated thermistor to an analog pin of a device's virtual IO. */
export function attachThermistor(io: VirtualIo, pin: number, options?: ThermistorChipOptions): ThermistorChip {
  return new ThermistorChip(io, pin, options);
}
