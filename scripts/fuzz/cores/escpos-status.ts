// Fuzz core for the receipt printer's answers (firmware/drivers/escpos): bytes as the driver receives them, in
// chunks of random sizes.
// 1. The status-byte parser with a query always open, against a reference written here from the ESC/POS tables
//    (DLE EOT 1/2/4 answers have bits 1 and 4 set, 0 and 7 clear; XON 0x11, XOFF 0x13; anything else dropped):
//    same statuses, same XON/XOFF, same dropped count.
// 2. The driver printing ticket after ticket while the same bytes arrive and time passes (answers missing, late,
//    partial): nothing escapes, every print() gets exactly one result, `ok` only on a good status, no timer left
//    after close().
// Engine-neutral: inside XS and on Node alike, on the fake UART and timers below.
import type { BufferSource, Serial, SerialConstructor, SerialOptions } from '../../../hal/contract/io.js';
import { STATUS_QUERY } from '../../../firmware/drivers/escpos/commands.js';
import { EscPosPrinter, type PrintResult } from '../../../firmware/drivers/escpos/escpos.js';
import { StatusReader, statusProblem, type PrinterStatus } from '../../../firmware/drivers/escpos/status.js';
import { queueTicket } from '../../../firmware/drivers/escpos/ticket.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';
import { chunking } from './qr-serial.js';
import { FakeTimers } from './wiegand.js';

export interface EscposStatusOutcome {
  statuses: string[];
  /** '+' per XOFF, '-' per XON, in order. */
  holds: string;
  dropped: number;
}

function statusText(s: PrinterStatus): string {
  return `${s.offline ? 'O' : 'o'}${s.coverOpen ? 'C' : 'c'}${s.paperOut ? 'P' : 'p'}${s.paperNearEnd ? 'N' : 'n'}${s.error ? 'E' : 'e'}`;
}

export function referenceEscposStatus(bytes: Uint8Array): EscposStatusOutcome {
  const outcome: EscposStatusOutcome = { statuses: [], holds: '', dropped: 0 };
  const answers: number[] = [];
  for (const byte of bytes) {
    if (byte === 0x13) outcome.holds += '+';
    else if (byte === 0x11) outcome.holds += '-';
    else if ((byte & 0x01) !== 0 || (byte & 0x02) === 0 || (byte & 0x10) === 0 || (byte & 0x80) !== 0) outcome.dropped++;
    else if (answers.push(byte) === 3) {
      const [printer, cause, paper] = answers.splice(0, 3) as [number, number, number];
      const paperOut = (cause & 0x20) !== 0 || (paper & 0x20) !== 0 || (paper & 0x40) !== 0;
      const nearEnd = (paper & 0x04) !== 0 || (paper & 0x08) !== 0;
      outcome.statuses.push(`${printer & 0x08 ? 'O' : 'o'}${cause & 0x04 ? 'C' : 'c'}${paperOut ? 'P' : 'p'}${nearEnd ? 'N' : 'n'}${cause & 0x40 ? 'E' : 'e'}`);
    }
  }
  return outcome;
}

/**
 * A UART whose receive side the core fills by hand; onWritable comes after each write, when the core says;
 * `queries` counts the status queries written.
 */
interface Line {
  io: SerialConstructor;
  receive(bytes: Uint8Array): void;
  writable(): void;
  open(): boolean;
  queries: number;
}

function fakeLine(): Line {
  let pending: number[] = [];
  let owner: { serial: Serial; options: SerialOptions } | undefined;
  let room = true;
  class FakeLine implements Serial {
    constructor(options: SerialOptions) {
      owner = { serial: this, options };
    }
    read(): ArrayBuffer | undefined {
      if (pending.length === 0) return undefined;
      const out = Uint8Array.from(pending);
      pending = [];
      return out.buffer;
    }
    write(buffer: BufferSource): void {
      check(owner?.serial === this, 'ESC/POS: write after close');
      room = true;
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : buffer;
      if (bytes.length === STATUS_QUERY.length && bytes[0] === 0x10 && bytes[1] === 0x04) line.queries++;
    }
    close(): void {
      owner = undefined;
    }
  }
  const line: Line = {
    queries: 0,
    io: FakeLine,
    receive(bytes) {
      for (const byte of bytes) pending.push(byte);
      if (owner && pending.length > 0) owner.options.onReadable?.call(owner.serial, pending.length);
    },
    writable() {
      if (!room || !owner) return;
      room = false;
      owner.options.onWritable?.call(owner.serial, 256);
    },
    open: () => owner !== undefined,
  };
  return line;
}

