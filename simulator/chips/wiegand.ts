// A Wiegand reader or keypad wired to two device inputs. The lines idle high; each bit is a pulse low on DATA0
// (a 0) or DATA1 (a 1), `bitIntervalMs` apart (2 ms, as common readers send), and frames are separated by a
// pause. The ~50 µs pulse is shorter than the virtual clock's 1 ms tick: the line goes low and back high at the
// same instant, the rise queued after the device latched the falling edge, as its interrupt would.
// Pacing needs the device's timers; without them a frame is sent all at one instant (one frame at a time).
import type { Timers } from '../../hal/contract/time.js';
import type { VirtualIo, VirtualPin } from '../../hal/host/io/index.js';

export interface WiegandTransmitterOptions {
  data0: number;
  data1: number;
  /** The device's timers (HostHal.timers): pulses follow its virtual clock. */
  timers?: Timers;
  /** Default 2. */
  bitIntervalMs?: number;
  /** Pause after each frame. Default 100 (a reader's frames); keys are apart `keyGapMs`. */
  frameGapMs?: number;
  /** Pause between keys of sendKeys, as a person types. Default 250. */
  keyGapMs?: number;
}

export type KeypadFormat = 4 | 8;

const KEY_CODES = '0123456789*#';

/** The bits of a 26- or 34-bit card frame for `id` (3 or 4 bytes), with both parity bits. */
export function wiegandCardBits(bits: 26 | 34, id: Uint8Array | readonly number[]): number[] {
  const bytes = (bits - 2) / 8;
  if (id.length !== bytes) throw new RangeError(`a ${bits}-bit frame carries ${bytes} id bytes, not ${id.length}`);
  const data: number[] = [];
  for (const byte of id) for (let bit = 7; bit >= 0; bit--) data.push((byte >> bit) & 1);
  const half = data.length / 2;
  const ones = (from: number, to: number) => data.slice(from, to).reduce((sum, bit) => sum + bit, 0);
  return [ones(0, half) % 2, ...data, 1 - (ones(half, data.length) % 2)];
}

/** The bits of one key in the 4-bit or 8-bit (key + complement nibble) keypad format. */
export function wiegandKeyBits(key: string, format: KeypadFormat): number[] {
  const code = KEY_CODES.indexOf(key);
  if (key.length !== 1 || code < 0) throw new RangeError(`not a keypad key: ${JSON.stringify(key)}`);
  const value = format === 8 ? ((~code & 0x0f) << 4) | code : code;
  const bits: number[] = [];
  for (let bit = format - 1; bit >= 0; bit--) bits.push((value >> bit) & 1);
  return bits;
}

interface QueuedFrame {
  bits: readonly number[];
  gapMs: number;
}

export class WiegandTransmitter {
  #lines: [VirtualPin, VirtualPin];
  #timers: Timers | undefined;
  #bitIntervalMs: number;
  #frameGapMs: number;
  #keyGapMs: number;
  #queue: QueuedFrame[] = [];
  #busy = false;

  constructor(io: VirtualIo, options: WiegandTransmitterOptions) {
    this.#lines = [io.pin(options.data0), io.pin(options.data1)];
    this.#timers = options.timers;
    this.#bitIntervalMs = options.bitIntervalMs ?? 2;
    this.#frameGapMs = options.frameGapMs ?? 100;
    this.#keyGapMs = options.keyGapMs ?? 250;
    for (const line of this.#lines) line.setInput(1);
  }

  /** True while frames are still being sent. */
  get busy(): boolean {
    return this.#busy;
  }

  sendCard(bits: 26 | 34, id: Uint8Array | readonly number[]): void {
    this.sendBits(wiegandCardBits(bits, id));
  }

  /** Each key as its own frame, e.g. sendKeys('1234#'). */
  sendKeys(keys: string, format: KeypadFormat = 8): void {
    const frames = [...keys].map((key) => wiegandKeyBits(key, format));
    if (!this.#timers && frames.length > 1) throw new Error('WiegandTransmitter: several keys need pacing: attachWiegand(io, { data0, data1, timers: hal.timers })');
    frames.forEach((bits, i) => this.sendBits(bits, i < frames.length - 1 ? this.#keyGapMs : this.#frameGapMs));
  }

  /** Any bit sequence (0/1), e.g. a frame with a broken parity. */
  sendBits(bits: readonly number[], gapMs = this.#frameGapMs): void {
    if (bits.some((bit) => bit !== 0 && bit !== 1)) throw new RangeError('bits must be 0 or 1');
    if (!this.#timers) {
      for (const bit of bits) this.#pulse(bit);
      return;
    }
    this.#queue.push({ bits: bits.slice(), gapMs });
    if (!this.#busy) this.#nextFrame();
  }

  #nextFrame(): void {
    const frame = this.#queue.shift();
    this.#busy = frame !== undefined;
    if (frame !== undefined) this.#sendBit(frame, 0);
  }

  #sendBit(frame: QueuedFrame, index: number): void {
    const timers = this.#timers!;
    this.#pulse(frame.bits[index]!);
    if (index + 1 < frame.bits.length) timers.set(() => this.#sendBit(frame, index + 1), this.#bitIntervalMs);
    else timers.set(() => this.#nextFrame(), frame.gapMs);
  }

  #pulse(bit: number): void {
    const line = this.#lines[bit]!;
    line.setInput(0);
    if (this.#timers) this.#timers.set(() => line.setInput(1), 0);
    else line.setInput(1);
  }
}

/** Wires a simulated Wiegand reader/keypad to `io`'s DATA0 and DATA1 pins. */
export function attachWiegand(io: VirtualIo, options: WiegandTransmitterOptions): WiegandTransmitter {
  return new WiegandTransmitter(io, options);
}
