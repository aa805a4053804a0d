// An HX711 load-cell ADC on two virtual pins, modelled at the bit level as the datasheet describes it:
// - DOUT goes low when a conversion is ready (10 or 80 per second, the RATE pin); the first one comes after the
//   output settling time (400 ms at 10 SPS, 50 ms at 80 SPS) from power-up.
// - Each rising edge of PD_SCK shifts out one bit, MSB first; the 25th pulls DOUT high again. The pulse count
//   (25, 26, 27) selects the input and gain of the next conversion: A at 128, B at 32, A at 64. Fewer than 25
//   (an aborted read) or more than 27 are counted as protocol errors and leave the gain as it was.
// - PD_SCK held high for more than 60 µs powers the chip down; the next falling edge powers it up again, reset:
//   gain 128 and the settling time before the first conversion. Host time is whole milliseconds, so "more than
//   60 µs" is modelled as "still high, with no new pulse, one millisecond later".
// - A conversion is the load (grams × countsPerGram + offsetCounts, at gain 128; half at 64) plus Gaussian noise,
//   saturating at the 24-bit limits as the chip does. Channel B reads `channelBCounts`.
import type { Timers, TimerId } from '../../hal/contract/time.js';
import type { VirtualIo, VirtualPin } from '../../hal/host/io/index.js';

export interface Hx711ChipOptions {
  /** DOUT pin (the chip drives it). */
  data: number;
  /** PD_SCK pin (the device drives it). */
  clock: number;
  /** The device's timers: conversions and the power-down watch run on device time. */
  timers: Timers;
  /** Output data rate, samples per second (RATE pin low: 10, high: 80). Default 10. */
  sps?: 10 | 80;
  /** Reading at no load, counts at gain 128 (the bridge's offset). Default 40,000. */
  offsetCounts?: number;
  /** Counts per gram at gain 128. Default 210 (a 20 kg, 2 mV/V cell at 5 V excitation). */
  countsPerGram?: number;
  /** Load at attach time, grams. Default 0. */
  grams?: number;
  /** Standard deviation of the noise on each conversion, counts. Default 0. */
  noiseCounts?: number;
  /** Channel B's reading, counts. Default 0. */
  channelBCounts?: number;
  /** Uniform [0, 1) source for the noise. Default Math.random. */
  random?: () => number;
}

type Gain = 128 | 64 | 32;

const GAIN_OF_PULSES: Readonly<Record<number, Gain>> = Object.freeze({ 25: 128, 26: 32, 27: 64 });
const MAX = 0x7f_ffff;
const MIN = -0x80_0000;
/** Past this much clock-high time the chip is powered down: one host millisecond stands for "> 60 µs". */
const POWER_DOWN_WATCH_MS = 1;

export class Hx711Chip {
  /** Complete reads (25–27 pulses). */
  reads = 0;
  /** Reads with fewer than 25 or more than 27 pulses, and pulses with no conversion waiting. */
  protocolErrors = 0;
  /** Times the clock held high powered the chip down. */
  powerDowns = 0;
  /** Conversions never read before the next one replaced them. */
  overwritten = 0;
  noiseCounts: number;
  channelBCounts: number;
  readonly offsetCounts: number;
  readonly countsPerGram: number;
  #data: VirtualPin;
  #clock: VirtualPin;
  #timers: Timers;
  #periodMs: number;
  #settleMs: number;
  #random: () => number;
  #loadCounts = 0;
  #grams = 0;
  #gain: Gain = 128;
  #word: number | undefined;
  #pulses = 0;
  #rises = 0;
  #poweredDown = false;
  #stalled = false;
  #conversions: TimerId | undefined;
  #watch: TimerId | undefined;
  #unwatch: () => void;

