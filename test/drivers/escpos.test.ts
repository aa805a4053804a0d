// ESC/POS receipt printer driver on a virtual UART against the simulated printer: a queue ticket comes out on the
// paper as asked; the bytes follow the command reference; Chinese as GB18030 from the glyph table; status bytes;
// a job refused before it starts (paper out, cover open, error, a silent printer) and failed when the status
// turns bad mid-way; garbage on the line; XON/XOFF with a slow printer; busy, invalid, close(); the part kind.
import { describe, expect, test } from '@jest/globals';
import type { SerialOptions } from '../../hal/contract/io.js';
import { steppedHal, type SteppedHal } from './io-support.js';
import { EscPosPrinter, type PrintResult } from '../../firmware/drivers/escpos/escpos.js';
import { STATUS_QUERY } from '../../firmware/drivers/escpos/commands.js';
import { encodeText, TICKET_GLYPHS } from '../../firmware/drivers/escpos/gb18030.js';
import { encodeReceipt } from '../../firmware/drivers/escpos/receipt.js';
import { decodeStatus, isStatusByte, SILENT_STATUS, statusProblem, type PrinterStatus } from '../../firmware/drivers/escpos/status.js';
import { queueTicket } from '../../firmware/drivers/escpos/ticket.js';
import { receiptPrinter } from '../../firmware/parts/receipt-printer.js';
import { openParts } from '../../firmware/parts/open-parts.js';
import { attachEscPosPrinter, type EscPosPrinterChip } from '../../simulator/chips/escpos-printer.js';

const TICKET = queueTicket({ title: '物业服务台', number: 'A023', time: '2026-12-06 18:40', qr: 'https://q.example/t/A023', note: '请稍候叫号' });

interface Rig {
  hal: SteppedHal;
  chip: EscPosPrinterChip;
  printer: EscPosPrinter;
  statuses: PrinterStatus[];
  results: PrintResult[];
  print(receipt?: typeof TICKET): void;
}

function rig(options: { chunkBytes?: number; bufferBytes?: number; before?: (hal: SteppedHal) => void } = {}): Rig {
  const hal = steppedHal();
  const serial = hal.device.board.serial!.reader!;
  options.before?.(hal);
  const chip = attachEscPosPrinter(hal.io, { port: serial.port, timers: hal.timers, bufferBytes: options.bufferBytes });
  const statuses: PrinterStatus[] = [];
  const results: PrintResult[] = [];
  const printer = new EscPosPrinter({
    serial: { ...serial, io: hal.device.io.Serial! }, timers: hal.timers, chunkBytes: options.chunkBytes, onStatus: (s) => statuses.push(s),
  });
  return { hal, chip, printer, statuses, results, print: (receipt = TICKET) => printer.print(receipt, (r) => results.push(r)) };
}

const GOOD: PrinterStatus = { responding: true, offline: false, coverOpen: false, paperOut: false, paperNearEnd: false, error: false };

