// Sequential writing of one block-aligned region of a NOR partition: bytes gather in a block-sized buffer and go
// to flash a whole block at a time, each block erased just before its one write (wear: one erase per block per
// sync; the erases spread over the sync instead of stalling the reader up front).
import type { FlashPartition } from '../../../../hal/contract/storage.js';

export class RegionWriter {
  readonly #flash: FlashPartition;
  readonly #start: number;
  readonly #capacity: number;
  #buffer: Uint8Array | undefined;
  #fill = 0;
  /** Bytes already flushed. */
  #flushed = 0;

  constructor(flash: FlashPartition, start: number, capacity: number) {
    this.#flash = flash;
    this.#start = start;
    this.#capacity = capacity;
  }

  get written(): number {
    return this.#flushed + this.#fill;
  }

  append(bytes: Uint8Array, at: number, length: number): void {
    if (this.written + length > this.#capacity) throw new RangeError('credentials: region overflow');
    const size = this.#flash.blockSize;
    const buffer = (this.#buffer ??= new Uint8Array(size));
    let from = at;
    let left = length;
    while (left > 0) {
      const n = Math.min(left, size - this.#fill);
      buffer.set(bytes.subarray(from, from + n), this.#fill);
      this.#fill += n;
      from += n;
      left -= n;
      if (this.#fill === size) this.#flush();
    }
  }

  /** Writes what is buffered (a partly filled last block) and releases the buffer. */
  finish(): void {
    if (this.#fill > 0) this.#flush();
    this.#buffer = undefined;
  }

  #flush(): void {
    const offset = this.#start + this.#flushed;
    this.#flash.erase(offset / this.#flash.blockSize);
    this.#flash.write(offset, this.#fill, this.#buffer!);
    this.#flushed += this.#fill;
    this.#fill = 0;
  }
}
