// NXP MFRC522 13.56 MHz reader on SPI, ECMA-419 sensor style: reads the UID (4, 7 or 10 bytes) of the ISO/IEC
// 14443A card in the field. Poll sample() every 100–200 ms, or pass onSample and timers to have it poll.
// One presentation is one read: a card left on the reader is not reported again until it has been away.
import type { SPIConstructor, SPIOptions } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { Pcd } from './pcd.js';

export interface Mfrc522Options {
  /** `{ ...board.spi, io: device.io.SPI, select }` (SPI mode 0, at most 10 MHz). */
  spi: SPIOptions & { io: SPIConstructor };
  /** With timers: the driver polls every `interval` ms and calls onSample when a card was read. */
  onSample?(this: Mfrc522): void;
  timers?: Timers;
  /** Default 150. */
  interval?: number;
}

export interface CardRead {
  uid: Uint8Array;
}

// ISO/IEC 14443-3 type A
const WUPA = 0x52; // wakes idle and halted cards (REQA would miss the halted card we read last time)
const SHORT_FRAME_BITS = 7;
const SELECT = [0x93, 0x95, 0x97]; // cascade levels 1, 2, 3
const ANTICOLLISION_NVB = 0x20; // 2 bytes sent, the card answers its UID part + BCC
const SELECT_NVB = 0x70; // 7 bytes sent: the full UID part
const CASCADE_TAG = 0x88;
const SAK_UID_INCOMPLETE = 0x04;
const HLTA = Uint8Array.of(0x50, 0x00, 0x57, 0xcd); // HLTA with its CRC_A, a constant
/** Empty polls after which the last card counts as gone. Two, so one missed answer does not re-report it. */
const ABSENT_POLLS = 2;

export class Mfrc522 {
  #pcd: Pcd;
  #close: () => void;
  #version: number;
  #last: Uint8Array | undefined;
  #misses = 0;
  #pending: CardRead | undefined;
  #timers: Timers | undefined;
  #timer: TimerId | undefined;

  constructor(options: Mfrc522Options) {
    // NSS is active low. ECMA-419 defaults `active` to 0, but Moddable's ESP32 SPI defaults it to 1: say it.
    const spiOptions = { mode: 0 as const, active: 0 as const, ...options.spi };
    const spi = new options.spi.io(spiOptions);
    this.#close = () => spi.close();
    this.#pcd = new Pcd(spi);
    this.#version = this.#pcd.init();
    if (this.#version === 0x00 || this.#version === 0xff) {
      spi.close();
      throw new Error(`MFRC522 not found (VersionReg 0x${this.#version.toString(16)})`);
    }
    const { onSample, timers } = options;
    if (onSample) {
      if (!timers) throw new TypeError('MFRC522: onSample needs timers');
      this.#timers = timers;
      this.#timer = timers.repeat(() => {
        const read = this.#poll();
        if (read === undefined) return;
        this.#pending = read;
        onSample.call(this);
      }, options.interval ?? 150);
    }
  }

  /** VersionReg: 0x91 (v1.0), 0x92 (v2.0), or a clone's value. */
  get version(): number {
    return this.#version;
  }

  /** A newly presented card, or undefined (none, the same card still there, or a garbled exchange). */
  sample(): CardRead | undefined {
    if (this.#timers) {
      const read = this.#pending;
      this.#pending = undefined;
      return read;
    }
    return this.#poll();
  }

  close(): void {
    this.#timers?.clear(this.#timer);
    this.#timers = undefined;
    this.#pcd.antennaOff();
    this.#close();
  }

  #poll(): CardRead | undefined {
    const uid = this.#readUid();
    if (uid === undefined) {
      if (this.#last && ++this.#misses >= ABSENT_POLLS) this.#last = undefined;
      return undefined;
    }
    this.#misses = 0;
    if (this.#last && sameBytes(this.#last, uid)) return undefined;
    this.#last = uid;
    return { uid };
  }

  /** WUPA, then anticollision and select per cascade level, then HLTA. Gives up on any silence or error. */
  #readUid(): Uint8Array | undefined {
    const pcd = this.#pcd;
    const atqa = pcd.transceive(Uint8Array.of(WUPA), SHORT_FRAME_BITS);
    if (atqa?.length !== 2) return undefined;
    const uid: number[] = [];
    const select = new Uint8Array(9);
    for (const code of SELECT) {
      const part = pcd.transceive(Uint8Array.of(code, ANTICOLLISION_NVB));
      if (part?.length !== 5 || (part[0]! ^ part[1]! ^ part[2]! ^ part[3]!) !== part[4]) return undefined;
      select[0] = code;
      select[1] = SELECT_NVB;
      select.set(part, 2);
      const crc = pcd.crc(select.subarray(0, 7));
      if (crc === undefined) return undefined;
      select[7] = crc & 0xff;
      select[8] = crc >> 8;
      const sak = pcd.transceive(select);
      if (sak?.length !== 3 || pcd.crc(sak.subarray(0, 1)) !== (sak[1]! | (sak[2]! << 8))) return undefined;
      if (!(sak[0]! & SAK_UID_INCOMPLETE)) {
        uid.push(part[0]!, part[1]!, part[2]!, part[3]!);
        pcd.transceive(HLTA); // no answer is the good answer: the card halts until the next WUPA
        return Uint8Array.from(uid);
      }
      if (part[0] !== CASCADE_TAG) return undefined;
      uid.push(part[1]!, part[2]!, part[3]!);
    }
    return undefined; // a fourth cascade level does not exist
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
