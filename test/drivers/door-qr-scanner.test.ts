// QR scanner driver on a virtual UART, fed by the simulated scanner module.
import { describe, expect, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import { QrScanner, QR_MAX_CHARS } from '../../firmware/drivers/qr-scanner/qr-scanner.js';
import { attachQrScanner, type QrScannerChip } from '../../simulator/chips/qr-scanner.js';

function setup(suffix?: string): { hal: SteppedHal; chip: QrScannerChip; scanner: QrScanner; reads: string[] } {
  const hal = steppedHal();
  const serial = hal.device.board.serial!.reader!;
  const chip = attachQrScanner(hal.io, { port: serial.port, ...(suffix === undefined ? {} : { suffix }) });
  const reads: string[] = [];
  const scanner = new QrScanner({ serial: { ...serial, io: hal.device.io.Serial! }, onRead: (text) => reads.push(text) });
  return { hal, chip, scanner, reads };
}

describe('QR scanner', () => {
  test('each CR-terminated scan is one read', () => {
    const { hal, chip, reads } = setup();
    chip.scan('CT1.eyJkIjoiZG9vci0xIn0.c2ln');
    hal.clock.advance(0);
    chip.scan('second');
    hal.clock.advance(0);
    expect(reads).toEqual(['CT1.eyJkIjoiZG9vci0xIn0.c2ln', 'second']);
  });

  test('CR LF suffix: no empty reads; several lines in one chunk; a line split across chunks', () => {
    const { hal, chip, reads } = setup('\r\n');
    chip.scan('a');
    chip.scan('b');
    chip.raw([...Buffer.from('hel')]);
    hal.clock.advance(0);
    chip.raw([...Buffer.from('lo\n')]);
    hal.clock.advance(0);
    expect(reads).toEqual(['a', 'b', 'hello']);
  });

  test('a line with a control byte or non-ASCII is dropped whole and counted; the next line reads', () => {
    const { hal, chip, scanner, reads } = setup();
    chip.raw([0x00, 0xff, 0x41, 0x0d]);
    chip.scan('Grüße');
    chip.raw([0x41, 0x09, 0x42, 0x0d]);
    chip.scan('ok');
    hal.clock.advance(0);
    expect(reads).toEqual(['ok']);
    expect(scanner.dropped).toBe(3);
  });

  test(`${QR_MAX_CHARS} characters read; one more is dropped, with no trace left for the next line`, () => {
    const { hal, chip, scanner, reads } = setup();
    const longest = 'x'.repeat(QR_MAX_CHARS);
    chip.scan(longest);
    chip.scan(`${longest}y`);
    chip.scan('z'.repeat(5000));
    chip.scan('next');
    hal.clock.advance(0);
    expect(reads).toEqual([longest, 'next']);
    expect(scanner.dropped).toBe(2);
  });

  test('close() releases the port: later scans are not read', () => {
    const { hal, chip, scanner, reads } = setup();
    scanner.close();
    chip.scan('late');
    hal.clock.advance(10);
    expect(reads).toEqual([]);
  });
});