  constructor(io: VirtualIo, options: Hx711ChipOptions) {
    const { sps = 10, offsetCounts = 40_000, countsPerGram = 210, grams = 0, noiseCounts = 0, channelBCounts = 0 } = options;
    if (sps !== 10 && sps !== 80) throw new RangeError(`hx711: sps must be 10 or 80, got ${String(sps)}`);
    if (!(countsPerGram !== 0 && Number.isFinite(countsPerGram))) throw new RangeError(`hx711: countsPerGram must be a non-zero number, got ${countsPerGram}`);
    this.#data = io.pin(options.data);
    this.#clock = io.pin(options.clock);
    this.#timers = options.timers;
    this.#periodMs = sps === 10 ? 100 : 13; // 12.5 ms on whole-millisecond timers
    this.#settleMs = sps === 10 ? 400 : 50;
    this.#random = options.random ?? Math.random;
    this.offsetCounts = offsetCounts;
    this.countsPerGram = countsPerGram;
    this.noiseCounts = noiseCounts;
    this.channelBCounts = channelBCounts;
    this.setGrams(grams);
    let level = this.#clock.level;
    this.#unwatch = this.#clock.watch((pin) => {
      if (pin.level === level) return;
      level = pin.level;
      if (level) this.#rise();
      else this.#fall();
    });
    this.#powerUp();
  }

  /** The load on the cell, grams (as last set). */
  get grams(): number {
    return this.#grams;
  }

  setGrams(grams: number): void {
    if (!Number.isFinite(grams)) throw new RangeError(`hx711: grams must be a number, got ${grams}`);
    this.#grams = grams;
    this.#loadCounts = this.offsetCounts + grams * this.countsPerGram;
  }

  /** Sets channel A's reading at gain 128 directly, counts (offset included). */
  setCounts(counts: number): void {
    if (!Number.isFinite(counts)) throw new RangeError(`hx711: counts must be a number, got ${counts}`);
    this.#loadCounts = counts;
    this.#grams = (counts - this.offsetCounts) / this.countsPerGram;
  }

  /** Gain of the conversion in progress. */
  get gain(): Gain {
    return this.#gain;
  }

  get poweredDown(): boolean {
    return this.#poweredDown;
  }

  /** A broken chip: true stops conversions, DOUT stays high. */
  get stalled(): boolean {
    return this.#stalled;
  }

  set stalled(stalled: boolean) {
    this.#stalled = stalled;
    if (stalled) {
      this.#word = undefined;
      this.#data.setInput(1);
    }
  }

  /** Stops the chip's timers and lets go of the pins. */
  detach(): void {
    this.#unwatch();
    this.#timers.clear(this.#conversions);
    this.#timers.clear(this.#watch);
    this.#conversions = this.#watch = undefined;
    this.#data.setInput(undefined);
  }

  #powerUp(): void {
    this.#poweredDown = false;
    this.#gain = 128;
    this.#pulses = 0;
    this.#word = undefined;
    this.#data.setInput(1);
    this.#conversions = this.#timers.set(() => {
      this.#conversions = this.#timers.repeat(() => this.#convert(), this.#periodMs);
      this.#convert();
    }, this.#settleMs);
  }

  #powerDown(): void {
    this.#poweredDown = true;
    this.powerDowns += 1;
    this.#timers.clear(this.#conversions);
    this.#conversions = undefined;
    this.#word = undefined;
    this.#data.setInput(1);
  }

  #convert(): void {
    if (this.#stalled) return;
    // A host read never straddles a conversion (it takes no device time): fewer than 25 pulses is a read abandoned.
    if (this.#pulses > 0) {
      const gain = GAIN_OF_PULSES[this.#pulses];
      if (gain === undefined) this.protocolErrors += 1;
      else this.#gain = gain;
      this.#pulses = 0;
    }
    if (this.#word !== undefined) this.overwritten += 1;
    this.#word = this.#sample() & 0xff_ffff;
    this.#data.setInput(0);
  }

  #sample(): number {
    const noise = this.noiseCounts > 0 ? this.noiseCounts * gaussian(this.#random) : 0;
    const signal = this.#gain === 32 ? this.channelBCounts : (this.#loadCounts * this.#gain) / 128;
    return Math.min(MAX, Math.max(MIN, Math.round(signal + noise)));
  }

  #rise(): void {
    if (this.#poweredDown) return;
    this.#rises += 1;
    if (this.#watch === undefined) this.#armWatch();
    this.#pulses += 1;
    const word = this.#word;
    if (this.#pulses === 1 && word === undefined) this.protocolErrors += 1; // clocked with no conversion ready
    if (this.#pulses <= 24) {
      this.#data.setInput(word === undefined ? 1 : ((word >> (24 - this.#pulses)) & 1) as 0 | 1);
    } else if (this.#pulses === 25) {
      if (word !== undefined) this.reads += 1;
      this.#word = undefined;
      this.#data.setInput(1);
    }
  }

  #fall(): void {
    if (this.#poweredDown) this.#powerUp();
  }

  #armWatch(): void {
    const rises = this.#rises;
    this.#watch = this.#timers.set(() => {
      this.#watch = undefined;
      if (this.#clock.level !== 1) return;
      if (this.#rises === rises) this.#powerDown();
      else this.#armWatch(); // a newer pulse: watch that one
    }, POWER_DOWN_WATCH_MS);
  }
}

/** A standard normal deviate (Box–Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) is not a number
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Wires a simulated HX711 to two pins of a device's virtual IO. */
export function attachHx711(io: VirtualIo, options: Hx711ChipOptions): Hx711Chip {
  return new Hx711Chip(io, options);
}