function runReader(input: Uint8Array, rng: Prng): void {
  const got: EscposStatusOutcome = { statuses: [], holds: '', dropped: 0 };
  const reader: StatusReader = new StatusReader({
    status(status) {
      got.statuses.push(statusText(status));
      reader.expect();
    },
    hold(held) {
      got.holds += held ? '+' : '-';
    },
  });
  reader.expect();
  let at = 0;
  for (const size of chunking(input.length, rng)) {
    reader.take(input.subarray(at, at + size));
    at += size;
  }
  got.dropped = reader.dropped;
  const want = referenceEscposStatus(input);
  check(got.statuses.join() === want.statuses.join(), () => `ESC/POS statuses ${got.statuses.join().slice(0, 200)}, reference ${want.statuses.join().slice(0, 200)}`);
  check(got.holds === want.holds && got.dropped === want.dropped,
    () => `ESC/POS holds ${got.holds.slice(0, 80)} dropped ${got.dropped}, reference ${want.holds.slice(0, 80)} ${want.dropped}`);
}

function runDriver(input: Uint8Array, rng: Prng): void {
  const line = fakeLine();
  const timers = new FakeTimers();
  const results: PrintResult[] = [];
  let prints = 0;
  const ticket = queueTicket({ title: '物业服务台', number: 'A023', time: '2026-12-06 18:40', qr: 'https://q.example/t/A023' });
  const printer = new EscPosPrinter({ serial: { baud: 9600, port: 2, io: line.io }, timers, chunkBytes: 1 + rng.below(64), holdPollMs: 100, stallMs: 300 });
  const print = () => {
    prints++;
    printer.print(ticket, (result) => {
      results.push(result);
      check(!result.ok || statusProblem(result.status) === undefined, 'ESC/POS: ok on a bad status');
    });
  };
  const settled = () => {
    if (!printer.printing) print();
    check(results.length === prints - (printer.printing ? 1 : 0), () => `ESC/POS: ${prints} prints, ${results.length} results`);
  };
  print();
  if (rng.chance(0.5)) {
    // The input as a stream, whenever it comes.
    let at = 0;
    for (const size of chunking(input.length, rng)) {
      line.writable();
      line.receive(input.subarray(at, at + size));
      at += size;
      if (rng.chance(0.3)) timers.advance(rng.below(600));
      settled();
    }
  } else {
    // The input as the answers: each status query gets the next 1–4 bytes (XON/XOFF, garbage and late answers
    // included), with time passing between, so the driver reaches holds, stalls and mid-job failures.
    let at = 0;
    let answered = 0;
    for (let step = 0; at < input.length && step < 4 * input.length + 16; step++) {
      line.writable();
      if (line.queries > answered) {
        answered++;
        const size = 1 + rng.below(4);
        line.receive(input.subarray(at, at + size));
        at += size;
      }
      timers.advance(rng.chance(0.7) ? rng.below(3) : rng.below(600));
      settled();
    }
  }
  printer.close();
  check(results.length === prints, () => `ESC/POS: ${prints} prints, ${results.length} results after close()`);
  check(!line.open(), 'ESC/POS: port open after close()');
  const before = results.length;
  timers.advance(60_000);
  check(results.length === before, 'ESC/POS: a result after close()');
}

export function runEscposStatus(input: Uint8Array, runSeed: number): void {
  const rng = new Prng(runSeed);
  runReader(input, rng);
  runDriver(input, rng);
}
