// Fuzz core for Wiegand input (firmware/drivers/wiegand): pulses on DATA0/DATA1 as the driver receives them,
// checked against a reference decoder written here from the format (26/34-bit cards with even/odd parity, 4- and
// 8-bit keypad bursts). Engine-neutral: inside XS the driver runs on the small fake Digital and timers below; on
// Node the target runs it on the host's virtual pins instead (same input, same reference).
//
// Input: one byte per pulse. Bit 0 is the line (0: DATA0, a 0 bit; 1: DATA1, a 1 bit), bits 1–7 the pause in ms
// before the pulse (a pause of 25 ms, the driver's frame timeout exactly, is taken as 26 so that the order of two
// events at the same instant never decides the outcome).
import type { Digital, DigitalConstructor, DigitalOptions } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { Wiegand, type WiegandFrame } from '../../../firmware/drivers/wiegand/wiegand.js';
import { check } from './invariant.js';

const TIMEOUT_MS = 25;
const MAX_BITS = 64;
const KEYS = '0123456789*#';

export interface Pulse {
  line: 0 | 1;
  gapMs: number;
}

export function pulsesOf(input: Uint8Array): Pulse[] {
  return [...input].map((byte) => {
    const gap = byte >> 1;
    return { line: (byte & 1) as 0 | 1, gapMs: gap === TIMEOUT_MS ? TIMEOUT_MS + 1 : gap };
  });
}

export interface WiegandOutcome {
  reads: string[];
  parity: number;
  framing: number;
}

export function frameText(frame: WiegandFrame): string {
  if (frame.kind === 'key') return `key ${frame.key}`;
  let hex = '';
  for (const byte of frame.id) hex += (byte < 16 ? '0' : '') + byte.toString(16);
  return `card${frame.bits} ${hex}`;
}

/** What the pulses should give, decoded here independently of the driver. */
export function referenceWiegand(pulses: readonly Pulse[]): WiegandOutcome {
  const outcome: WiegandOutcome = { reads: [], parity: 0, framing: 0 };
  const frames: number[][] = [];
  for (const [i, pulse] of pulses.entries()) {
    if (i === 0 || pulse.gapMs > TIMEOUT_MS) frames.push([]);
    frames.at(-1)!.push(pulse.line);
  }
  const ones = (bits: number[], from: number, to: number) => bits.slice(from, to).filter((bit) => bit === 1).length;
  const value = (bits: number[], from: number, to: number) => bits.slice(from, to).reduce((v, bit) => v * 2 + bit, 0);
  for (const bits of frames) {
    const n = bits.length;
    if (n > MAX_BITS) outcome.framing++;
    else if (n === 26 || n === 34) {
      if (ones(bits, 0, n / 2) % 2 !== 0 || ones(bits, n / 2, n) % 2 !== 1) outcome.parity++;
      else {
        let hex = '';
        for (let at = 1; at + 8 <= n - 1; at += 8) hex += value(bits, at, at + 8).toString(16).padStart(2, '0');
        outcome.reads.push(`card${n} ${hex}`);
      }
    } else if (n === 4) {
      const key = value(bits, 0, 4);
      if (key < KEYS.length) outcome.reads.push(`key ${KEYS[key]}`);
      else outcome.framing++;
    } else if (n === 8) {
      const high = value(bits, 0, 4);
      const low = value(bits, 4, 8);
      if (high !== 15 - low) outcome.parity++;
      else if (low < KEYS.length) outcome.reads.push(`key ${KEYS[low]}`);
      else outcome.framing++;
    } else outcome.framing++;
  }
  return outcome;
}

export function compareWiegand(got: WiegandOutcome, want: WiegandOutcome): void {
  check(got.reads.length === want.reads.length && got.reads.every((read, i) => read === want.reads[i]),
    () => `Wiegand reads ${JSON.stringify(got.reads).slice(0, 200)}, reference ${JSON.stringify(want.reads).slice(0, 200)}`);
  check(got.parity === want.parity && got.framing === want.framing,
    () => `Wiegand errors parity ${got.parity} framing ${got.framing}, reference ${want.parity} / ${want.framing}`);
}

/** Timers on a clock the core steps itself. */
export class FakeTimers implements Timers {
  now = 0;
  #due = new Map<TimerId, { at: number; callback: () => void; every?: number }>();

  set(callback: () => void, ms: number): TimerId {
    const id = {};
    this.#due.set(id, { at: this.now + Math.max(0, ms), callback });
    return id;
  }

  repeat(callback: () => void, ms: number): TimerId {
    const id = {};
    this.#due.set(id, { at: this.now + Math.max(1, ms), callback, every: Math.max(1, ms) });
    return id;
  }

  clear(id: TimerId | undefined): void {
    if (id !== undefined) this.#due.delete(id);
  }

  /** Moves time on, firing due timers in time order (ties in the order they were set). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: TimerId | undefined;
      let at = Infinity;
      for (const [id, entry] of this.#due) if (entry.at < at) [next, at] = [id, entry.at];
      if (next === undefined || at > end) break;
      const entry = this.#due.get(next)!;
      this.now = at;
      if (entry.every) entry.at += entry.every;
      else this.#due.delete(next);
      entry.callback();
    }
    this.now = end;
  }
}

/** Digital inputs whose falling edges the core raises by hand. */
export function fakeDigital(): { io: DigitalConstructor; fall(pin: number): void } {
  const listeners = new Map<number, { digital: Digital; onReadable: () => void }>();
  class FakeDigital implements Digital {
    static readonly Input = 'Input';
    static readonly InputPullUp = 'InputPullUp';
    static readonly InputPullDown = 'InputPullDown';
    static readonly InputPullUpDown = 'InputPullUpDown';
    static readonly Output = 'Output';
    static readonly OutputOpenDrain = 'OutputOpenDrain';
    static readonly Rising = 1;
    static readonly Falling = 2;
    #pin: number;
    constructor(options: DigitalOptions) {
      this.#pin = options.pin;
      if (options.onReadable) listeners.set(options.pin, { digital: this, onReadable: options.onReadable });
    }
    read(): 0 | 1 {
      return 1;
    }
    write(): void {}
    close(): void {
      listeners.delete(this.#pin);
    }
  }
  return {
    io: FakeDigital,
    fall(pin) {
      const listener = listeners.get(pin);
      listener?.onReadable.call(listener.digital);
    },
  };
}

/** Plays the pulses into the Wiegand driver on fake pins and timers, and compares with the reference. */
export function runWiegand(input: Uint8Array): void {
  const pulses = pulsesOf(input);
  const timers = new FakeTimers();
  const { io, fall } = fakeDigital();
  const reads: string[] = [];
  const reader = new Wiegand({ data0: 0, data1: 1, io, timers, onRead: (frame) => reads.push(frameText(frame)) });
  for (const pulse of pulses) {
    timers.advance(pulse.gapMs);
    fall(pulse.line);
  }
  timers.advance(200);
  compareWiegand({ reads, parity: reader.parityErrors, framing: reader.framingErrors }, referenceWiegand(pulses));
  reader.close();
}
