// Builds a list into a free slot from sorted streams — profiles, then main records, then PIN entries — writing
// each region block by block and deriving the bucket directories on the way. The header goes last; until then
// the slot holds no list (its header block is erased first), and the kv switch names it only after that.
import type { Crypto } from '../../../../hal/contract/crypto.js';
import type { FlashPartition } from '../../../../hal/contract/storage.js';
import { ListDigest } from './digest.js';
import { SyncError } from './errors.js';
import { bucketOf, compareTags, PROFILE_BYTES, profileProblem, RECORD_BYTES, recordProblem, STREAM_MAIN, STREAM_PINS,
  STREAM_PROFILES, TAG_BYTES, writeU32 } from './format.js';
import { encodeHeader, HEADER_BYTES, type ListCounts, slotLayout, type SlotHeader, type SlotLayout, type TableLayout } from './layout.js';
import { RegionWriter } from './region.js';

const STAGE_DONE = 3;

/** One sorted table: its records and the directory derived from them. */
class TableWriter {
  readonly #layout: TableLayout;
  readonly #stream: number;
  readonly #records: RegionWriter;
  readonly #directory: RegionWriter;
  readonly #entry = new Uint8Array(4);
  readonly #last = new Uint8Array(TAG_BYTES);
  #count = 0;
  #nextBucket = 0;

  constructor(flash: FlashPartition, layout: TableLayout, stream: number) {
    this.#layout = layout;
    this.#stream = stream;
    this.#records = new RegionWriter(flash, layout.records, layout.count * RECORD_BYTES);
    this.#directory = new RegionWriter(flash, layout.directory, (layout.buckets + 1) * 4);
  }

  add(bytes: Uint8Array, at: number, digest: ListDigest): void {
    const problem = recordProblem(this.#stream, bytes, at, false);
    if (problem !== undefined) throw new SyncError('bad_chunk', `record ${this.#count}: ${problem}`);
    if (this.#count > 0 && compareTags(bytes, at, this.#last, 0) <= 0)
      throw new SyncError('bad_chunk', `record ${this.#count}: not in ascending tag order (or a duplicate)`);
    if (this.#count >= this.#layout.count) throw new SyncError('count_mismatch', `more than the ${this.#layout.count} records announced`);
    const bucket = bucketOf(bytes.subarray(at, at + TAG_BYTES), this.#layout.buckets);
    while (this.#nextBucket <= bucket) this.#emitDirectory(this.#count);
    this.#last.set(bytes.subarray(at, at + TAG_BYTES));
    this.#records.append(bytes, at, RECORD_BYTES);
    digest.add(bytes, at, RECORD_BYTES);
    this.#count++;
  }

  finish(): void {
    if (this.#count !== this.#layout.count)
      throw new SyncError('count_mismatch', `${this.#count} records, the manifest announced ${this.#layout.count}`);
    while (this.#nextBucket <= this.#layout.buckets) this.#emitDirectory(this.#count);
    this.#records.finish();
    this.#directory.finish();
  }

  #emitDirectory(index: number): void {
    writeU32(this.#entry, 0, index);
    this.#directory.append(this.#entry, 0, 4);
    this.#nextBucket++;
  }
}

export class SlotWriter {
  readonly flash: FlashPartition;
  readonly layout: SlotLayout;
  readonly #counts: ListCounts;
  readonly #crypto: Crypto;
  readonly #digest: ListDigest;
  readonly #profiles: RegionWriter;
  #profileCount = 0;
  #tables: TableWriter[] = [];
  #stage = STREAM_PROFILES;

  /** Throws SyncError('too_large') when the list does not fit. Erases the slot's header block. */
  constructor(flash: FlashPartition, counts: ListCounts, crypto: Crypto) {
    this.flash = flash;
    this.layout = slotLayout(counts, flash.blockSize);
    if (this.layout.end > flash.byteLength)
      throw new SyncError('too_large', `the list needs ${this.layout.end} bytes, the partition has ${flash.byteLength}`);
    this.#counts = counts;
    this.#crypto = crypto;
    this.#digest = new ListDigest(crypto);
    this.#profiles = new RegionWriter(flash, this.layout.profiles, counts.profiles * PROFILE_BYTES);
    flash.erase(0);
  }

  addProfile(bytes: Uint8Array, at: number): void {
    if (this.#stage !== STREAM_PROFILES) throw new SyncError('bad_chunk', 'profiles after records');
    const problem = profileProblem(bytes, at);
    if (problem !== undefined) throw new SyncError('bad_chunk', `profile ${this.#profileCount}: ${problem}`);
    if (this.#profileCount >= this.#counts.profiles) throw new SyncError('count_mismatch', `more than the ${this.#counts.profiles} profiles announced`);
    this.#profiles.append(bytes, at, PROFILE_BYTES);
    this.#digest.add(bytes, at, PROFILE_BYTES);
    this.#profileCount++;
  }

  /** A main record (STREAM_MAIN) or a PIN entry (STREAM_PINS), in ascending tag order within its stream. */
  addRecord(stream: number, bytes: Uint8Array, at: number): void {
    this.enterStream(stream);
    this.#tables[stream - STREAM_MAIN]!.add(bytes, at, this.#digest);
  }

  /** Closes the streams before `stream`; streams only move forward. */
  enterStream(stream: number): void {
    if (stream < this.#stage) throw new SyncError('bad_chunk', `stream ${stream} after stream ${this.#stage}`);
    while (this.#stage < stream) {
      if (this.#stage === STREAM_PROFILES) {
        if (this.#profileCount !== this.#counts.profiles)
          throw new SyncError('count_mismatch', `${this.#profileCount} profiles, the manifest announced ${this.#counts.profiles}`);
        this.#profiles.finish();
      } else this.#tables[this.#stage - STREAM_MAIN]!.finish();
      this.#stage++;
      if (this.#stage === STREAM_MAIN) this.#tables.push(new TableWriter(this.flash, this.layout.main, STREAM_MAIN));
      if (this.#stage === STREAM_PINS) this.#tables.push(new TableWriter(this.flash, this.layout.pins, STREAM_PINS));
    }
  }

  /** Closes every stream, checks the digest, writes the header. The slot is complete when this returns. */
  finish(version: number, expectedDigest: Uint8Array): SlotHeader {
    this.enterStream(STAGE_DONE);
    const digest = this.#digest.finish(this.#counts);
    for (let i = 0; i < 32; i++) {
      if (digest[i] !== expectedDigest[i]) throw new SyncError('digest_mismatch', 'the finished list differs from the manifest digest');
    }
    const header: SlotHeader = { version, ...this.#counts, digest };
    this.flash.write(0, HEADER_BYTES, encodeHeader(header, this.flash.blockSize, this.#crypto));
    return header;
  }
}
