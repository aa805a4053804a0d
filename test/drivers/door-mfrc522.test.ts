// MFRC522 driver against the register-level simulated chip on the virtual SPI bus of a host HAL.
import { describe, expect, jest, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import { Mfrc522 } from '../../firmware/drivers/mfrc522/mfrc522.js';
import { attachMfrc522, type Mfrc522Chip } from '../../simulator/chips/mfrc522.js';
import { Iso14443aCard, crcA } from '../../simulator/chips/iso14443a-card.js';

const UID4 = [0xde, 0xad, 0xbe, 0xef];
const UID7 = [0x04, 0x52, 0x8a, 0x1a, 0x3b, 0x64, 0x80];
const UID10 = [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];

function setup(): { hal: SteppedHal; chip: Mfrc522Chip; reader: Mfrc522 } {
  const hal = steppedHal();
  const select = hal.device.board.pin.nfcSelect!;
  const chip = attachMfrc522(hal.io, { select, port: hal.device.board.spi!.port });
  const reader = new Mfrc522({ spi: { ...hal.device.board.spi!, io: hal.device.io.SPI!, select } });
  return { hal, chip, reader };
}

function hexOf(bytes: Uint8Array | undefined): string | undefined {
  return bytes && Buffer.from(bytes).toString('hex');
}

describe('CRC_A of the simulated chip', () => {
  test('matches ISO/IEC 14443-3 values', () => {
    expect(crcA(Uint8Array.of(0x00, 0x00))).toBe(0x1ea0);
    expect(crcA(Uint8Array.of(0x50, 0x00))).toBe(0xcd57); // HLTA is sent as 50 00 57 CD
  });
});

describe('MFRC522 driver', () => {
  test('initialises the chip: version read, antenna on', () => {
    const { chip, reader } = setup();
    expect(reader.version).toBe(0x92);
    expect(chip.antennaOn).toBe(true);
  });

  test('throws a clear error when no chip answers on the select pin', () => {
    const hal = steppedHal();
    expect(() => new Mfrc522({ spi: { ...hal.device.board.spi!, io: hal.device.io.SPI!, select: 5 } })).toThrow(/MFRC522 not found/);
  });

  test('a chip that never raises an interrupt cannot hang a poll: waits are bounded', () => {
    const hal = steppedHal();
    let transfers = 0;
    // Answers VersionReg reads with 0x92 and every other read with 0: no IRQ bit ever comes up.
    let reply = 0;
    hal.io.spi(0).attach(5, {
      transfer(bytes) {
        transfers++;
        for (let i = 0; i < bytes.length; i++) {
          const out = reply;
          reply = bytes[i]! === (0x80 | (0x37 << 1)) ? 0x92 : 0;
          bytes[i] = out;
        }
      },
      deselect() {
        reply = 0;
      },
    });
    const reader = new Mfrc522({ spi: { ...hal.device.board.spi!, io: hal.device.io.SPI!, select: 5 } });
    transfers = 0;
    expect(reader.sample()).toBeUndefined();
    expect(transfers).toBeGreaterThan(2000); // it did wait for the chip...
    expect(transfers).toBeLessThan(2100); // ...a bounded number of reads
  });

  test('no card: sample() is undefined and leaves no card state', () => {
    const { reader, chip } = setup();
    expect(reader.sample()).toBeUndefined();
    expect(chip.sent.map((frame) => frame.bytes[0])).toEqual([0x52]);
  });

  test.each([
    ['4-byte', UID4],
    ['7-byte', UID7],
    ['10-byte', UID10],
  ])('reads a %s UID through the cascade levels, then halts the card', (_name, uid) => {
    const { reader, chip } = setup();
    chip.present(uid);
    expect(hexOf(reader.sample()?.uid)).toBe(Buffer.from(uid).toString('hex'));
    expect(chip.card?.state).toBe('halt');
    const levels = uid.length === 4 ? 1 : uid.length === 7 ? 2 : 3;
    const sent = chip.sent.map((frame) => hexOf(frame.bytes)!.slice(0, 4));
    const expected = ['52'];
    for (const code of ['93', '95', '97'].slice(0, levels)) expected.push(`${code}20`, `${code}70`);
    expect(sent).toEqual([...expected, '5000']);
    expect(chip.sent[0]!.lastBits).toBe(7); // WUPA is a 7-bit short frame
  });

  test('one presentation is one read: a card left on the reader is not reported again', () => {
    const { reader, chip } = setup();
    chip.present(UID4);
    const reads = Array.from({ length: 20 }, () => reader.sample()).filter((read) => read !== undefined);
    expect(reads).toHaveLength(1);
    chip.remove();
    expect(reader.sample()).toBeUndefined();
    expect(reader.sample()).toBeUndefined();
    chip.present(UID4);
    expect(hexOf(reader.sample()?.uid)).toBe('deadbeef');
    expect(reader.sample()).toBeUndefined();
  });

  test('a single missed poll does not turn a resting card into a second read; another card is read at once', () => {
    const { reader, chip } = setup();
    chip.present(UID4);
    expect(reader.sample()).toBeDefined();
    chip.remove();
    expect(reader.sample()).toBeUndefined();
    chip.present(UID4);
    expect(reader.sample()).toBeUndefined();
    chip.present(UID7);
    expect(hexOf(reader.sample()?.uid)).toBe(Buffer.from(UID7).toString('hex'));
  });

  test('with onSample and timers it polls on its own, once per presentation', () => {
    const hal = steppedHal();
    const select = hal.device.board.pin.nfcSelect!;
    const chip = attachMfrc522(hal.io, { select });
    const reads: string[] = [];
    const onSample = jest.fn(function (this: Mfrc522) {
      reads.push(`${hal.clock.now()}:${hexOf(this.sample()?.uid)}`);
    });
    const reader = new Mfrc522({ spi: { ...hal.device.board.spi!, io: hal.device.io.SPI!, select }, timers: hal.timers, interval: 100, onSample });
    hal.clock.advance(250);
    chip.present(UID4);
    hal.clock.advance(2000);
    chip.remove();
    hal.clock.advance(500);
    chip.present(UID10);
    hal.clock.advance(150);
    expect(reads).toEqual(['300:deadbeef', `2800:${Buffer.from(UID10).toString('hex')}`]);
    expect(reader.sample()).toBeUndefined(); // nothing new pending
    reader.close();
    expect(chip.antennaOn).toBe(false);
    expect(hal.clock.pendingTimers).toBe(0);
  });

  test('close() switches the field off, and the bus is closed', () => {
    const { reader, chip } = setup();
    chip.present(UID4);
    reader.close();
    expect(chip.antennaOn).toBe(false);
    expect(() => reader.sample()).toThrow(/closed/);
  });
});

describe('simulated ISO 14443A card', () => {
  test('a halted card ignores REQA and answers WUPA', () => {
    const card = new Iso14443aCard(Uint8Array.from(UID4));
    expect(card.receive(Uint8Array.of(0x26), 7)).toEqual(Uint8Array.of(0x04, 0x00));
    expect(card.receive(Uint8Array.of(0x93, 0x20), 0)).toEqual(Uint8Array.of(...UID4, 0xde ^ 0xad ^ 0xbe ^ 0xef));
    const select = Uint8Array.of(0x93, 0x70, ...UID4, 0xde ^ 0xad ^ 0xbe ^ 0xef, 0, 0);
    const crc = crcA(select.subarray(0, 7));
    select[7] = crc & 0xff;
    select[8] = crc >> 8;
    expect(card.receive(select, 0)?.[0]).toBe(0x08);
    expect(card.receive(Uint8Array.of(0x50, 0x00, 0x57, 0xcd), 0)).toBeUndefined();
    expect(card.state).toBe('halt');
    expect(card.receive(Uint8Array.of(0x26), 7)).toBeUndefined();
    expect(card.receive(Uint8Array.of(0x52), 7)).toEqual(Uint8Array.of(0x04, 0x00));
  });

  test('a SELECT with a bad CRC gets no answer; ATQA encodes the UID size', () => {
    const card = new Iso14443aCard(Uint8Array.from(UID7));
    expect(card.receive(Uint8Array.of(0x52), 7)).toEqual(Uint8Array.of(0x44, 0x00));
    const part = card.receive(Uint8Array.of(0x93, 0x20), 0)!;
    expect(part[0]).toBe(0x88);
    expect(card.receive(Uint8Array.of(0x93, 0x70, ...part, 0x12, 0x34), 0)).toBeUndefined();
    expect(card.state).toBe('idle');
    expect(() => new Iso14443aCard(Uint8Array.of(1, 2, 3))).toThrow(RangeError);
  });
});
