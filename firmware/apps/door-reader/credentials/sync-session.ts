// One sync in progress: verified chunks in order, each applied as it arrives into the free slot. A snapshot's
// records pass straight through (compared with the old list on the way, to count what changed); a delta's
// entries are merged with the old list as both streams go by. Nothing here touches the list in force.
import type { Crypto } from '../../../../hal/contract/crypto.js';
import { CHUNK_HASH_BYTES, type CredSyncBeginArgs, MAX_CHUNK_BYTES } from '../../../protocol/cred-sync.js';
import { fromHex } from '../../../lib/hex.js';
import { SyncError } from './errors.js';
import { compareTags, isRemoval, RECORD_BYTES, recordProblem, STREAM_ENTRY_BYTES, STREAM_MAIN, STREAM_PINS,
  STREAM_PROFILES, TAG_BYTES } from './format.js';
import type { SlotHeader } from './layout.js';
import type { Slot } from './slot.js';
import type { SlotWriter } from './slot-writer.js';
import { RecordCursor } from './table.js';

const STREAM_END = 3;

export interface SyncCounts {
  added: number;
  removed: number;
  updated: number;
}

export class SyncSession {
  readonly manifest: CredSyncBeginArgs;
  readonly chunks: number;
  readonly writer: SlotWriter;
  readonly previousVersion: number;
  readonly counts: SyncCounts = { added: 0, removed: 0, updated: 0 };
  next = 0;
  readonly #hashes: Uint8Array;
  readonly #crypto: Crypto;
  readonly #delta: boolean;
  readonly #cursors: RecordCursor[];
  /** Last delta entry per table, to hold deltas to strictly ascending order. */
  readonly #lastEntry = [new Uint8Array(TAG_BYTES), new Uint8Array(TAG_BYTES)];
  readonly #entries = [0, 0];
  #stream = STREAM_PROFILES;

  constructor(manifest: CredSyncBeginArgs, hashes: Uint8Array, writer: SlotWriter, old: Slot | undefined, crypto: Crypto) {
    this.manifest = manifest;
    this.#hashes = hashes;
    this.chunks = hashes.length / CHUNK_HASH_BYTES;
    this.writer = writer;
    this.previousVersion = old?.version ?? 0;
    this.#crypto = crypto;
    this.#delta = manifest.kind === 'delta';
    this.#cursors = old
      ? [new RecordCursor(old.flash, old.layout.main), new RecordCursor(old.flash, old.layout.pins)]
      : [new RecordCursor(writer.flash, undefined), new RecordCursor(writer.flash, undefined)];
  }

  get done(): boolean {
    return this.next === this.chunks;
  }

  /** Verifies chunk `next` against the manifest and applies it. Throws SyncError; storage errors pass through. */
  apply(bytes: Uint8Array): void {
    const hash = this.#crypto.sha256(bytes);
    for (let i = 0; i < CHUNK_HASH_BYTES; i++) {
      if (hash[i] !== this.#hashes[this.next * CHUNK_HASH_BYTES + i])
        throw new SyncError('chunk_hash', `chunk ${this.next}: SHA-256 differs from the manifest`);
    }
    const stream = bytes[0]!;
    const size = STREAM_ENTRY_BYTES[stream];
    if (size === undefined || bytes.length > MAX_CHUNK_BYTES || (bytes.length - 1) % size !== 0)
      throw new SyncError('bad_chunk', `chunk ${this.next}: bad stream or length`);
    this.#enter(stream);
    for (let at = 1; at < bytes.length; at += size) {
      if (stream === STREAM_PROFILES) this.writer.addProfile(bytes, at);
      else if (this.#delta) this.#merge(stream, bytes, at);
      else this.#pass(stream, bytes, at);
    }
    this.next++;
  }

  /** After the last chunk: completes the list and checks it against the manifest. */
  finish(): SlotHeader {
    this.#enter(STREAM_END);
    return this.writer.finish(this.manifest.version, fromHex(this.manifest.digest));
  }

  /** Snapshot: the record goes in as is; the old list only tells what changed. */
  #pass(stream: number, bytes: Uint8Array, at: number): void {
    if (stream === STREAM_MAIN) {
      const cursor = this.#cursors[0]!;
      for (let old = cursor.peek(); old && compareTags(old.bytes, old.at, bytes, at) < 0; old = cursor.peek()) {
        this.counts.removed++;
        cursor.advance();
      }
      const old = cursor.peek();
      if (old && compareTags(old.bytes, old.at, bytes, at) === 0) {
        if (!sameRecord(old.bytes, old.at, bytes, at)) this.counts.updated++;
        cursor.advance();
      } else this.counts.added++;
    }
    this.writer.addRecord(stream, bytes, at);
  }

  /** Delta: old records before the entry are kept; the entry adds, replaces or removes. */
  #merge(stream: number, bytes: Uint8Array, at: number): void {
    const table = stream - STREAM_MAIN;
    const problem = recordProblem(stream, bytes, at, true);
    if (problem !== undefined) throw new SyncError('bad_chunk', `chunk ${this.next}: ${problem}`);
    const last = this.#lastEntry[table]!;
    if (this.#entries[table]! > 0 && compareTags(bytes, at, last, 0) <= 0)
      throw new SyncError('bad_chunk', `chunk ${this.next}: delta entries not in ascending tag order`);
    last.set(bytes.subarray(at, at + TAG_BYTES));
    this.#entries[table]!++;

    const cursor = this.#cursors[table]!;
    for (let old = cursor.peek(); old && compareTags(old.bytes, old.at, bytes, at) < 0; old = cursor.peek()) {
      this.writer.addRecord(stream, old.bytes, old.at);
      cursor.advance();
    }
    const old = cursor.peek();
    const present = old !== undefined && compareTags(old.bytes, old.at, bytes, at) === 0;
    const main = stream === STREAM_MAIN;
    if (isRemoval(bytes, at)) {
      if (!present) throw new SyncError('bad_delta', `chunk ${this.next}: removes an entry the list does not hold`);
      if (main) this.counts.removed++;
    } else {
      if (main && !present) this.counts.added++;
      if (main && present && !sameRecord(old.bytes, old.at, bytes, at)) this.counts.updated++;
      this.writer.addRecord(stream, bytes, at);
    }
    if (present) cursor.advance();
  }

  /** Moves to `stream`, closing the ones before it: a delta keeps the rest of the old table. */
  #enter(stream: number): void {
    if (stream < this.#stream) throw new SyncError('bad_chunk', `chunk ${this.next}: stream ${stream} after stream ${this.#stream}`);
    while (this.#stream < stream) {
      if (this.#stream === STREAM_MAIN || this.#stream === STREAM_PINS) {
        const cursor = this.#cursors[this.#stream - STREAM_MAIN]!;
        if (!this.#delta) {
          const rest = cursor.skipAll();
          if (this.#stream === STREAM_MAIN) this.counts.removed += rest;
        } else {
          for (let old = cursor.peek(); old; old = cursor.peek()) {
            this.writer.addRecord(this.#stream, old.bytes, old.at);
            cursor.advance();
          }
        }
      }
      this.#stream++;
      if (this.#stream < STREAM_END) this.writer.enterStream(this.#stream);
    }
  }
}

function sameRecord(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean {
  for (let i = 0; i < RECORD_BYTES; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}
