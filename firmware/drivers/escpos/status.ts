// The printer's answers to the real-time status query (commands.ts STATUS_QUERY: DLE EOT 1, 2, 4), one byte each,
// in the order asked. Every such byte has bits 1 and 4 set and bits 0 and 7 clear (ESC/POS "fixed" bits), which
// also tells it apart from XON (0x11) and XOFF (0x13): anything else on the line is garbage, dropped and counted.
import { XOFF, XON } from './commands.js';

export interface PrinterStatus {
  /** False when the printer did not answer in time (unpowered, unplugged, wrong baud rate): then also offline. */
  readonly responding: boolean;
  readonly offline: boolean;
  readonly coverOpen: boolean;
  readonly paperOut: boolean;
  readonly paperNearEnd: boolean;
  /** An error stopped the printer (cutter jam, head overheated). */
  readonly error: boolean;
}

/** Why the printer cannot print, most specific first (cover open and paper out also make it offline). */
export type PrinterProblem = 'coverOpen' | 'paperOut' | 'error' | 'offline';

export const SILENT_STATUS: PrinterStatus = Object.freeze({
  responding: false, offline: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false,
});

export const STATUS_ANSWERS = 3;

const FIXED_MASK = 0x93;
const FIXED_BITS = 0x12;

export function isStatusByte(byte: number): boolean {
  return (byte & FIXED_MASK) === FIXED_BITS;
}

/** The three answers, in the order of STATUS_QUERY, as a status. */
export function decodeStatus(printer: number, offlineCause: number, paper: number): PrinterStatus {
  return {
    responding: true,
    offline: (printer & 0x08) !== 0,
    coverOpen: (offlineCause & 0x04) !== 0,
    paperOut: (offlineCause & 0x20) !== 0 || (paper & 0x60) !== 0,
    paperNearEnd: (paper & 0x0c) !== 0,
    error: (offlineCause & 0x40) !== 0,
  };
}

export function statusProblem(status: PrinterStatus): PrinterProblem | undefined {
  if (status.coverOpen) return 'coverOpen';
  if (status.paperOut) return 'paperOut';
  if (status.error) return 'error';
  if (status.offline) return 'offline';
  return undefined;
}

export function sameStatus(a: PrinterStatus, b: PrinterStatus): boolean {
  return a.responding === b.responding && a.offline === b.offline && a.coverOpen === b.coverOpen
    && a.paperOut === b.paperOut && a.paperNearEnd === b.paperNearEnd && a.error === b.error;
}

export interface StatusReaderEvents {
  status(status: PrinterStatus): void;
  /** The printer's buffer is nearly full (true) or has room again (false). */
  hold(held: boolean): void;
}

/**
 * Takes the bytes the printer sends. While a query is open (expect()), its first three status bytes make one
 * status; status bytes that come unasked (a late answer after a timeout) are dropped with the garbage. The answers
 * carry no tag: an answer later than the timeout and the next query would be read as that query's.
 */
export class StatusReader {
  #events: StatusReaderEvents;
  #answers = [0, 0, 0];
  #count = 0;
  #open = false;
  #dropped = 0;

  constructor(events: StatusReaderEvents) {
    this.#events = events;
  }

  /** Bytes thrown away: garbage and unasked status bytes. */
  get dropped(): number {
    return this.#dropped;
  }

  /** A query went out: the next three status bytes answer it. */
  expect(): void {
    this.#open = true;
    this.#count = 0;
  }

  /** The query timed out: what came of its answer is forgotten. */
  cancel(): void {
    this.#open = false;
    this.#count = 0;
  }

  take(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.#byte(bytes[i]!);
  }

  #byte(byte: number): void {
    if (byte === XOFF || byte === XON) {
      this.#events.hold(byte === XOFF);
    } else if (!this.#open || !isStatusByte(byte)) {
      this.#dropped++;
    } else {
      this.#answers[this.#count++] = byte;
      if (this.#count < STATUS_ANSWERS) return;
      this.#open = false;
      this.#count = 0;
      this.#events.status(decodeStatus(this.#answers[0]!, this.#answers[1]!, this.#answers[2]!));
    }
  }
}
