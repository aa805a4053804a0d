// An NTC thermistor on an ADC pin (fire watch, speed-of-sound compensation), wired as the lower leg of a divider:
// seriesR from the ADC reference to the pin, the thermistor from the pin to ground. Beta equation:
//   R = seriesR × count / (full − count);   1/T = 1/298.15 K + ln(R / r25) / beta
// A reading within 1 % of either rail is a fault, never a temperature: near full scale the thermistor is open
// (unplugged, a cut wire: it would read about −52 °C with the defaults), near zero it is shorted (about 183 °C).
//
//   const ntc = new Thermistor({ sensor: { pin: board.pin.temperature, io: device.io.Analog } });
//   const celsius = ntc.sample();   // undefined: open or short circuit
import type { Analog, AnalogConstructor, PinSpecifier } from '../../../hal/contract/io.js';

export interface ThermistorOptions {
  sensor: { pin: PinSpecifier; io: AnalogConstructor };
  /** Beta constant, K. Default 3950. */
  beta?: number;
  /** Resistance at 25 °C, Ω. Default 10 kΩ. */
  r25?: number;
  /** The divider's fixed resistor, Ω. Default 10 kΩ. */
  seriesR?: number;
  /** Conversions averaged per sample (ADC noise). Default 4. */
  samples?: number;
}

const KELVIN = 273.15;
const T25 = 25 + KELVIN;
/** How close to a rail (fraction of full scale) a reading must come to be an open or a short. */
const RAIL = 0.01;

export class Thermistor {
  /** Samples that were an open or a short. */
  faults = 0;
  #adc: Analog | undefined;
  #full: number;
  #beta: number;
  #r25: number;
  #seriesR: number;
  #samples: number;

  constructor(options: ThermistorOptions) {
    const { beta = 3950, r25 = 10_000, seriesR = 10_000, samples = 4 } = options;
    for (const [name, value] of [['beta', beta], ['r25', r25], ['seriesR', seriesR]] as const) {
      if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`Thermistor: ${name} must be positive, got ${String(value)}`);
    }
    if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`Thermistor: samples must be an integer ≥ 1, got ${String(samples)}`);
    const adc = new options.sensor.io({ pin: options.sensor.pin });
    this.#adc = adc;
    this.#full = 2 ** adc.resolution - 1;
    this.#beta = beta;
    this.#r25 = r25;
    this.#seriesR = seriesR;
    this.#samples = samples;
  }

  /** Temperature, °C, or undefined when the thermistor is open or shorted. */
  sample(): number | undefined {
    const adc = this.#adc;
    if (adc === undefined) throw new Error('Thermistor: closed');
    let sum = 0;
    for (let i = 0; i < this.#samples; i++) sum += adc.read();
    const count = sum / this.#samples;
    const full = this.#full;
    if (count < RAIL * full || count > (1 - RAIL) * full) {
      this.faults += 1;
      return undefined;
    }
    const ohms = (this.#seriesR * count) / (full - count);
    return 1 / (1 / T25 + Math.log(ohms / this.#r25) / this.#beta) - KELVIN;
  }

  close(): void {
    this.#adc?.close();
    this.#adc = undefined;
  }
}
