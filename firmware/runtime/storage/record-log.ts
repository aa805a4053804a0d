// RecordLog: an append-only, crash-safe log of small records on a raw NOR flash partition (FlashPartition),
// used by the durable event outbox. Every append gets the next sequence number (1, 2, 3, ...); a number is
// never handed out twice, across restarts and wrap-arounds. An append or trim is durable when it returns.
//
// ON-FLASH FORMAT (integers little-endian). The partition is a ring of N >= 2 erase blocks, written in order;
// a block is erased only when the ring comes back to it.
//
//   Block header, 20 bytes at the block start, written in one write right after the erase:
//     0  u32 magic 0x31474C52 ("RLG1")
//     4  u32 serial      +1 for every block opened; the block with the highest valid serial is the head
//     8  u32 baseSeq     seq of the first record this block holds (the log's `next` when it was opened)
//    12  u32 trimmed     records <= this were trimmed when the block was opened
//    16  u32 crc32 of bytes 0..15
//   Tail-trim bitmap, `bitmapBytes` bytes after the header (erased = all 1s): used only in the head block and
//     only when the ring is full, i.e. the block after the head is the oldest block (the tail). Bit i (LSB of
//     byte 0 first) cleared = the tail's i-th record (seq tail.baseSeq + i) is trimmed; bits are cleared in
//     order, so it is a counter that can grow by further writes without room for a marker. All clear = the
//     whole tail is dropped (eviction).
//   Records from `dataStart`, each 4-byte aligned:
//     0  u16 length      payload bytes
//     2  u16 length ^ 0xFFFF   tells a torn length field from a real one
//     4  u32 seq         data: the record's seq; trim marker: records <= seq are trimmed
//     8  u32 crc32 of bytes 0..7, the kind byte and the payload
//    12  u8  kind        1 data, 2 trim marker (no payload)
//    13  u8  0xFF
//    14  u16 commit      0x5AA5, written by a second write after everything else has landed
//    16  payload, then 0xFF padding to a multiple of 4
//
// CRASH SAFETY. A record counts only if committed and its CRC matches, so a torn record is never returned;
// if its length field is intact it is skipped, otherwise the head block is closed and the next append opens a
// new block. A block's header is written only after its erase completed, so a block whose erase was cut is
// either headerless (free) or still carries its old header and only records that were already trimmed: before
// a block with retained records is erased, a trim covering them is made durable elsewhere (the head's bitmap,
// or trim markers and headers of newer blocks, which carry the trim state forward). A torn append does not
// consume its seq: the append never returned, so nobody saw that number, and the next append reuses it.
// A record damaged after it was committed (bit rot) reads as missing: a hole that `count` still includes.
// Sequence numbers are u32; 2^32 appends is beyond any device's life.
//
// RAM: per block its serial and baseSeq, plus a read cursor; records are read from flash on demand.
import type { FlashPartition } from '../../../hal/contract/storage.js';
import { crc32 } from '../../lib/crc32.js';

/** append() found no room: the next block still holds records that were not trimmed. */
export class RecordLogFull extends Error {
  constructor(message = 'record log full') {
    super(message);
    this.name = 'RecordLogFull';
  }
}

export interface RecordLogEntry {
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface AppendResult {
  seq: number;
  /** Retained records dropped to make room (the oldest block's). */
  evicted: number;
}

const BLOCK_MAGIC = 0x31474c52;
const BLOCK_HEADER = 20;
const RECORD_HEADER = 16;
const KIND_DATA = 1;
const KIND_TRIM = 2;
const COMMIT_OFFSET = 14;
const COMMITTED = 0x5aa5;
const COMMIT_BYTES = new Uint8Array([COMMITTED & 0xff, COMMITTED >> 8]);
const MAX_SEQ = 0xfffffffe;
const EMPTY = new Uint8Array(0);

/** What the bytes at one record position are. */
type Slot =
  | { type: 'blank' }
  | { type: 'garbage' }
  | { type: 'record'; size: number; length: number; seq: number; kind: number; committed: boolean; header: Uint8Array };

export class RecordLog {
  /** Bytes available to records (and their headers) over the whole ring. */
  readonly capacityBytes: number;
  /** Largest payload one record can hold. */
  readonly maxPayloadBytes: number;
  #flash: FlashPartition;
  #blockSize: number;
  #blockCount: number;
  #bitmapBytes: number;
  #maxRecords: number;
  #dataStart: number;
  #serial: number[];
  #base: number[];
  // The retained blocks: #length blocks in ring order starting at #tail; the last one is the head.
  #tail = 0;
  #length = 0;
  #writePos = 0;
  #next = 1;
  #trimmed = 0;
  #lastSerial = 0;
  /** A mutation failed part-way: what is on flash is unknown until the next mount. */
  #stale = true;
  #cursorBlock = -1;
  #cursorPos = 0;
  #cursorSeq = 0;

