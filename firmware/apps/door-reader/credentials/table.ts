// Reading a table of 12-byte records sorted by tag. A lookup costs the same at any size: the bucket of a tag is
// computed from its first 32 bits (keyed hashes are uniform), then one read of two directory entries and one
// read of that bucket's ~8 records.
import type { FlashPartition } from '../../../../hal/contract/storage.js';
import { bucketOf, compareTags, RECORD_BYTES } from './format.js';
import type { TableLayout } from './layout.js';

export class Table {
  readonly #flash: FlashPartition;
  readonly #layout: TableLayout;

  constructor(flash: FlashPartition, layout: TableLayout) {
    this.#flash = flash;
    this.#layout = layout;
  }

  get count(): number {
    return this.#layout.count;
  }

  /** The record with this tag (a copy, RECORD_BYTES long), or undefined. */
  find(tag: Uint8Array): Uint8Array | undefined {
    const { count, buckets, directory, records } = this.#layout;
    if (count === 0) return undefined;
    const bucket = bucketOf(tag, buckets);
    const bounds = new DataView(this.#flash.read(directory + bucket * 4, 8));
    const first = bounds.getUint32(0);
    const end = Math.min(bounds.getUint32(4), count);
    if (end <= first) return undefined;
    const bytes = new Uint8Array(this.#flash.read(records + first * RECORD_BYTES, (end - first) * RECORD_BYTES));
    for (let at = 0; at < bytes.length; at += RECORD_BYTES) {
      const order = compareTags(bytes, at, tag, 0);
      if (order === 0) return bytes.subarray(at, at + RECORD_BYTES);
      if (order > 0) break;
    }
    return undefined;
  }
}

/** Streams a table's records in order, a flash block's worth per read (the old list during a sync). */
export class RecordCursor {
  readonly #flash: FlashPartition;
  readonly #records: number;
  readonly #count: number;
  readonly #batch: number;
  #index = 0;
  #buffer = new Uint8Array(0);
  #bufferStart = 0;

  constructor(flash: FlashPartition, layout: TableLayout | undefined) {
    this.#flash = flash;
    this.#records = layout?.records ?? 0;
    this.#count = layout?.count ?? 0;
    this.#batch = Math.max(1, Math.floor(flash.blockSize / RECORD_BYTES));
  }

  /** Records not yet consumed. */
  get remaining(): number {
    return this.#count - this.#index;
  }

  /** The buffer and offset of the current record, or undefined at the end. Valid until the next advance(). */
  peek(): { bytes: Uint8Array; at: number } | undefined {
    if (this.#index >= this.#count) return undefined;
    if (this.#index >= this.#bufferStart + this.#buffer.length / RECORD_BYTES || this.#index < this.#bufferStart) {
      const n = Math.min(this.#batch, this.#count - this.#index);
      this.#buffer = new Uint8Array(this.#flash.read(this.#records + this.#index * RECORD_BYTES, n * RECORD_BYTES));
      this.#bufferStart = this.#index;
    }
    return { bytes: this.#buffer, at: (this.#index - this.#bufferStart) * RECORD_BYTES };
  }

  advance(): void {
    this.#index++;
  }

  /** Skips the rest without reading it. */
  skipAll(): number {
    const skipped = this.remaining;
    this.#index = this.#count;
    return skipped;
  }
}
