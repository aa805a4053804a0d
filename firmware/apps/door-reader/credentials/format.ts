// The credential list's binary formats, shared by the device (store, sync) and the platform-side encoder.
// docs/protocol.md §14 is the normative text.
//
// Main record, 12 bytes (one per credential):
//   0..5   tag: the first 6 bytes of HMAC-SHA256(hashKey, kindByte ‖ secret) — never the raw UID or PIN
//   6..7   validFrom, day number (days since 2020-01-01 UTC), big-endian
//   8..9   validTo, day number, inclusive
//   10     profile, low 8 bits
//   11     bits 0–1 profile high bits (profile 0..1023), bit 2 PIN required, bit 3 revoked, bits 4–6 zero,
//          bit 7 REMOVE (in delta chunks only, never stored)
// PIN entry, 12 bytes (card + PIN): tag of the card's credential, 5-byte PIN verifier, flags (bit 7 REMOVE).
// Profile, 32 bytes: doors u32 BE (bit d = door d), window count (0..6), 3 zero bytes, 6 windows of u32 BE
//   days << 22 | start << 11 | end (days: bit 0 Monday … bit 6 Sunday; minutes of the local day,
//   start < end ≤ 1440); unused windows are zero. No window: the profile never opens.

export const RECORD_BYTES = 12;
export const TAG_BYTES = 6;
export const VERIFIER_BYTES = 5;
export const PROFILE_BYTES = 32;
const MAX_WINDOWS = 6;
/** Records per bucket the directory aims at: a lookup scans about this many. */
const BUCKET_LOAD = 8;
const REMOVE_FLAG = 0x80;
const PIN_FLAG = 0x04;
const REVOKED_FLAG = 0x08;
const RESERVED_MAIN = 0x70;
const RESERVED_PIN = 0x7f;
/** 2020-01-01T00:00:00Z in days since the Unix epoch. */
export const EPOCH_DAY_2020 = 18_262;
const DAY_MS = 86_400_000;

/** Chunk streams, in the order a sync sends them. */
export const STREAM_PROFILES = 0;
export const STREAM_MAIN = 1;
export const STREAM_PINS = 2;
export const STREAM_ENTRY_BYTES: readonly number[] = [PROFILE_BYTES, RECORD_BYTES, RECORD_BYTES];

export interface CredentialRecord {
  /** First valid day (days since 2020-01-01 UTC). */
  validFrom: number;
  /** Last valid day, inclusive. */
  validTo: number;
  profile: number;
  pinRequired: boolean;
  revoked: boolean;
}

export interface ScheduleWindow {
  /** Weekdays: bit 0 Monday … bit 6 Sunday. */
  days: number;
  /** Minutes of the local day: start inclusive, end exclusive. */
  start: number;
  end: number;
}

export interface Profile {
  /** Bit d set: door d (0..31) is in scope. */
  doors: number;
  schedule: ScheduleWindow[];
}

/** Day number of a wall time: days since 2020-01-01 UTC. */
export function dayNumber(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) - EPOCH_DAY_2020;
}

/** Buckets of a table of `count` records. */
export function bucketCount(count: number): number {
  return Math.max(1, Math.ceil(count / BUCKET_LOAD));
}

/**
 * The bucket of a tag: its first 32 bits scaled to `buckets`. Monotonic in the tag, so a sorted table has sorted
 * buckets; the product stays below 2^53, so the division is exact on every engine.
 */
export function bucketOf(tag: Uint8Array, buckets: number): number {
  const top = ((tag[0]! << 24) >>> 0) + (tag[1]! << 16) + (tag[2]! << 8) + tag[3]!;
  return Math.floor((top * buckets) / 4_294_967_296);
}

