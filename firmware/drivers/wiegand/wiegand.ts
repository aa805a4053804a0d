// Wiegand input (external card readers and keypads) on two Digital inputs: a pulse low on DATA0 is a 0 bit,
// on DATA1 a 1 bit, ~2 ms apart; a pause ends the frame. Frames are decoded by ./frame.ts; parity and framing
// failures are dropped and counted.
//
// ESP32 note: Moddable's Digital merges the edges that arrive before the JS callback runs into one onReadable.
// Readers pulse every 1–2 ms, which the event loop normally keeps up with; when it stalls (a flash erase), bits
// are lost and the frame comes out short, so it is dropped as a framing error, not misread. A native pulse
// capture (RMT) would be the fix if that shows up in the field.
import type { Digital, DigitalConstructor, PinSpecifier } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { decodeWiegand, type WiegandFrame } from './frame.js';

export type { WiegandFrame, WiegandKey } from './frame.js';

export interface WiegandOptions {
  data0: PinSpecifier;
  data1: PinSpecifier;
  io: DigitalConstructor;
  timers: Timers;
  onRead(frame: WiegandFrame): void;
  /** Silence that ends a frame. Default 25 ms: above the 20 ms longest bit interval the format allows. */
  timeoutMs?: number;
}

/** Longer than any frame we decode; longer bursts are noise. */
const MAX_BITS = 64;

export class Wiegand {
  #lines: Digital[];
  #timers: Timers;
  #timeoutMs: number;
  #onRead: (frame: WiegandFrame) => void;
  #bits = new Uint8Array(MAX_BITS);
  #count = 0;
  #timer: TimerId | undefined;
  #parityErrors = 0;
  #framingErrors = 0;

  constructor(options: WiegandOptions) {
    const { io } = options;
    this.#timers = options.timers;
    this.#timeoutMs = options.timeoutMs ?? 25;
    this.#onRead = options.onRead;
    // Input without pull: the reader's interface (level shifter, pull-ups to its supply) holds the lines high,
    // and ESP32 pins 34–39, a usual choice here, have no internal pull-ups.
    const line = (pin: PinSpecifier, bit: 0 | 1) =>
      new io({ pin, mode: io.Input, edge: io.Falling, onReadable: () => this.#onBit(bit) });
    this.#lines = [line(options.data0, 0), line(options.data1, 1)];
  }

  /** Frames dropped for a failed parity (or keypad complement) check. */
  get parityErrors(): number {
    return this.#parityErrors;
  }

  /** Frames dropped for a length or key code that is not understood, or for running past 64 bits. */
  get framingErrors(): number {
    return this.#framingErrors;
  }

  close(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    for (const line of this.#lines) line.close();
  }

  #onBit(bit: 0 | 1): void {
    if (this.#count < MAX_BITS) this.#bits[this.#count] = bit;
    this.#count++;
    this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => this.#endFrame(), this.#timeoutMs);
  }

  #endFrame(): void {
    this.#timer = undefined;
    const count = this.#count;
    this.#count = 0;
    const frame = count > MAX_BITS ? 'framing' : decodeWiegand(this.#bits, count);
    if (frame === 'parity') this.#parityErrors++;
    else if (frame === 'framing') this.#framingErrors++;
    else this.#onRead(frame);
  }
}