describe('ESC/POS bytes', () => {
  test('a text line: ESC @, FS &, ESC a 1, GS ! 0x11, ESC E 1, the text, LF, then GS V 66 0', () => {
    const encoded = encodeReceipt({ lines: [{ text: 'A1', scale: 2, bold: true, align: 'center' }] }, TICKET_GLYPHS);
    expect(encoded).toEqual({
      bytes: Uint8Array.of(0x1b, 0x40, 0x1c, 0x26, 0x1b, 0x61, 1, 0x1d, 0x21, 0x11, 0x1b, 0x45, 1, 0x41, 0x31, 0x0a, 0x1d, 0x56, 0x42, 0),
      unprintable: 0,
    });
  });

  test('a QR code: model 2, module size, error correction M, store (pL pH = length + 3), print', () => {
    const encoded = encodeReceipt({ lines: [{ qr: 'AB', moduleSize: 5 }], cut: false }, TICKET_GLYPHS);
    expect('bytes' in encoded && [...encoded.bytes.subarray(4)]).toEqual([
      0x1b, 0x61, 1,
      0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0,
      0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, 5,
      0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31,
      0x1d, 0x28, 0x6b, 5, 0, 0x31, 0x50, 0x30, 0x41, 0x42,
      0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30,
    ]);
  });

  test("every glyph table entry is that character's GB18030 code; others print as '?' and are counted", () => {
    const decoder = new TextDecoder('gb18030');
    for (const [character, code] of Object.entries(TICKET_GLYPHS)) {
      expect(decoder.decode(Uint8Array.of(code >> 8, code & 0xff))).toBe(character);
    }
    const out: number[] = [];
    expect(encodeText(out, '排队 A1 李', TICKET_GLYPHS)).toBe(1);
    expect(out).toEqual([0xc5, 0xc5, 0xb6, 0xd3, 0x20, 0x41, 0x31, 0x20, 0x3f]);
    const controls: number[] = [];
    expect(encodeText(controls, 'a\nb\u001b', TICKET_GLYPHS)).toBe(2); // a control byte never reaches the printer
    expect(controls).toEqual([0x61, 0x3f, 0x62, 0x3f]);
  });

  test('a bad receipt is refused with a reason', () => {
    const bad = (receipt: unknown) => encodeReceipt(receipt as never, TICKET_GLYPHS);
    expect(bad({ lines: [] })).toEqual({ invalid: 'lines: 1–64 lines' });
    expect(bad({ lines: [{ text: 'x', scale: 9 }] })).toEqual({ invalid: 'line 0: scale: an integer 1–8' });
    expect(bad({ lines: [{ feed: 1 }, { qr: '二维码' }] })).toEqual({ invalid: 'line 1: qr: 1–512 printable ASCII characters' });
    expect(bad({ lines: [{ qr: 'x'.repeat(513) }] })).toEqual({ invalid: 'line 0: qr: 1–512 printable ASCII characters' });
    expect(bad({ lines: [{ text: 'x', align: 'middle' }] })).toEqual({ invalid: 'line 0: align: left, center or right' });
    expect(bad({ lines: [{ feed: 0 }] })).toEqual({ invalid: 'line 0: feed: an integer 1–255' });
    expect(bad({ lines: [{ image: 'x' }] })).toEqual({ invalid: 'line 0: neither text, qr nor feed' });
    expect(bad({ lines: [null] })).toEqual({ invalid: 'line 0: not an object' });
    expect(bad(undefined)).toEqual({ invalid: 'lines: 1–64 lines' });
  });
});

describe('status bytes', () => {
  test('DLE EOT 1, 2, 4 answers: fixed bits, offline, cover open, paper out and near end, error', () => {
    expect(decodeStatus(0x12, 0x12, 0x12)).toEqual(GOOD);
    expect(decodeStatus(0x1a, 0x32, 0x72)).toEqual({ ...GOOD, offline: true, paperOut: true });
    expect(decodeStatus(0x1a, 0x16, 0x12)).toEqual({ ...GOOD, offline: true, coverOpen: true });
    expect(decodeStatus(0x12, 0x12, 0x1e)).toEqual({ ...GOOD, paperNearEnd: true });
    expect(decodeStatus(0x1a, 0x52, 0x12)).toEqual({ ...GOOD, offline: true, error: true });
    expect(statusProblem(decodeStatus(0x1a, 0x36, 0x72))).toBe('coverOpen');
    expect(statusProblem(decodeStatus(0x1a, 0x12, 0x12))).toBe('offline');
    expect(statusProblem(decodeStatus(0x12, 0x12, 0x1e))).toBeUndefined(); // near end still prints
    expect([0x12, 0x1a, 0x7e, 0x11, 0x13, 0x00, 0x92, 0x13 | 0x80].map(isStatusByte)).toEqual([true, true, true, false, false, false, false, false]);
  });
});

