// Battery level by ADC with a low-battery state that does not flap: low at or below lowPct, recovered only at
// lowPct + hysteresisPct or above. The state is kept in the key-value store (written when it flips), so a
// reboot does not announce the same low battery again: key `batLow` in the device's own domain.
import type { KeyValueStore } from '../../hal/contract/index.js';

export interface BatteryGauge {
  read(): BatteryReading;
}

export interface BatteryReading {
  mv: number;
  percent: number;
}

export interface BatteryWatchOptions {
  gauge: BatteryGauge;
  kv: KeyValueStore;
  /** The device's key-value domain, where the low state is kept. */
  domain: string;
  settings(): { lowPct: number; hysteresisPct: number };
  onLow(reading: BatteryReading): void;
  onRecovered(reading: BatteryReading): void;
}

const LOW_KEY = 'batLow';
/** Reads per check: enough to refill the driver's smoothing window with fresh conversions. */
const READS = 4;

export class BatteryWatch {
  #o: BatteryWatchOptions;
  #low: boolean;
  #last: BatteryReading | undefined;
  #errors = 0;

  constructor(options: BatteryWatchOptions) {
    this.#o = options;
    this.#low = options.kv.get(options.domain, LOW_KEY) === true;
  }

  get low(): boolean {
    return this.#low;
  }

  get last(): BatteryReading | undefined {
    return this.#last;
  }

  get errors(): number {
    return this.#errors;
  }

  /** Reads the battery and moves the low state; returns the reading (undefined when the ADC failed). */
  check(): BatteryReading | undefined {
    const reading = this.#read();
    if (!reading) return undefined;
    this.#last = reading;
    const { lowPct, hysteresisPct } = this.#o.settings();
    if (!this.#low && reading.percent <= lowPct) {
      this.#flip(true);
      this.#o.onLow(reading);
    } else if (this.#low && reading.percent >= lowPct + hysteresisPct) {
      this.#flip(false);
      this.#o.onRecovered(reading);
    }
    return reading;
  }

  /** Health telemetry fields. */
  health(): Record<string, unknown> {
    const last = this.#last;
    return last ? { batteryMv: last.mv, batteryPct: last.percent, batteryLow: this.#low } : { batteryLow: this.#low };
  }

  #read(): BatteryReading | undefined {
    let reading: BatteryReading | undefined;
    try {
      for (let i = 0; i < READS; i++) reading = this.#o.gauge.read();
    } catch {
      this.#errors++;
      return undefined;
    }
    if (!reading || !Number.isFinite(reading.mv) || !Number.isFinite(reading.percent)) {
      this.#errors++;
      return undefined;
    }
    return { mv: Math.round(reading.mv), percent: Math.round(reading.percent) };
  }

  #flip(low: boolean): void {
    this.#low = low;
    this.#o.kv.set(this.#o.domain, LOW_KEY, low);
  }
}
