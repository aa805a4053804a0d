// Where a list lives in its flash partition (a slot). Every region starts on an erase block, so a region is
// erased and written block by block without touching its neighbours.
//
//   block 0        header (HEADER_BYTES, written last: a slot without a valid header holds no list)
//   profiles       profiles × 32 bytes
//   main directory (buckets + 1) × u32 BE: entry b = index of the first record of bucket b; the last = count
//   main records   count × 12 bytes, ascending by tag
//   PIN directory, PIN records: the same for the PIN table
import type { Crypto } from '../../../../hal/contract/crypto.js';
import { bucketCount, PROFILE_BYTES, readU32, RECORD_BYTES, writeU32 } from './format.js';

export const HEADER_BYTES = 80;
const MAGIC = 0x43544331; // "CTC1"
const CHECK_BYTES = 16;

export interface ListCounts {
  profiles: number;
  count: number;
  pins: number;
}

export interface SlotHeader extends ListCounts {
  version: number;
  /** List digest (see digest.ts). */
  digest: Uint8Array;
}

export interface TableLayout {
  directory: number;
  records: number;
  count: number;
  buckets: number;
}

export interface SlotLayout {
  profiles: number;
  main: TableLayout;
  pins: TableLayout;
  /** Bytes the slot needs. */
  end: number;
}

export function slotLayout(counts: ListCounts, blockSize: number): SlotLayout {
  const up = (bytes: number) => Math.ceil(bytes / blockSize) * blockSize;
  let at = blockSize;
  const profiles = at;
  at += up(counts.profiles * PROFILE_BYTES);
  const table = (count: number): TableLayout => {
    const buckets = bucketCount(count);
    const directory = at;
    at += up((buckets + 1) * 4);
    const records = at;
    at += up(count * RECORD_BYTES);
    return { directory, records, count, buckets };
  };
  const main = table(counts.count);
  const pins = table(counts.pins);
  return { profiles, main, pins, end: at };
}

export function encodeHeader(header: SlotHeader, blockSize: number, crypto: Crypto): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  writeU32(bytes, 0, MAGIC);
  writeU32(bytes, 4, header.version);
  writeU32(bytes, 8, header.profiles);
  writeU32(bytes, 12, header.count);
  writeU32(bytes, 16, header.pins);
  writeU32(bytes, 20, blockSize);
  bytes.set(header.digest.subarray(0, 32), 32);
  bytes.set(crypto.sha256(bytes.subarray(0, 64)).subarray(0, CHECK_BYTES), 64);
  return bytes;
}

/** The header, or why there is none (erased, torn, from another layout). */
export function decodeHeader(bytes: Uint8Array, blockSize: number, crypto: Crypto): SlotHeader | string {
  if (bytes.length < HEADER_BYTES || readU32(bytes, 0) !== MAGIC) return 'no list header';
  const check = crypto.sha256(bytes.subarray(0, 64));
  for (let i = 0; i < CHECK_BYTES; i++) if (check[i] !== bytes[64 + i]) return 'list header check failed';
  if (readU32(bytes, 20) !== blockSize) return 'list header written for another block size';
  return {
    version: readU32(bytes, 4),
    profiles: readU32(bytes, 8),
    count: readU32(bytes, 12),
    pins: readU32(bytes, 16),
    digest: bytes.slice(32, 64),
  };
}
