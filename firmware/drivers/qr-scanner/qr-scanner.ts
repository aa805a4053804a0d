// A QR/barcode scanner module on a UART in its usual "serial output, CR (or CR LF) suffix" mode: each scan
// arrives as one line. A line is reported when it is 1–4296 printable ASCII characters (the largest QR code, version
// 40-L: a provisioning code, docs/protocol.md §17, is up to that long); a line holding any other
// byte, or running past the limit, is dropped whole and counted (noise after a power glitch, a wrong baud rate,
// a code that is not ours). Empty lines (the LF of CR LF) are skipped.
import type { Serial, SerialConstructor, SerialOptions } from '../../../hal/contract/io.js';
import { utf8Decode } from '../../lib/utf8.js';

export interface QrScannerOptions {
  /** `{ ...board.serial.qr, io: device.io.Serial }`. */
  serial: Omit<SerialOptions, 'onReadable' | 'onWritable'> & { io: SerialConstructor };
  onRead(text: string): void;
}

/** QR version 40-L's alphanumeric capacity, the longest provisioning code (code-layout.ts CODE_MAX_CHARS). */
export const QR_MAX_CHARS = 4296;

const CR = 0x0d;
const LF = 0x0a;

export class QrScanner {
  #serial: Serial;
  #onRead: (text: string) => void;
  #line = new Uint8Array(QR_MAX_CHARS);
  #length = 0;
  #bad = false;
  #dropped = 0;

  constructor(options: QrScannerOptions) {
    this.#onRead = options.onRead;
    this.#serial = new options.serial.io({ ...options.serial, onReadable: () => this.#onReadable() });
  }

  /** Lines dropped as garbage or too long. */
  get dropped(): number {
    return this.#dropped;
  }

  close(): void {
    this.#serial.close();
  }

  #onReadable(): void {
    const data = this.#serial.read();
    if (data === undefined) return;
    const bytes = new Uint8Array(data);
    for (let i = 0; i < bytes.length; i++) this.#take(bytes[i]!);
  }

  #take(byte: number): void {
    if (byte === CR || byte === LF) {
      this.#endLine();
    } else if (byte < 0x20 || byte > 0x7e || this.#length === QR_MAX_CHARS) {
      this.#bad = true;
    } else if (!this.#bad) {
      this.#line[this.#length++] = byte;
    }
  }

  #endLine(): void {
    const length = this.#length;
    const bad = this.#bad;
    this.#length = 0;
    this.#bad = false;
    if (bad) this.#dropped++;
    else if (length > 0) this.#onRead(utf8Decode(this.#line.subarray(0, length))); // printable ASCII; decoded in chunks (a code is too long for one spread)
  }
}
