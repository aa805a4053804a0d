// A QR scanner module on a UART peer: each scan arrives as the code's text and a suffix (CR by default, as
// these modules ship). raw() sends arbitrary bytes, for noise and wrong-baud garbage.
import type { SerialPeer, VirtualIo } from '../../hal/host/io/index.js';

export interface QrScannerChipOptions {
  port?: number;
  /** Default "\r". */
  suffix?: string;
}

export class QrScannerChip {
  #peer: SerialPeer;
  #suffix: string;

  constructor(peer: SerialPeer, suffix = '\r') {
    this.#peer = peer;
    this.#suffix = suffix;
  }

  /** A scanned code. Text is sent as UTF-8, as the modules do. */
  scan(text: string): void {
    this.#peer.inject(text + this.#suffix);
  }

  raw(bytes: Uint8Array | readonly number[]): void {
    this.#peer.inject(Uint8Array.from(bytes));
  }
}

export function attachQrScanner(io: VirtualIo, options: QrScannerChipOptions = {}): QrScannerChip {
  return new QrScannerChip(io.serial(options.port ?? 0), options.suffix);
}
