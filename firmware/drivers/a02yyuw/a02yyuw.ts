// DYP A02YYUW / JSN-SR04T ultrasonic distance module in its serial mode (9600 8N1), ECMA-419 sensor class style:
//
//   const level = new A02yyuw({ serial: { ...board.serial.level, io: device.io.Serial }, timers, mode: 'triggered',
//     onReading(reading) { ... } });
//   level.measure();                      // exactly one onReading() per call: { mm } or { fault }
//
// - 'streaming': the module sends a frame about every 100 ms by itself (A02YYUW "UART auto output"; its processed
//   value can take up to 300 ms), measure() takes the next frame.
// - 'triggered': measure() writes 0x55 and the module answers one frame (A02YYUW "UART controlled output",
//   JSN-SR04T mode 4).
// No echo: these modules still send a frame; the DYP-A02 datasheet gives no error code, and in the field they send
// 0 with nothing in front (or the transducer blocked) and now and then a value beyond their range (5500 mm from a
// 4500 mm module in open air). So 0 and anything past `maxMm` are { fault: 'noEcho' }, never a distance. A short
// distance inside the blind zone (the A02YYUW's is 30 mm, the JSN-SR04T's 200–250 mm) is passed on as measured:
// what it means ("at least full") is the app's to decide. No valid frame in time: { fault: 'silent' }.
import type { Serial, SerialConstructor, SerialOptions } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import type { LevelReading } from '../level-reading.js';
import { FrameReader } from './frame.js';

export type A02yyuwMode = 'streaming' | 'triggered';

export interface A02yyuwOptions {
  /** `{ ...board.serial.level, io: device.io.Serial }` (9600 baud). */
  serial: Omit<SerialOptions, 'onReadable' | 'onWritable'> & { io: SerialConstructor };
  timers: Timers;
  /** Default 'triggered'. */
  mode?: A02yyuwMode;
  /** The module's range, mm: a frame beyond it is no echo. Default 4500 (A02YYUW; the JSN-SR04T's is 4500–6000). */
  maxMm?: number;
  /** How long measure() waits for a valid frame. Default 200 ms triggered, 400 ms streaming. */
  timeoutMs?: number;
  onReading(reading: LevelReading): void;
}

const TRIGGER = Uint8Array.of(0x55);
const NO_ECHO: LevelReading = Object.freeze({ fault: 'noEcho' as const });
const SILENT: LevelReading = Object.freeze({ fault: 'silent' as const });
const DEFAULT_TIMEOUT_MS: Readonly<Record<A02yyuwMode, number>> = Object.freeze({ triggered: 200, streaming: 400 });

export class A02yyuw {
  #serial: Serial;
  #timers: Timers;
  #mode: A02yyuwMode;
  #maxMm: number;
  #timeoutMs: number;
  #onReading: (reading: LevelReading) => void;
  #frames: FrameReader;
  /** measure() calls the reading under way will answer. */
  #waiting = 0;
  #timer: TimerId | undefined;
  #closed = false;

  constructor(options: A02yyuwOptions) {
    const mode = options.mode ?? 'triggered';
    if (mode !== 'triggered' && mode !== 'streaming') throw new RangeError(`A02YYUW: unknown mode ${String(mode)}`);
    this.#mode = mode;
    this.#timers = options.timers;
    this.#maxMm = options.maxMm ?? 4500;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS[mode];
    this.#onReading = options.onReading;
    this.#frames = new FrameReader((mm) => this.#onFrame(mm));
    this.#serial = new options.serial.io({ ...options.serial, onReadable: () => this.#onReadable() });
  }

  get mode(): A02yyuwMode {
    return this.#mode;
  }

  /** Bytes dropped as garbage or as the header of a frame with a bad checksum. */
  get dropped(): number {
    return this.#frames.dropped;
  }

  get badChecksums(): number {
    return this.#frames.badChecksums;
  }

  /** Asks for one reading; a call while one is under way is answered by that same reading. */
  measure(): void {
    if (this.#closed) throw new Error('A02YYUW: closed');
    if (this.#waiting++ > 0) return;
    this.#timer = this.#timers.set(() => this.#finish(SILENT), this.#timeoutMs);
    if (this.#mode === 'triggered') this.#serial.write(TRIGGER);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#waiting = 0;
    this.#serial.close();
  }

  #onReadable(): void {
    const data = this.#serial.read();
    if (data !== undefined) this.#frames.take(new Uint8Array(data));
  }

  #onFrame(mm: number): void {
    // Between measurements (streaming) or an answer after the timeout: not asked for.
    if (this.#waiting === 0) return;
    this.#finish(mm === 0 || mm > this.#maxMm ? NO_ECHO : { mm });
  }

  #finish(reading: LevelReading): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    let callers = this.#waiting;
    this.#waiting = 0; // before the callbacks: one of them may measure again
    while (callers-- > 0) this.#onReading(reading);
  }
}