  constructor(partition: FlashPartition) {
    const blockSize = partition.blockSize;
    const blockCount = Math.floor(partition.byteLength / blockSize);
    if (blockCount < 2) throw new RangeError(`record log: needs at least 2 blocks, partition has ${blockCount}`);
    this.#maxRecords = Math.floor((blockSize - BLOCK_HEADER) / RECORD_HEADER);
    this.#bitmapBytes = align4(Math.ceil(this.#maxRecords / 8));
    this.#dataStart = BLOCK_HEADER + this.#bitmapBytes;
    if (blockSize < this.#dataStart + 2 * RECORD_HEADER) throw new RangeError(`record log: block size ${blockSize} too small`);
    this.#flash = partition;
    this.#blockSize = blockSize;
    this.#blockCount = blockCount;
    this.#serial = new Array<number>(blockCount).fill(0);
    this.#base = new Array<number>(blockCount).fill(0);
    this.capacityBytes = blockCount * (blockSize - this.#dataStart);
    this.maxPayloadBytes = Math.min(0xffff, (blockSize - this.#dataStart - RECORD_HEADER) & ~3);
    this.#mount();
  }

  /** The seq the next append gets. */
  get next(): number {
    this.#ready();
    return this.#next;
  }

  /** The oldest retained seq (equals `next` when nothing is retained). */
  get first(): number {
    this.#ready();
    return this.#first();
  }

  /** Retained records. */
  get count(): number {
    this.#ready();
    return this.#next - this.#first();
  }

  /**
   * Flash bytes that appends cannot use until records are trimmed: the blocks from the one holding `first`
   * through the head's written part. `capacityBytes - bytesUsed` is the room left before eviction.
   */
  get bytesUsed(): number {
    this.#ready();
    if (this.#length === 0) return 0;
    const head = this.#head();
    const area = this.#blockSize - this.#dataStart;
    let used = this.#writePos - this.#dataStart;
    if (this.#next === this.#first()) return used;
    for (let b = this.#blockOf(this.#first()); b !== head; b = (b + 1) % this.#blockCount) used += area;
    return used;
  }

  /** Appends one record; durable when it returns. Throws RecordLogFull when only eviction would make room. */
  append(payload: Uint8Array): number {
    return this.#append(payload, false).seq;
  }

  /** Appends one record, dropping the oldest block's records if that is the only way to make room. */
  appendEvicting(payload: Uint8Array): AppendResult {
    return this.#append(payload, true);
  }

  /** The record's payload, or undefined when `seq` is not retained. */
  read(seq: number): Uint8Array | undefined {
    this.#ready();
    if (!Number.isInteger(seq) || seq < this.#first() || seq >= this.#next) return undefined;
    const block = this.#blockOf(seq);
    let pos = this.#dataStart;
    if (block === this.#cursorBlock && this.#cursorSeq <= seq) pos = this.#cursorPos;
    while (pos + RECORD_HEADER <= this.#blockSize) {
      const slot = this.#slotAt(block, pos);
      if (slot.type !== 'record') return undefined;
      if (slot.seq === seq && slot.kind === KIND_DATA) {
        const payload = this.#validPayload(block, pos, slot);
        if (payload) {
          this.#cursorBlock = block;
          this.#cursorPos = pos + slot.size;
          this.#cursorSeq = seq + 1;
          return payload;
        }
      }
      pos += slot.size;
    }
    return undefined;
  }

  /** Retained records from `from` (default: the oldest), in seq order. Tolerates trims while iterating. */
  *entries(from = 0): Generator<RecordLogEntry, void, undefined> {
    let seq = Math.max(from, this.first);
    while (seq < this.next) {
      const payload = this.read(seq);
      if (payload) yield { seq, payload };
      seq = Math.max(seq + 1, this.first);
    }
  }

  [Symbol.iterator](): Generator<RecordLogEntry, void, undefined> {
    return this.entries();
  }

  /** Records <= throughSeq are no longer retained; durable when it returns. Never rewrites records. */
  trim(throughSeq: number): void {
    this.#ready();
    if (typeof throughSeq !== 'number' || Number.isNaN(throughSeq))
      throw new TypeError(`record log: trim needs a seq, got ${String(throughSeq)}`);
    const target = Math.min(Math.floor(throughSeq), this.#next - 1);
    if (target < this.#first()) return;
    this.#mutate(() => {
      if (this.#writePos + RECORD_HEADER <= this.#blockSize) {
        this.#writeRecord(KIND_TRIM, target, EMPTY);
        this.#trimmed = target;
        return;
      }
      // No room for a marker in the head. A new block's header carries the trim, if the next block is free.
      const block = (this.#head() + 1) % this.#blockCount;
      if (!this.#isLive(block)) {
        this.#open(block, target);
        return;
      }
      // The next block is the tail and still retained: count its trimmed records in the head's bitmap.
      const covered = Math.min(target, this.#lastSeq(block));
      this.#writeBitmap(covered - this.#base[block]! + 1);
      this.#trimmed = covered;
      if (target > covered) this.#open(block, target);
    });
  }

  #append(payload: Uint8Array, evict: boolean): AppendResult {
    this.#ready();
    if (!(payload instanceof Uint8Array)) throw new TypeError('record log: payload must be a Uint8Array');
    if (payload.length > this.maxPayloadBytes)
      throw new RangeError(`record log: record of ${payload.length} bytes exceeds ${this.maxPayloadBytes}`);
    if (this.#next > MAX_SEQ) throw new RangeError('record log: sequence numbers exhausted');
    return this.#mutate(() => {
      const evicted = this.#makeRoom(RECORD_HEADER + align4(payload.length), evict);
      const seq = this.#next;
      this.#writeRecord(KIND_DATA, seq, payload);
      this.#next = seq + 1;
      return { seq, evicted };
    });
  }

  /** Ensures the head has `size` free bytes, opening the next block if needed. Returns records evicted. */
  #makeRoom(size: number, evict: boolean): number {
    if (this.#length > 0 && this.#writePos + size <= this.#blockSize) return 0;
    const block = this.#length === 0 ? 0 : (this.#head() + 1) % this.#blockCount;
    let evicted = 0;
    if (this.#isLive(block)) {
      if (!evict) throw new RecordLogFull(`record log full: ${this.#next - this.#first()} records retained`);
      const last = this.#lastSeq(block);
      evicted = last - this.#first() + 1;
      this.#writeBitmap(this.#bitmapBytes * 8);
      this.#trimmed = last;
    }
    this.#open(block, this.#trimmed);
    return evicted;
  }

  /** Runs a flash mutation; if it fails part-way, the next call re-reads the flash first. */
  #mutate<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (!(error instanceof RecordLogFull)) this.#stale = true;
      throw error;
    }
  }

  #ready(): void {
    if (this.#stale) this.#mount();
  }

  #head(): number {
    return (this.#tail + this.#length - 1) % this.#blockCount;
  }

  #first(): number {
    if (this.#length === 0) return this.#next;
    return Math.min(this.#next, Math.max(this.#trimmed + 1, this.#base[this.#tail]!));
  }

  /** Whether `block` is a retained block still holding untrimmed records. */
  #isLive(block: number): boolean {
    if (this.#length === 0 || (block - this.#tail + this.#blockCount) % this.#blockCount >= this.#length) return false;
    return this.#lastSeq(block) >= Math.max(this.#trimmed + 1, this.#base[block]!);
  }

  /** Last seq a retained block holds (baseSeq - 1 when it holds none). */
  #lastSeq(block: number): number {
    if (block === this.#head()) return this.#next - 1;
    return this.#base[(block + 1) % this.#blockCount]! - 1;
  }

  /** The retained block that holds `seq`. */
  #blockOf(seq: number): number {
    for (let i = this.#length - 1; i > 0; i--) {
      const block = (this.#tail + i) % this.#blockCount;
      if (this.#base[block]! <= seq) return block;
    }
    return this.#tail;
  }

  /** Erases `block` and makes it the head. */
  #open(block: number, trimmed: number): void {
    if (this.#cursorBlock === block) this.#cursorBlock = -1;
    this.#flash.erase(block);
    const serial = this.#lastSerial + 1;
    const header = new Uint8Array(BLOCK_HEADER);
    const view = new DataView(header.buffer);
    view.setUint32(0, BLOCK_MAGIC, true);
    view.setUint32(4, serial, true);
    view.setUint32(8, this.#next, true);
    view.setUint32(12, trimmed, true);
    view.setUint32(16, crc32(header.subarray(0, 16)), true);
    this.#flash.write(block * this.#blockSize, BLOCK_HEADER, header);
    this.#lastSerial = serial;
    this.#serial[block] = serial;
    this.#base[block] = this.#next;
    if (this.#length === 0) {
      this.#tail = block;
      this.#length = 1;
    } else if (this.#length === this.#blockCount) this.#tail = (this.#tail + 1) % this.#blockCount;
    else this.#length++;
    this.#writePos = this.#dataStart;
    this.#trimmed = trimmed;
  }

  #writeRecord(kind: number, seq: number, payload: Uint8Array): void {
    const size = RECORD_HEADER + align4(payload.length);
    const bytes = new Uint8Array(size).fill(0xff);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, payload.length, true);
    view.setUint16(2, payload.length ^ 0xffff, true);
    view.setUint32(4, seq, true);
    bytes[12] = kind;
    bytes.set(payload, RECORD_HEADER);
    view.setUint32(8, recordCrc(bytes, payload), true);
    const at = this.#head() * this.#blockSize + this.#writePos;
    this.#flash.write(at, size, bytes);
    this.#flash.write(at + COMMIT_OFFSET, 2, COMMIT_BYTES);
    this.#writePos += size;
  }

  /** Clears the first `count` bits of the head's tail-trim bitmap (all of them when count is the bit size). */
  #writeBitmap(count: number): void {
    const bits = Math.min(count, this.#bitmapBytes * 8);
    const bytes = new Uint8Array(Math.ceil(bits / 8));
    for (let i = 0; i < bytes.length; i++) bytes[i] = (0xff << Math.min(8, bits - 8 * i)) & 0xff;
    this.#flash.write(this.#head() * this.#blockSize + BLOCK_HEADER, bytes.length, bytes);
  }

  /** Rebuilds the in-RAM index from flash; recovers from a power loss at any point. */
  #mount(): void {
    this.#stale = true;
    this.#cursorBlock = -1;
    const count = this.#blockCount;
    const valid = new Array<boolean>(count).fill(false);
    const headerTrim = new Array<number>(count).fill(0);
    let head = -1;
    for (let block = 0; block < count; block++) {
      const header = new Uint8Array(this.#flash.read(block * this.#blockSize, BLOCK_HEADER));
      const view = new DataView(header.buffer);
      if (view.getUint32(0, true) !== BLOCK_MAGIC || view.getUint32(16, true) !== crc32(header.subarray(0, 16))) continue;
      valid[block] = true;
      this.#serial[block] = view.getUint32(4, true);
      this.#base[block] = view.getUint32(8, true);
      headerTrim[block] = view.getUint32(12, true);
      if (head < 0 || this.#serial[block]! > this.#serial[head]!) head = block;
    }
    this.#trimmed = 0;
    if (head < 0) {
      this.#tail = 0;
      this.#length = 0;
      this.#next = 1;
      this.#lastSerial = 0;
      this.#writePos = 0;
      this.#stale = false;
      return;
    }
    // The retained blocks run back from the head while serials and base seqs decrease; anything else is free.
    let tail = head;
    let length = 1;
    while (length < count) {
      const previous = (tail - 1 + count) % count;
      if (!valid[previous] || this.#serial[previous]! >= this.#serial[tail]! || this.#base[previous]! > this.#base[tail]!) break;
      tail = previous;
      length++;
    }
    this.#tail = tail;
    this.#length = length;
    this.#lastSerial = this.#serial[head]!;
    let trimmed = 0;
    for (let i = 0; i < length; i++) {
      const block = (tail + i) % count;
      trimmed = Math.max(trimmed, headerTrim[block]!, block === head ? 0 : this.#scanTrims(block));
    }
    trimmed = Math.max(trimmed, this.#scanHead(head));
    if (length === count) {
      const cleared = this.#bitmapCount(head);
      if (cleared > 0) trimmed = Math.max(trimmed, Math.min(this.#base[tail]! + cleared - 1, this.#lastSeq(tail)));
    }
    this.#trimmed = Math.min(trimmed, this.#next - 1);
    this.#stale = false;
  }

  /** Highest valid trim marker in a non-head block. */
  #scanTrims(block: number): number {
    let trimmed = 0;
    for (let pos = this.#dataStart; pos + RECORD_HEADER <= this.#blockSize; ) {
      const slot = this.#slotAt(block, pos);
      if (slot.type !== 'record') break;
      if (slot.kind === KIND_TRIM && this.#validPayload(block, pos, slot)) trimmed = Math.max(trimmed, slot.seq);
      pos += slot.size;
    }
    return trimmed;
  }

  /** Finds the head's last record and write position; sets #next and #writePos, returns its highest trim. */
  #scanHead(head: number): number {
    let expected = this.#base[head]!;
    let trimmed = 0;
    let pos = this.#dataStart;
    let closed = false;
    while (pos + RECORD_HEADER <= this.#blockSize) {
      const slot = this.#slotAt(head, pos);
      if (slot.type === 'blank') break;
      // Unreadable bytes: a write torn inside a length field. Nothing after them can be trusted.
      closed = slot.type === 'garbage';
      if (slot.type === 'garbage') break;
      if (this.#validPayload(head, pos, slot)) {
        if (slot.kind === KIND_TRIM) trimmed = Math.max(trimmed, slot.seq);
        else if (slot.seq >= expected) expected = slot.seq + 1; // beyond: records before it were damaged
        else {
          closed = true; // a valid record out of sequence: corruption, write nothing more here
          break;
        }
      } else if (slot.committed && slot.kind === KIND_DATA && slot.seq >= expected && slot.seq < expected + this.#maxRecords) {
        // Committed, so its append completed, but damaged since: its seq was handed out and must not be reused.
        expected = slot.seq + 1;
      }
      pos += slot.size;
    }
    // Appending resumes only over bytes that are still erased; otherwise the next append opens a new block.
    if (closed || !this.#isErased(head * this.#blockSize + pos, this.#blockSize - pos)) pos = this.#blockSize;
    this.#next = expected;
    this.#writePos = pos;
    return trimmed;
  }

  #bitmapCount(head: number): number {
    const bitmap = new Uint8Array(this.#flash.read(head * this.#blockSize + BLOCK_HEADER, this.#bitmapBytes));
    let cleared = 0;
    for (const byte of bitmap) {
      if (byte === 0) {
        cleared += 8;
        continue;
      }
      for (let bit = 0; bit < 8 && (byte & (1 << bit)) === 0; bit++) cleared++;
      break;
    }
    return cleared;
  }

  #slotAt(block: number, pos: number): Slot {
    const header = new Uint8Array(this.#flash.read(block * this.#blockSize + pos, RECORD_HEADER));
    if (header.every((byte) => byte === 0xff)) return { type: 'blank' };
    const view = new DataView(header.buffer);
    const length = view.getUint16(0, true);
    const size = RECORD_HEADER + align4(length);
    if ((length ^ view.getUint16(2, true)) !== 0xffff || pos + size > this.#blockSize) return { type: 'garbage' };
    return {
      type: 'record',
      size,
      length,
      seq: view.getUint32(4, true),
      kind: header[12]!,
      committed: view.getUint16(COMMIT_OFFSET, true) === COMMITTED,
      header,
    };
  }

  /** The payload of a committed record whose CRC matches, else undefined. */
  #validPayload(block: number, pos: number, slot: Slot): Uint8Array | undefined {
    if (slot.type !== 'record' || !slot.committed) return undefined;
    if (slot.kind !== KIND_DATA && !(slot.kind === KIND_TRIM && slot.length === 0)) return undefined;
    const payload =
      slot.length === 0 ? EMPTY : new Uint8Array(this.#flash.read(block * this.#blockSize + pos + RECORD_HEADER, slot.length));
    const stored = new DataView(slot.header.buffer).getUint32(8, true);
    return recordCrc(slot.header, payload) === stored ? payload : undefined;
  }

  #isErased(offset: number, byteLength: number): boolean {
    for (let done = 0; done < byteLength; done += 256) {
      const chunk = new Uint8Array(this.#flash.read(offset + done, Math.min(256, byteLength - done)));
      if (!chunk.every((byte) => byte === 0xff)) return false;
    }
    return true;
  }
}

function recordCrc(header: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(header.subarray(12, 13), crc32(header.subarray(0, 8))));
}

function align4(value: number): number {
  return (value + 3) & ~3;
}
