// A cell behind a resistor divider on an ADC pin: the simulator sets the cell's millivolts, the pin reads
// the divided voltage as an ADC count (0 … 2^resolution − 1 over 0 … referenceMv), saturating at full scale.
import { ANALOG_RESOLUTION, type HostHal, type VirtualIo, type VirtualPin } from '../../hal/host/index.js';

export interface BatteryChipOptions {
  /** Cell voltage / pin voltage (default 2: two equal resistors). */
  dividerRatio?: number;
  /** Pin voltage at the ADC's full-scale count, mV (default 3300). */
  referenceMv?: number;
  /** Cell voltage at attach time, mV (default 4000). */
  millivolts?: number;
}

export class BatteryCell {
  readonly dividerRatio: number;
  readonly referenceMv: number;
  #pin: VirtualPin;
  #mv = 0;

  constructor(io: VirtualIo, pin: number, options: BatteryChipOptions = {}) {
    const { dividerRatio = 2, referenceMv = 3300, millivolts = 4000 } = options;
    if (!(dividerRatio >= 1 && Number.isFinite(dividerRatio))) throw new RangeError(`battery: dividerRatio must be ≥ 1, got ${dividerRatio}`);
    if (!(referenceMv > 0 && Number.isFinite(referenceMv))) throw new RangeError(`battery: referenceMv must be positive, got ${referenceMv}`);
    this.dividerRatio = dividerRatio;
    this.referenceMv = referenceMv;
    this.#pin = io.pin(pin);
    this.setMillivolts(millivolts);
  }

  get millivolts(): number {
    return this.#mv;
  }

  setMillivolts(mv: number): void {
    if (!(mv >= 0 && Number.isFinite(mv))) throw new RangeError(`battery: millivolts must be a number ≥ 0, got ${mv}`);
    this.#mv = mv;
    const full = 2 ** ANALOG_RESOLUTION - 1;
    this.#pin.setAnalog(Math.min(full, Math.round((mv / this.dividerRatio / this.referenceMv) * full)));
  }
}

/** Wires a simulated cell to an analog pin of a device's virtual IO (or of a HostHal). */
export function attachBattery(target: VirtualIo | HostHal, pin: number, options?: BatteryChipOptions): BatteryCell {
  const io = 'io' in target ? target.io : target;
  return new BatteryCell(io, pin, options);
}