/** Orders two tags (the first TAG_BYTES of each array, from their offsets). */
export function compareTags(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  for (let i = 0; i < TAG_BYTES; i++) {
    const d = a[aAt + i]! - b[bAt + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function encodeRecord(tag: Uint8Array, record: CredentialRecord, into = new Uint8Array(RECORD_BYTES), at = 0): Uint8Array {
  into.set(tag.subarray(0, TAG_BYTES), at);
  into[at + 6] = record.validFrom >> 8;
  into[at + 7] = record.validFrom & 0xff;
  into[at + 8] = record.validTo >> 8;
  into[at + 9] = record.validTo & 0xff;
  into[at + 10] = record.profile & 0xff;
  into[at + 11] = (record.profile >> 8) | (record.pinRequired ? PIN_FLAG : 0) | (record.revoked ? REVOKED_FLAG : 0);
  return into;
}

export function decodeRecord(bytes: Uint8Array, at = 0): CredentialRecord {
  const flags = bytes[at + 11]!;
  return {
    validFrom: (bytes[at + 6]! << 8) | bytes[at + 7]!,
    validTo: (bytes[at + 8]! << 8) | bytes[at + 9]!,
    profile: bytes[at + 10]! | ((flags & 0x03) << 8),
    pinRequired: (flags & PIN_FLAG) !== 0,
    revoked: (flags & REVOKED_FLAG) !== 0,
  };
}

/** A remove entry of a delta: the tag, zeros, the REMOVE flag. */
export function encodeRemoval(tag: Uint8Array, into = new Uint8Array(RECORD_BYTES), at = 0): Uint8Array {
  into.fill(0, at, at + RECORD_BYTES);
  into.set(tag.subarray(0, TAG_BYTES), at);
  into[at + 11] = REMOVE_FLAG;
  return into;
}

export function encodePinEntry(tag: Uint8Array, verifier: Uint8Array, into = new Uint8Array(RECORD_BYTES), at = 0): Uint8Array {
  into.set(tag.subarray(0, TAG_BYTES), at);
  into.set(verifier.subarray(0, VERIFIER_BYTES), at + TAG_BYTES);
  into[at + 11] = 0;
  return into;
}

export function isRemoval(bytes: Uint8Array, at: number): boolean {
  return (bytes[at + 11]! & REMOVE_FLAG) !== 0;
}

/** Why a record (main or PIN table) is malformed, or undefined. `delta` allows REMOVE entries. */
export function recordProblem(stream: number, bytes: Uint8Array, at: number, delta: boolean): string | undefined {
  const flags = bytes[at + 11]!;
  if (flags & REMOVE_FLAG) {
    if (!delta) return 'a remove entry outside a delta';
    for (let i = TAG_BYTES; i < 11; i++) if (bytes[at + i] !== 0) return 'a remove entry with data';
    return flags === REMOVE_FLAG ? undefined : 'a remove entry with flags';
  }
  if (stream === STREAM_PINS) return flags & RESERVED_PIN ? 'reserved PIN entry bits set' : undefined;
  if (flags & RESERVED_MAIN) return 'reserved record bits set';
  const from = (bytes[at + 6]! << 8) | bytes[at + 7]!;
  const to = (bytes[at + 8]! << 8) | bytes[at + 9]!;
  return from > to ? 'validFrom after validTo' : undefined;
}

export function encodeProfile(profile: Profile, into = new Uint8Array(PROFILE_BYTES), at = 0): Uint8Array {
  if (profile.schedule.length > MAX_WINDOWS) throw new RangeError(`profile: at most ${MAX_WINDOWS} windows`);
  into.fill(0, at, at + PROFILE_BYTES);
  writeU32(into, at, profile.doors >>> 0);
  into[at + 4] = profile.schedule.length;
  profile.schedule.forEach((window, n) => {
    writeU32(into, at + 8 + 4 * n, ((window.days << 22) | (window.start << 11) | window.end) >>> 0);
  });
  const problem = profileProblem(into, at);
  if (problem !== undefined) throw new RangeError(`profile: ${problem}`);
  return into;
}

export function decodeProfile(bytes: Uint8Array, at = 0): Profile {
  const schedule: ScheduleWindow[] = [];
  const windows = bytes[at + 4]!;
  for (let n = 0; n < windows; n++) {
    const word = readU32(bytes, at + 8 + 4 * n);
    schedule.push({ days: word >>> 22, start: (word >>> 11) & 0x7ff, end: word & 0x7ff });
  }
  return { doors: readU32(bytes, at), schedule };
}

export function profileProblem(bytes: Uint8Array, at: number): string | undefined {
  const windows = bytes[at + 4]!;
  if (windows > MAX_WINDOWS) return `more than ${MAX_WINDOWS} windows`;
  if (bytes[at + 5] !== 0 || bytes[at + 6] !== 0 || bytes[at + 7] !== 0) return 'reserved profile bytes set';
  for (let n = 0; n < MAX_WINDOWS; n++) {
    const word = readU32(bytes, at + 8 + 4 * n);
    if (n >= windows) {
      if (word !== 0) return 'data in an unused window';
      continue;
    }
    const days = word >>> 22;
    const start = (word >>> 11) & 0x7ff;
    const end = word & 0x7ff;
    if (days === 0 || days > 0x7f) return 'a window without weekdays';
    if (start >= end || end > 1440) return 'a window not within 0..1440 minutes';
  }
  return undefined;
}

export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}
