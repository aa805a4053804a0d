// Fuzz core for the QR scanner's UART frames (firmware/drivers/qr-scanner): bytes as the driver receives them,
// in chunks of random sizes, checked against a reference line splitter written here from the driver's contract
// (a line is 1–512 printable ASCII characters ended by CR or LF; a line with any other byte or too long is
// dropped whole and counted; empty lines are skipped). Engine-neutral: inside XS on the fake Serial below; the
// Node target plays the same bytes into the host's virtual UART instead.
import type { Serial, SerialConstructor, SerialOptions } from '../../../hal/contract/io.js';
import { QR_MAX_CHARS, QrScanner } from '../../../firmware/drivers/qr-scanner/qr-scanner.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';

export interface QrOutcome {
  reads: string[];
  dropped: number;
}

/** What the bytes should give (a line still open at the end is not reported). */
export function referenceQr(bytes: Uint8Array): QrOutcome {
  const outcome: QrOutcome = { reads: [], dropped: 0 };
  let line: number[] = [];
  let bad = false;
  for (const byte of bytes) {
    if (byte === 0x0d || byte === 0x0a) {
      if (bad) outcome.dropped++;
      else if (line.length > 0) outcome.reads.push(String.fromCharCode(...line));
      line = [];
      bad = false;
    } else if (byte < 0x20 || byte > 0x7e || line.length === QR_MAX_CHARS) bad = true;
    else line.push(byte);
  }
  return outcome;
}

export function compareQr(got: QrOutcome, want: QrOutcome): void {
  check(got.reads.length === want.reads.length && got.reads.every((read, i) => read === want.reads[i]),
    () => `QR reads ${JSON.stringify(got.reads).slice(0, 200)}, reference ${JSON.stringify(want.reads).slice(0, 200)}`);
  check(got.dropped === want.dropped, () => `QR dropped ${got.dropped} lines, reference ${want.dropped}`);
}

/** Chunk sizes for a stream of `length` bytes: single bytes, small and large pieces. */
export function chunking(length: number, rng: Prng): number[] {
  const sizes: number[] = [];
  for (let at = 0; at < length;) {
    const size = Math.min(length - at, rng.chance(0.2) ? 1 : rng.size(length));
    sizes.push(size);
    at += size;
  }
  return sizes;
}

/** A UART whose receive side the core fills by hand. */
export function fakeSerial(): { io: SerialConstructor; receive(bytes: Uint8Array): void } {
  let pending: number[] = [];
  let open: { serial: Serial; onReadable: SerialOptions['onReadable'] } | undefined;
  class FakeSerial implements Serial {
    constructor(options: SerialOptions) {
      open = { serial: this, onReadable: options.onReadable };
    }
    read(count?: number): ArrayBuffer | undefined {
      if (pending.length === 0) return undefined;
      const take = count === undefined ? pending.length : Math.min(count, pending.length);
      const out = Uint8Array.from(pending.slice(0, take));
      pending = pending.slice(take);
      return out.buffer;
    }
    write(): void {}
    close(): void {
      open = undefined;
    }
  }
  return {
    io: FakeSerial,
    receive(bytes) {
      for (const byte of bytes) pending.push(byte);
      if (open?.onReadable && pending.length > 0) open.onReadable.call(open.serial, pending.length);
    },
  };
}

export function runQrSerial(input: Uint8Array, runSeed: number): void {
  const rng = new Prng(runSeed);
  const { io, receive } = fakeSerial();
  const reads: string[] = [];
  const scanner = new QrScanner({ serial: { baud: 9600, port: 2, io }, onRead: (text) => reads.push(text) });
  let at = 0;
  for (const size of chunking(input.length, rng)) {
    receive(input.subarray(at, at + size));
    at += size;
  }
  compareQr({ reads, dropped: scanner.dropped }, referenceQr(input));
  scanner.close();
}
