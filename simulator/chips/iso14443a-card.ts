// A contactless card (PICC) as ISO/IEC 14443-3 type A describes its activation: the state machine behind REQA,
// WUPA, anticollision/select per cascade level and HLTA, with CRC_A checked and appended where the standard
// puts it. The reader model hands it each frame the reader sends; it answers with bytes or stays silent.
// Bit-level anticollision (partial UIDs, NVB other than 0x20/0x70) is not modelled: there is one card.

type State = 'idle' | 'ready' | 'active' | 'halt';

const REQA = 0x26;
const WUPA = 0x52;
const HLTA = 0x50;
const SELECT = [0x93, 0x95, 0x97];
const CASCADE_TAG = 0x88;

/** CRC_A (ISO/IEC 14443-3 annex B): CRC-16/CCITT reflected, preset 0x6363; returned low byte first as sent. */
export function crcA(bytes: Uint8Array, preset = 0x6363): number {
  let crc = preset;
  for (const byte of bytes) {
    let b = (byte ^ crc) & 0xff;
    b = (b ^ (b << 4)) & 0xff;
    crc = ((crc >> 8) ^ (b << 8) ^ (b << 3) ^ (b >> 4)) & 0xffff;
  }
  return crc;
}

function withCrc(bytes: number[]): Uint8Array {
  const crc = crcA(Uint8Array.from(bytes));
  return Uint8Array.from([...bytes, crc & 0xff, crc >> 8]);
}

function crcOk(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const crc = crcA(frame.subarray(0, frame.length - 2));
  return frame[frame.length - 2] === (crc & 0xff) && frame[frame.length - 1] === crc >> 8;
}

export class Iso14443aCard {
  readonly uid: Uint8Array;
  /** SAK of the last cascade level, e.g. 0x08 MIFARE Classic 1K, 0x00 MIFARE Ultralight / NTAG. */
  readonly sak: number;
  #parts: Uint8Array[];
  #state: State = 'idle';
  #wasHalted = false;
  #level = 0;

  constructor(uid: Uint8Array, sak?: number) {
    if (![4, 7, 10].includes(uid.length)) throw new RangeError(`a UID has 4, 7 or 10 bytes, not ${uid.length}`);
    if (uid[0] === CASCADE_TAG) throw new RangeError('a UID cannot start with the cascade tag 0x88');
    this.uid = Uint8Array.from(uid);
    this.sak = sak ?? (uid.length === 4 ? 0x08 : 0x00);
    if (this.sak & 0x04) throw new RangeError('the final SAK must not have the "UID incomplete" bit');
    this.#parts = cascadeParts(this.uid);
  }

  get state(): State {
    return this.#state;
  }

  /** The card leaves the field or the field is switched off: it loses power. */
  powerOff(): void {
    this.#state = 'idle';
    this.#wasHalted = false;
  }

  /** One frame from the reader; `lastBits` is the number of valid bits in its last byte (0: all 8). */
  receive(frame: Uint8Array, lastBits: number): Uint8Array | undefined {
    if (lastBits === 7 && frame.length === 1) return this.#shortFrame(frame[0]! & 0x7f);
    if (lastBits !== 0 || frame.length === 0) return this.#unexpected();
    if (frame[0] === HLTA && frame.length === 4 && frame[1] === 0 && crcOk(frame)) {
      if (this.#state !== 'active') return this.#unexpected();
      this.#state = 'halt';
      this.#wasHalted = true;
      return undefined;
    }
    if (this.#state === 'ready' && frame[0] === SELECT[this.#level]) return this.#select(frame);
    return this.#unexpected();
  }

  #shortFrame(command: number): Uint8Array | undefined {
    const wakes = command === WUPA ? this.#state === 'idle' || this.#state === 'halt' : command === REQA && this.#state === 'idle';
    if (!wakes) return this.#unexpected();
    this.#wasHalted = this.#state === 'halt';
    this.#state = 'ready';
    this.#level = 0;
    // ATQA, low byte first: UID size in bits 7–6 (single, double, triple), bit frame anticollision in bit 2.
    return Uint8Array.of(((this.#parts.length - 1) << 6) | 0x04, 0x00);
  }

  #select(frame: Uint8Array): Uint8Array | undefined {
    const part = this.#parts[this.#level]!;
    const bcc = part[0]! ^ part[1]! ^ part[2]! ^ part[3]!;
    if (frame.length === 2 && frame[1] === 0x20) return Uint8Array.of(...part, bcc);
    const matches = frame.length === 9 && frame[1] === 0x70 && crcOk(frame)
      && part.every((byte, i) => frame[2 + i] === byte) && frame[6] === bcc;
    if (!matches) return this.#unexpected();
    if (this.#level < this.#parts.length - 1) {
      this.#level++;
      return withCrc([0x04]);
    }
    this.#state = 'active';
    return withCrc([this.sak]);
  }

  // Anything a state does not expect sends the card back to IDLE, or to HALT if it had been halted.
  #unexpected(): undefined {
    this.#state = this.#wasHalted ? 'halt' : 'idle';
    return undefined;
  }
}

/** UID bytes per cascade level, with the cascade tag on every level but the last. */
function cascadeParts(uid: Uint8Array): Uint8Array[] {
  if (uid.length === 4) return [uid];
  if (uid.length === 7) return [Uint8Array.of(CASCADE_TAG, ...uid.subarray(0, 3)), uid.subarray(3, 7)];
  return [
    Uint8Array.of(CASCADE_TAG, ...uid.subarray(0, 3)),
    Uint8Array.of(CASCADE_TAG, ...uid.subarray(3, 6)),
    uid.subarray(6, 10),
  ];
}