describe('printing on the simulated printer', () => {
  test('a queue ticket (title, big number, time, QR, note) comes out and is cut', () => {
    const { hal, chip, results, print } = rig();
    print();
    hal.clock.advance(50);
    expect(results).toEqual([{ ok: true, status: GOOD, unprintable: 0 }]);
    expect(chip.receipts()).toEqual([{
      lines: [
        { text: '物业服务台', scale: [2, 2], bold: true, align: 'center' },
        { feed: 1 },
        { text: 'A023', scale: [4, 4], bold: true, align: 'center' },
        { text: '2026-12-06 18:40', scale: [1, 1], bold: false, align: 'center' },
        { qr: 'https://q.example/t/A023', align: 'center' },
        { text: '请稍候叫号', scale: [1, 1], bold: false, align: 'center' },
        { feed: 3 },
      ],
    }]);
    expect(chip.unknown).toBe(0);
    expect(chip.uncut()).toEqual([]);
  });

  test('the job goes out in chunks, each followed by a status query', () => {
    const { hal, chip, printer, results, print } = rig({ chunkBytes: 16 });
    const peer = hal.io.serial(hal.device.board.serial!.reader!.port);
    const writes: number[] = [];
    peer.onWrite((bytes) => writes.push(bytes.length));
    print();
    hal.clock.advance(50);
    expect(results).toMatchObject([{ ok: true }]);
    const jobBytes = (encodeReceipt(TICKET, TICKET_GLYPHS) as { bytes: Uint8Array }).bytes.length;
    const chunks = Math.ceil(jobBytes / 16);
    expect(writes).toEqual([9, ...Array.from({ length: chunks }, (_, i) => [i < chunks - 1 ? 16 : jobBytes - 16 * (chunks - 1), 9]).flat()]);
    expect(chip.statusQueries).toBe(3 * (chunks + 1));
    expect(printer.printing).toBe(false);
  });

  test.each([
    ['paperOut', (chip: EscPosPrinterChip) => { chip.paperOut = true; }],
    ['coverOpen', (chip: EscPosPrinterChip) => { chip.coverOpen = true; }],
    ['error', (chip: EscPosPrinterChip) => { chip.error = true; }],
    ['offline', (chip: EscPosPrinterChip) => { chip.feedButton = true; }],
  ] as const)('%s before the job: refused with that reason, nothing but the status query sent', (reason, fault) => {
    const { hal, chip, results, statuses, print } = rig();
    fault(chip);
    print();
    hal.clock.advance(50);
    expect(results).toEqual([{ ok: false, reason, stage: 'before' }]);
    expect(hal.io.serial(hal.device.board.serial!.reader!.port).written).toEqual(Uint8Array.from(STATUS_QUERY));
    expect(statuses.at(-1)).toMatchObject(reason === 'offline' ? { offline: true, coverOpen: false, paperOut: false, error: false } : { offline: true, [reason]: true });
    chip.resume();
    print();
    hal.clock.advance(50);
    expect(results[1]).toMatchObject({ ok: true });
    expect(chip.receipts()).toHaveLength(1);
  });

  test('paper running out mid-job fails the job as "during", never reported printed', () => {
    const { hal, chip, results, statuses, print } = rig({ chunkBytes: 16 });
    chip.paperOutAfterLines(2);
    print();
    hal.clock.advance(50);
    expect(results).toEqual([{ ok: false, reason: 'paperOut', stage: 'during' }]);
    expect(chip.receipts()).toEqual([]);
    expect(chip.uncut()).toHaveLength(2);
    expect(statuses).toEqual([GOOD, { ...GOOD, offline: true, paperOut: true }]);
  });

  test('paper near end is reported and still prints', () => {
    const { hal, chip, results, statuses, print } = rig();
    chip.paperNearEnd = true;
    print();
    hal.clock.advance(50);
    expect(results).toEqual([{ ok: true, status: { ...GOOD, paperNearEnd: true }, unprintable: 0 }]);
    expect(statuses).toEqual([{ ...GOOD, paperNearEnd: true }]);
  });

  test('a silent printer: no answer in 500 ms is offline, and the job is refused', () => {
    const { hal, chip, printer, results, statuses, print } = rig();
    chip.silent = true;
    print();
    hal.clock.advance(499);
    expect(results).toEqual([]);
    hal.clock.advance(1);
    expect(results).toEqual([{ ok: false, reason: 'offline', stage: 'before' }]);
    expect(statuses).toEqual([SILENT_STATUS]);
    expect(printer.status).toEqual(SILENT_STATUS);
    expect(hal.clock.pendingTimers).toBe(0);
  });

  test('a UART that never has room: the status query never goes out and the job ends offline, not hanging', () => {
    const hal = steppedHal();
    const results: PrintResult[] = [];
    class StuckSerial {
      constructor(readonly options: SerialOptions) {}
      read(): undefined {
        return undefined;
      }
      write(): void {
        throw new Error('no room was offered');
      }
      close(): void {}
    }
    const printer = new EscPosPrinter({ serial: { baud: 9600, io: StuckSerial }, timers: hal.timers });
    printer.print(TICKET, (r) => results.push(r));
    hal.clock.advance(500);
    expect(results).toEqual([{ ok: false, reason: 'offline', stage: 'before' }]);
    expect(hal.clock.pendingTimers).toBe(0);
  });

  test('a printer that goes silent mid-job fails the job as offline', () => {
    const { hal, chip, results, print } = rig({ chunkBytes: 16 });
    let answers = 0;
    hal.io.serial(hal.device.board.serial!.reader!.port).onWrite(() => {
      if (++answers === 3) chip.silent = true; // after the check and one chunk
    });
    print();
    hal.clock.advance(1000);
    expect(results).toEqual([{ ok: false, reason: 'offline', stage: 'during' }]);
  });

  test('garbage on the line before every answer and unasked status bytes are dropped; the job prints', () => {
    const garbage = [0x00, 0xff, 0x80, 0x41, 0x0d];
    let writes = 0;
    const { hal, chip, printer, results, print } = rig({
      // Registered before the printer attaches: the noise arrives ahead of each answer.
      before: (hal) => hal.io.serial(hal.device.board.serial!.reader!.port).onWrite(() => {
        writes++;
        hal.io.serial(hal.device.board.serial!.reader!.port).inject(Uint8Array.from(garbage));
      }),
    });
    chip.raw([0x12, 0x1a, 0x12]); // a status nobody asked for
    hal.clock.advance(1);
    print();
    hal.clock.advance(50);
    expect(results).toMatchObject([{ ok: true }]);
    expect(chip.receipts()).toHaveLength(1);
    expect(printer.dropped).toBe(3 + garbage.length * writes);
  });

  test('a slow printer with a small buffer holds the line with XOFF: nothing overflows, the ticket comes out', () => {
    const { hal, chip, printer, results } = rig({ bufferBytes: 300 });
    chip.slow(4); // 400 bytes a second: slower than 9600 baud
    const long = queueTicket({ title: '物业服务台', number: 'A023', time: '2026-12-06 18:40', qr: 'Q'.repeat(400), note: '请稍候叫号' });
    let bufferedAtResult = -1;
    printer.print(long, (result) => {
      results.push(result);
      bufferedAtResult = chip.buffered;
    });
    hal.clock.advance(5000);
    expect(results).toMatchObject([{ ok: true }]);
    expect(chip.overflowed).toBe(0);
    // Not reported printed while the printer still held the line: at most half its buffer was left (its XON mark).
    expect(bufferedAtResult).toBeGreaterThanOrEqual(0);
    expect(bufferedAtResult).toBeLessThanOrEqual(150);
    expect(chip.receipts()[0]?.lines).toContainEqual({ qr: 'Q'.repeat(400), align: 'center' });
  });

  test('paper out while the printer holds the line fails the job; a line held too long is stalled', () => {
    const first = rig({ bufferBytes: 300 });
    first.chip.slow(4);
    first.print(queueTicket({ title: 'T', number: '1', time: 't', qr: 'Q'.repeat(400) }));
    first.hal.clock.advance(100);
    first.chip.paperOut = true;
    first.hal.clock.advance(2000);
    expect(first.results).toEqual([{ ok: false, reason: 'paperOut', stage: 'during' }]);

    const second = rig({ bufferBytes: 300 });
    second.chip.slow(0); // a printer that never works through its buffer
    second.print(queueTicket({ title: 'T', number: '1', time: 't', qr: 'Q'.repeat(400) }));
    second.hal.clock.advance(29_000);
    expect(second.results).toEqual([]);
    second.hal.clock.advance(2000);
    expect(second.results).toEqual([{ ok: false, reason: 'stalled', stage: 'during' }]);
  });

  test('busy, invalid and close(): each print() gets exactly one result', () => {
    const { hal, chip, printer, results, print } = rig();
    print({ lines: [{ qr: '' }] });
    expect(results).toEqual([{ ok: false, reason: 'invalid', stage: 'before', detail: 'line 0: qr: 1–512 printable ASCII characters' }]);
    print();
    print();
    expect(results[1]).toEqual({ ok: false, reason: 'busy', stage: 'before' });
    printer.close();
    expect(results[2]).toEqual({ ok: false, reason: 'closed', stage: 'before' });
    hal.clock.advance(1000);
    expect(results).toHaveLength(3);
    expect(chip.receipts()).toEqual([]);
    expect(hal.clock.pendingTimers).toBe(0);
    expect(() => print()).toThrow('closed');
  });
});

describe('receiptPrinter part', () => {
  test('opens on the board serial port, reports the status at once, and prints', () => {
    const hal = steppedHal();
    const chip = attachEscPosPrinter(hal.io, { port: hal.device.board.serial!.reader!.port, timers: hal.timers });
    chip.paperNearEnd = true;
    const statuses: PrinterStatus[] = [];
    const table = { printer: receiptPrinter({ serial: 'reader', on: { status: 'printerStatus' } }) };
    const opened = openParts(table, { device: hal.device, timers: hal.timers, clock: hal.clock, events: { printerStatus: (s: PrinterStatus) => statuses.push(s) } });
    hal.clock.advance(10);
    expect(statuses).toEqual([{ ...GOOD, paperNearEnd: true }]);
    const results: PrintResult[] = [];
    opened.parts.printer?.print(TICKET, (r) => results.push(r));
    hal.clock.advance(50);
    expect(results).toMatchObject([{ ok: true }]);
    expect(chip.receipts()).toHaveLength(1);
    opened.close();
    expect(hal.clock.pendingTimers).toBe(0);
  });
});
