// Wiegand driver on two virtual inputs, fed by the simulated transmitter on the device's stepped clock.
import { describe, expect, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import { Wiegand, type WiegandFrame } from '../../firmware/drivers/wiegand/wiegand.js';
import { attachWiegand, wiegandCardBits, type WiegandTransmitter } from '../../simulator/chips/wiegand.js';

const DATA0 = 36;
const DATA1 = 39;

function setup(options: { paced?: boolean } = {}): { hal: SteppedHal; tx: WiegandTransmitter; reader: Wiegand; reads: [number, WiegandFrame][] } {
  const hal = steppedHal();
  const tx = attachWiegand(hal.io, { data0: DATA0, data1: DATA1, ...(options.paced === false ? {} : { timers: hal.timers }) });
  const reads: [number, WiegandFrame][] = [];
  const reader = new Wiegand({
    data0: DATA0, data1: DATA1, io: hal.device.io.Digital, timers: hal.timers,
    onRead: (frame) => reads.push([hal.clock.now(), frame]),
  });
  return { hal, tx, reader, reads };
}

function bitsOf(text: string): number[] {
  return [...text.replace(/\s/g, '')].map(Number);
}

function cards(reads: [number, WiegandFrame][]): string[] {
  return reads.map(([, frame]) => (frame.kind === 'card' ? `${frame.bits}:${Buffer.from(frame.id).toString('hex')}` : `key:${frame.key}`));
}

describe('Wiegand card frames', () => {
  test('a 26-bit frame written out by hand: facility 1, card 1', () => {
    const { hal, tx, reads } = setup();
    tx.sendBits(bitsOf('1 00000001 0000000000000001 0'));
    hal.clock.advance(200);
    expect(cards(reads)).toEqual(['26:010001']);
  });

  test('26 bits: the frame ends 25 ms after its last bit (bits 2 ms apart)', () => {
    const { hal, tx, reads } = setup();
    tx.sendCard(26, [0x7b, 0x30, 0x39]); // facility 123, card 12345
    hal.clock.advance(74);
    expect(reads).toEqual([]);
    hal.clock.advance(1);
    expect(reads).toHaveLength(1);
    expect(reads[0]![0]).toBe(75); // last bit at 25 × 2 = 50 ms
    expect(cards(reads)).toEqual(['26:7b3039']);
  });

  test('34 bits', () => {
    const { hal, tx, reads } = setup();
    tx.sendCard(34, [0x12, 0x34, 0xab, 0xcd]);
    hal.clock.advance(200);
    expect(cards(reads)).toEqual(['34:1234abcd']);
  });

  test('frames in a row are read one by one', () => {
    const { hal, tx, reads } = setup();
    tx.sendCard(26, [1, 2, 3]);
    tx.sendCard(34, [4, 5, 6, 7]);
    tx.sendCard(26, [8, 9, 10]);
    hal.clock.advance(1000);
    expect(cards(reads)).toEqual(['26:010203', '34:04050607', '26:08090a']);
  });

  test.each([
    ['the even parity bit', 0],
    ['the odd parity bit', 25],
    ['a data bit of the first half', 5],
    ['a data bit of the second half', 20],
  ])('flipping %s drops the frame and counts a parity error', (_what, index) => {
    const { hal, tx, reader, reads } = setup();
    const bits = wiegandCardBits(26, [0x7b, 0x30, 0x39]);
    bits[index] = 1 - bits[index]!;
    tx.sendBits(bits);
    tx.sendCard(26, [0x7b, 0x30, 0x39]);
    hal.clock.advance(500);
    expect(cards(reads)).toEqual(['26:7b3039']);
    expect(reader.parityErrors).toBe(1);
    expect(reader.framingErrors).toBe(0);
  });

  test('a 34-bit parity failure is dropped too', () => {
    const { hal, tx, reader, reads } = setup();
    const bits = wiegandCardBits(34, [1, 2, 3, 4]);
    bits[33] = 1 - bits[33]!;
    tx.sendBits(bits);
    hal.clock.advance(500);
    expect(reads).toEqual([]);
    expect(reader.parityErrors).toBe(1);
  });

  test('unknown lengths and over-long bursts are framing errors', () => {
    const { hal, tx, reader, reads } = setup();
    tx.sendBits(bitsOf('1011001110'));
    tx.sendBits(new Array(80).fill(1));
    tx.sendCard(26, [1, 2, 3]);
    hal.clock.advance(2000);
    expect(cards(reads)).toEqual(['26:010203']);
    expect(reader.framingErrors).toBe(2);
  });

  test('an unpaced transmitter (no timers) still delivers one frame', () => {
    const { hal, tx, reads } = setup({ paced: false });
    tx.sendCard(34, [0xde, 0xad, 0xbe, 0xef]);
    hal.clock.advance(100);
    expect(cards(reads)).toEqual(['34:deadbeef']);
    expect(() => tx.sendKeys('12')).toThrow(/timers/);
  });
});

describe('Wiegand keypad', () => {
  test.each([4, 8] as const)('%i-bit key bursts, one frame per key', (format) => {
    const { hal, tx, reads } = setup();
    tx.sendKeys('1234*#0', format);
    hal.clock.advance(5000);
    expect(cards(reads)).toEqual(['1', '2', '3', '4', '*', '#', '0'].map((key) => `key:${key}`));
  });

  test('8-bit key whose high nibble is not the complement is a parity error; 4-bit codes 12–15 are framing errors', () => {
    const { hal, tx, reader, reads } = setup();
    tx.sendBits(bitsOf('0000 0001')); // '1' without its complement (would be 1110 0001)
    tx.sendBits(bitsOf('1110 0001'));
    tx.sendBits(bitsOf('1100'));
    hal.clock.advance(1000);
    expect(cards(reads)).toEqual(['key:1']);
    expect(reader.parityErrors).toBe(1);
    expect(reader.framingErrors).toBe(1);
  });
});

describe('simulated transmitter', () => {
  test('pulses idle-high lines low, 2 ms apart, on the device clock', () => {
    const hal = steppedHal();
    const tx = attachWiegand(hal.io, { data0: DATA0, data1: DATA1, timers: hal.timers });
    const falls: string[] = [];
    for (const [pin, name] of [[DATA0, 'D0'], [DATA1, 'D1']] as const) {
      hal.io.pin(pin).watch((p) => {
        if (p.level === 0) falls.push(`${hal.clock.now()}:${name}`);
      });
    }
    expect(hal.io.pin(DATA0).level).toBe(1);
    tx.sendKeys('5', 4); // 0101
    expect(tx.busy).toBe(true);
    hal.clock.advance(1000);
    expect(falls).toEqual(['0:D0', '2:D1', '4:D0', '6:D1']);
    expect(hal.io.pin(DATA0).level).toBe(1);
    expect(hal.io.pin(DATA1).level).toBe(1);
    expect(tx.busy).toBe(false);
  });

  test('close() frees both pins and stops the frame timer', () => {
    const { hal, tx, reader, reads } = setup();
    tx.sendCard(26, [1, 2, 3]);
    hal.clock.advance(20);
    reader.close();
    hal.clock.advance(500);
    expect(reads).toEqual([]);
    expect(hal.io.pin(DATA0).owner).toBeUndefined();
  });
});
