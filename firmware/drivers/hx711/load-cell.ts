// A load cell behind an HX711 (the HAL's io.HX711: hal/contract/hx711.ts), sampled in bursts:
//
//   const cell = new LoadCell({ adc: { data: 34, clock: 14, io: device.io.HX711 }, timers });
//   cell.sample(8, (raws) => { if (raws) settle(raws) ... else fault });   // scale.ts: grams, tare, settling
//
// read() never waits, so a burst polls it every `pollMs` (the chip makes 10 or 80 conversions a second) and stops
// when it has `count`. A chip that gives nothing for `timeoutMs` (unpowered, stuck, unplugged) ends the burst with
// undefined: a fault, never a weight. Saturated conversions (the bridge is open or overloaded: the chip clips at
// its 24-bit limits) are dropped and counted, so a cell that only saturates times out too.
import type { HX711, HX711Constructor, HX711Options } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';

export interface LoadCellOptions {
  adc: HX711Options & { io: HX711Constructor };
  timers: Timers;
  /** Poll period while sampling, ms. Default 25. */
  pollMs?: number;
  /** Longest wait for one conversion, ms. Default 1000 (10 SPS, after the chip's 400 ms power-up settling). */
  timeoutMs?: number;
}

export type LoadCellDone = (raws: number[] | undefined) => void;

const SATURATED_HIGH = 0x7f_ffff;
const SATURATED_LOW = -0x80_0000;

export class LoadCell {
  /** Conversions dropped because the chip clipped. */
  saturated = 0;
  /** Bursts that ended without their count. */
  timeouts = 0;
  #adc: HX711 | undefined;
  #timers: Timers;
  #pollMs: number;
  #timeoutMs: number;
  #poll: TimerId | undefined;
  #raws: number[] = [];
  #count = 0;
  #waitedMs = 0;
  #done: LoadCellDone | undefined;

  constructor(options: LoadCellOptions) {
    const { pollMs = 25, timeoutMs = 1000 } = options;
    if (!(pollMs > 0 && Number.isFinite(pollMs))) throw new RangeError(`LoadCell: pollMs must be > 0, got ${String(pollMs)}`);
    if (!(timeoutMs >= pollMs && Number.isFinite(timeoutMs))) throw new RangeError(`LoadCell: timeoutMs must be ≥ pollMs, got ${String(timeoutMs)}`);
    const { io, ...adc } = options.adc;
    this.#adc = new io(adc);
    this.#timers = options.timers;
    this.#pollMs = pollMs;
    this.#timeoutMs = timeoutMs;
  }

  get sampling(): boolean {
    return this.#done !== undefined;
  }

  /** Collects `count` conversions and calls `done` with them, or with undefined when the chip goes silent. One burst at a time. */
  sample(count: number, done: LoadCellDone): void {
    if (this.#adc === undefined) throw new Error('LoadCell: closed');
    if (this.#done !== undefined) throw new Error('LoadCell: already sampling');
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`LoadCell: count must be an integer ≥ 1, got ${String(count)}`);
    this.#raws = [];
    this.#count = count;
    this.#waitedMs = 0;
    this.#done = done;
    this.#poll = this.#timers.repeat(() => this.#read(), this.#pollMs);
  }

  /** Ends a burst without calling back, and frees the pins. */
  close(): void {
    this.#stop();
    this.#adc?.close();
    this.#adc = undefined;
  }

  #read(): void {
    const raw = this.#adc!.read();
    if (raw === undefined || raw === SATURATED_HIGH || raw === SATURATED_LOW) {
      if (raw !== undefined) this.saturated += 1;
      this.#waitedMs += this.#pollMs;
      if (this.#waitedMs >= this.#timeoutMs) {
        this.timeouts += 1;
        this.#finish(undefined);
      }
      return;
    }
    this.#waitedMs = 0;
    this.#raws.push(raw);
    if (this.#raws.length >= this.#count) this.#finish(this.#raws);
  }

  #finish(raws: number[] | undefined): void {
    const done = this.#done!;
    this.#stop();
    done(raws);
  }

  #stop(): void {
    this.#timers.clear(this.#poll);
    this.#poll = undefined;
    this.#done = undefined;
    this.#raws = [];
  }
}
