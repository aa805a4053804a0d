// One compartment's scale: the load cell's raw counts → grams with the compartment's calibration (offset: raw
// counts of the empty compartment; countsPerGram: from a known weight), kept in the key-value store under
// `cal<i>` and written only by tare/calibrate (a few times a year). A deposit's weight is a difference of two
// settled readings, so it needs only countsPerGram: a drifting offset does not bias it, and the offset is taken
// again whenever the compartment is emptied.
import type { KeyValueStore } from '../../../hal/contract/storage.js';
import { calibrate, settle, toGrams } from '../../drivers/hx711/scale.js';

export interface RawSource {
  sample(count: number, done: (raws: number[] | undefined) => void): void;
}

export interface Calibration {
  offset: number;
  countsPerGram: number;
  /** Set by a calibrate command with a known weight (else the nominal figure below). */
  calibrated: boolean;
}

/** A 20 kg bar cell at 1 mV/V on an HX711 at gain 128, until calibrated: about 100 counts per gram. */
export const NOMINAL_COUNTS_PER_GRAM = 100;
/** Conversions per weighing (10 SPS: one second) and the spread, in grams, above which it is unsettled. */
export const WEIGH_SAMPLES = 10;
export const SETTLED_SPREAD_G = 15;

export interface Weighing {
  raw: number;
  grams: number;
  /** Median absolute deviation of the conversions, in grams. */
  spreadG: number;
  settled: boolean;
}

export class Scale {
  #source: RawSource;
  #kv: KeyValueStore;
  #domain: string;
  #key: string;
  #cal: Calibration;
  /** Callers waiting for the weighing in progress: one burst of conversions serves them all. */
  #waiting: ((weighing: Weighing | undefined) => void)[] | undefined;

  constructor(source: RawSource, kv: KeyValueStore, domain: string, index: number) {
    this.#source = source;
    this.#kv = kv;
    this.#domain = domain;
    this.#key = `cal${index}`;
    this.#cal = readCalibration(kv.get(domain, this.#key));
  }

  get calibration(): Readonly<Calibration> {
    return this.#cal;
  }

  weigh(done: (weighing: Weighing | undefined) => void): void {
    if (this.#waiting) {
      this.#waiting.push(done);
      return;
    }
    const waiting = [done];
    this.#waiting = waiting;
    this.#source.sample(WEIGH_SAMPLES, (raws) => {
      this.#waiting = undefined;
      let weighing: Weighing | undefined;
      if (raws && raws.length > 0) {
        const { raw, spread } = settle(raws);
        const spreadG = Math.abs(spread / this.#cal.countsPerGram);
        weighing = { raw, grams: toGrams(raw, { offset: this.#cal.offset, scale: this.#cal.countsPerGram }), spreadG, settled: spreadG <= SETTLED_SPREAD_G };
      }
      for (const callback of waiting) callback(weighing);
    });
  }

  /** Grams between two raw readings. */
  gramsBetween(before: number, after: number): number {
    return (after - before) / this.#cal.countsPerGram;
  }

  /** The compartment is empty now: its offset becomes this reading. Returns how far the old offset had drifted, g. */
  tare(weighing: Weighing): number {
    const driftG = (weighing.raw - this.#cal.offset) / this.#cal.countsPerGram;
    this.#save({ ...this.#cal, offset: weighing.raw });
    return driftG;
  }

  /** `knownGrams` lies on the tared scale now. Refuses a reading too close to the offset to give a scale. */
  calibrate(weighing: Weighing, knownGrams: number): string | undefined {
    const per = calibrate(weighing.raw, this.#cal.offset, knownGrams);
    if (per === undefined || !(Math.abs(per) >= 1)) return 'the reading hardly moved: is the weight on the scale, and was it tared empty?';
    this.#save({ offset: this.#cal.offset, countsPerGram: per, calibrated: true });
    return undefined;
  }

  #save(cal: Calibration): void {
    this.#kv.set(this.#domain, this.#key, JSON.stringify(cal));
    this.#cal = cal;
  }
}

function readCalibration(stored: unknown): Calibration {
  if (typeof stored === 'string') {
    try {
      const c = JSON.parse(stored) as Partial<Calibration>;
      if (Number.isFinite(c.offset) && Number.isFinite(c.countsPerGram) && c.countsPerGram !== 0) {
        return { offset: c.offset as number, countsPerGram: c.countsPerGram as number, calibrated: c.calibrated === true };
      }
    } catch {
      // a damaged record: start from the nominal calibration
    }
  }
  return { offset: 0, countsPerGram: NOMINAL_COUNTS_PER_GRAM, calibrated: false };
}
