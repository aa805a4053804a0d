// Battery level of a single Li-ion/LiPo cell through a resistor divider on an ADC pin (ECMA-419 Analog).
//
//   const battery = new Battery({ analog: { io: device.io.Analog, pin: board.pin.battery }, dividerRatio: 2 });
//   const { mv, percent } = battery.read();
//
// Each read averages a few conversions (ADC noise), then the last few reads (a radio burst sags the cell for a
// moment; one sagging read must not look like an empty battery). A step change shows fully after `window` reads.
// Percent follows a Li-ion discharge curve, not a straight line: the cell spends most of its charge near 3.7 V.
import type { Analog, AnalogConstructor, PinSpecifier } from '../../../hal/contract/io.js';

export interface BatteryOptions {
  analog: { io: AnalogConstructor; pin: PinSpecifier };
  /** Cell voltage / pin voltage (2 for two equal resistors). */
  dividerRatio: number;
  /** Cell voltage at 0 % (default 3300) and at 100 % (default 4200); the curve is stretched between them. */
  emptyMv?: number;
  fullMv?: number;
  /** Pin voltage at the ADC's full-scale reading, mV (default 3300). */
  referenceMv?: number;
  /** ADC conversions averaged per read (default 8). */
  samples?: number;
  /** Reads averaged (default 4). */
  window?: number;
}

export interface BatteryReading {
  /** Cell voltage, mV (smoothed). */
  mv: number;
  /** State of charge, 0…100. */
  percent: number;
}

/** Resting Li-ion cell from 3300 mV (empty) to 4200 mV (full): [mV, percent], ascending. */
const DISCHARGE_CURVE: readonly (readonly [number, number])[] = [
  [3300, 0], [3610, 5], [3690, 10], [3730, 20], [3770, 30], [3800, 40],
  [3840, 50], [3870, 60], [3950, 70], [4020, 80], [4110, 90], [4200, 100],
];
const CURVE_EMPTY = 3300;
const CURVE_SPAN = 4200 - 3300;

export class Battery {
  #adc: Analog | undefined;
  #countToMv: number;
  #emptyMv: number;
  #spanMv: number;
  #samples: number;
  #history: Float64Array;
  #next = 0;
  #filled = 0;

  constructor(options: BatteryOptions) {
    const { dividerRatio, emptyMv = 3300, fullMv = 4200, referenceMv = 3300, samples = 8, window = 4 } = options;
    if (!(dividerRatio >= 1 && Number.isFinite(dividerRatio))) throw new RangeError(`Battery: dividerRatio must be ≥ 1, got ${String(dividerRatio)}`);
    if (!(referenceMv > 0 && Number.isFinite(referenceMv))) throw new RangeError(`Battery: referenceMv must be positive, got ${String(referenceMv)}`);
    if (!(emptyMv > 0 && fullMv > emptyMv)) throw new RangeError(`Battery: need 0 < emptyMv < fullMv, got ${String(emptyMv)} and ${String(fullMv)}`);
    if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`Battery: samples must be an integer ≥ 1, got ${String(samples)}`);
    if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`Battery: window must be an integer ≥ 1, got ${String(window)}`);
    const adc = new options.analog.io({ pin: options.analog.pin });
    this.#adc = adc;
    this.#countToMv = (referenceMv * dividerRatio) / (2 ** adc.resolution - 1);
    this.#emptyMv = emptyMv;
    this.#spanMv = fullMv - emptyMv;
    this.#samples = samples;
    this.#history = new Float64Array(window);
  }

  read(): BatteryReading {
    const adc = this.#adc;
    if (adc === undefined) throw new Error('Battery: closed');
    let sum = 0;
    for (let i = 0; i < this.#samples; i++) sum += adc.read();
    const history = this.#history;
    history[this.#next] = (sum / this.#samples) * this.#countToMv;
    this.#next = (this.#next + 1) % history.length;
    if (this.#filled < history.length) this.#filled += 1;
    let total = 0;
    for (let i = 0; i < this.#filled; i++) total += history[i]!;
    const mv = Math.round(total / this.#filled);
    return { mv, percent: this.percentOf(mv) };
  }

  /** State of charge for a cell voltage, by the discharge curve stretched to emptyMv…fullMv. */
  percentOf(mv: number): number {
    const onCurve = CURVE_EMPTY + ((mv - this.#emptyMv) / this.#spanMv) * CURVE_SPAN;
    if (!(onCurve > CURVE_EMPTY)) return 0;
    for (let i = 1; i < DISCHARGE_CURVE.length; i++) {
      const [highMv, highPct] = DISCHARGE_CURVE[i]!;
      if (onCurve <= highMv) {
        const [lowMv, lowPct] = DISCHARGE_CURVE[i - 1]!;
        return Math.round(lowPct + ((onCurve - lowMv) / (highMv - lowMv)) * (highPct - lowPct));
      }
    }
    return 100;
  }

  close(): void {
    this.#adc?.close();
    this.#adc = undefined;
  }
}
