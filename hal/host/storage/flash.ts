// A NOR flash partition in memory, optionally backed by a file: erase sets a block to 0xFF, a write ANDs its
// bytes into what is there, reads return copies. Counts operations and erases per block (wear), and can lose
// power at a chosen write (see PowerRail): the cut operation does not happen, or with `torn` partly happens.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { FlashPartition } from '../../contract/storage.js';
import { type FailOptions, PowerLoss, PowerRail } from './power.js';

export { PowerLoss };

export interface SimulatedFlashOptions {
  byteLength: number;
  /** Erase unit; default 4096 as on ESP32. */
  blockSize?: number;
  /** Seed for torn-operation lengths when this flash has its own power rail. */
  seed?: number;
  /** Share one supply with other storage of the same device. */
  power?: PowerRail;
  /**
   * Throw on a write that needs a 0 bit to become 1. Real NOR silently ANDs instead; strict mode catches code
   * that forgets to erase first.
   */
  strict?: boolean;
  /** Initial content (e.g. loaded from a file); default all 0xFF. */
  content?: Uint8Array;
}

export class SimulatedFlash implements FlashPartition {
  readonly byteLength: number;
  readonly blockSize: number;
  readonly power: PowerRail;
  /** Write operations that reached the flash (a torn one included). */
  writes = 0;
  /** Erase operations that reached the flash (a torn one included). */
  erases = 0;
  reads = 0;
  bytesWritten = 0;
  #bytes: Uint8Array;
  #eraseCounts: Uint32Array;
  #strict: boolean;
  #fd: number | undefined;

  constructor(options: SimulatedFlashOptions) {
    const blockSize = options.blockSize ?? 4096;
    if (!Number.isInteger(blockSize) || blockSize <= 0) throw new RangeError(`flash: bad block size ${blockSize}`);
    if (!Number.isInteger(options.byteLength) || options.byteLength <= 0 || options.byteLength % blockSize !== 0)
      throw new RangeError(`flash: byte length ${options.byteLength} is not a positive multiple of ${blockSize}`);
    this.byteLength = options.byteLength;
    this.blockSize = blockSize;
    this.power = options.power ?? new PowerRail({ seed: options.seed ?? 1 });
    this.#strict = options.strict ?? false;
    this.#bytes = new Uint8Array(options.byteLength).fill(0xff);
    if (options.content) {
      if (options.content.length !== options.byteLength)
        throw new RangeError(`flash: content is ${options.content.length} bytes, expected ${options.byteLength}`);
      this.#bytes.set(options.content);
    }
    this.#eraseCounts = new Uint32Array(options.byteLength / blockSize);
  }

  /**
   * A flash whose content lives in `path` (created all 0xFF if missing); every change is written through.
   * Call close() when done.
   */
  static open(path: string, byteLength: number, blockSize = 4096, options: Omit<SimulatedFlashOptions, 'byteLength' | 'blockSize' | 'content'> = {}): SimulatedFlash {
    let content: Uint8Array | undefined;
    if (existsSync(path)) {
      content = new Uint8Array(readFileSync(path));
      if (content.length !== byteLength)
        throw new Error(`flash: ${path} holds ${content.length} bytes, expected ${byteLength}`);
    }
    const flash = new SimulatedFlash({ ...options, byteLength, blockSize, ...(content ? { content } : {}) });
    flash.#fd = openSync(path, content ? 'r+' : 'w+');
    if (!content) writeSync(flash.#fd, flash.#bytes, 0, byteLength, 0);
    return flash;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  get blockCount(): number {
    return this.#eraseCounts.length;
  }

  /** Erases per block so far. */
  get eraseCounts(): number[] {
    return Array.from(this.#eraseCounts);
  }

  failAfterWrites(count: number, options: FailOptions = {}): void {
    this.power.failAfterWrites(count, options);
  }

  powerOn(): void {
    this.power.powerOn();
  }

  /** A copy of the whole content, for inspection. */
  snapshot(): Uint8Array {
    return this.#bytes.slice();
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.power.check();
    this.#checkRange(offset, byteLength);
    this.reads++;
    return this.#bytes.slice(offset, offset + byteLength).buffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    this.power.check();
    this.#checkRange(offset, byteLength);
    const source = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    if (source.length < byteLength)
      throw new RangeError(`flash: write of ${byteLength} bytes from a ${source.length}-byte buffer`);
    if (this.#strict) this.#checkProgrammable(offset, byteLength, source);
    const gate = this.power.gate();
    const landed = !gate.cut ? byteLength : gate.torn ? this.power.randomInt(byteLength) : 0;
    if (landed > 0 || !gate.cut) {
      for (let i = 0; i < landed; i++) this.#bytes[offset + i]! &= source[i]!;
      this.writes++;
      this.bytesWritten += landed;
      this.#persist(offset, landed);
    }
    if (gate.cut) throw new PowerLoss(`power lost during a write of ${byteLength} bytes at ${offset} (${landed} landed)`);
  }

  erase(block: number): void {
    this.power.check();
    if (!Number.isInteger(block) || block < 0 || block >= this.blockCount)
      throw new RangeError(`flash: no block ${block} (0..${this.blockCount - 1})`);
    const start = block * this.blockSize;
    const gate = this.power.gate();
    if (gate.cut && !gate.torn) throw new PowerLoss(`power lost before erasing block ${block}`);
    let from = start;
    let to = start + this.blockSize;
    if (gate.cut) {
      // A cut erase leaves the block partly erased: here, a random span of it reads 0xFF, the rest is old data.
      from = start + this.power.randomInt(this.blockSize);
      to = from + this.power.randomInt(start + this.blockSize - from);
    }
    this.#bytes.fill(0xff, from, to);
    this.#eraseCounts[block]!++;
    this.erases++;
    this.#persist(from, to - from);
    if (gate.cut) throw new PowerLoss(`power lost while erasing block ${block} (${to - from} bytes erased)`);
  }

  #checkRange(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(byteLength) || offset < 0 || byteLength < 0 || offset + byteLength > this.byteLength)
      throw new RangeError(`flash: range ${offset}+${byteLength} outside 0..${this.byteLength}`);
  }

  #checkProgrammable(offset: number, byteLength: number, source: Uint8Array): void {
    for (let i = 0; i < byteLength; i++) {
      const old = this.#bytes[offset + i]!;
      if ((old & source[i]!) !== source[i])
        throw new Error(`flash: write at ${offset + i} needs a 0 bit set to 1 (0x${old.toString(16)} → 0x${source[i]!.toString(16)}); erase first`);
    }
  }

  #persist(offset: number, byteLength: number): void {
    if (this.#fd !== undefined && byteLength > 0) writeSync(this.#fd, this.#bytes, offset, byteLength, offset);
  }
}
