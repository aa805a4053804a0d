// Credential sync (docs/protocol.md §14): the platform pushes a door reader's credential list as commands —
// `cred.sync.begin` (an HMAC-signed manifest listing the chunk hashes), `cred.sync.chunk` (one chunk of the list)
// and `cred.sync.status`. Their `args` are strict, checked here for every command so a malformed sync message
// never reaches the app; the JSON Schema (docs/schemas/command.json, common.json) says the same.
import { isPlainObject, oneOf, shape, token, uint, type Check, type Shape } from './fields.js';

export const CRED_SYNC_BEGIN = 'cred.sync.begin';
export const CRED_SYNC_CHUNK = 'cred.sync.chunk';
export const CRED_SYNC_STATUS = 'cred.sync.status';

/** Chunks of one sync: the manifest carries a 16-byte hash of each. */
export const MAX_SYNC_CHUNKS = 320;
/** Bytes of one decoded chunk: a stream byte and up to 480 records of 12 bytes (or 180 profiles of 32). */
export const MAX_CHUNK_BYTES = 5761;
export const CHUNK_HASH_BYTES = 16;
/** Records (credentials or PIN entries) in one list. */
export const MAX_SYNC_RECORDS = 1_000_000;
export const MAX_PROFILES = 1024;
/** List versions are stored as 32-bit numbers on the device. */
export const MAX_LIST_VERSION = 0xffff_ffff;
export const MAX_CHUNK_TEXT = base64Length(MAX_CHUNK_BYTES);
export const MAX_HASHES_TEXT = base64Length(MAX_SYNC_CHUNKS * CHUNK_HASH_BYTES);

export type CredSyncKind = 'snapshot' | 'delta';

export interface CredSyncBeginArgs {
  /** Session token chosen by the platform. */
  sync: string;
  kind: CredSyncKind;
  /** Version of the list this sync produces. */
  version: number;
  /** Delta only: the version it applies to. */
  base?: number;
  /** Credentials in the resulting list. */
  count: number;
  /** Entries of the PIN table in the resulting list. */
  pins: number;
  /** Profiles in the resulting list (always sent in full). */
  profiles: number;
  /** Base64 of one 16-byte truncated SHA-256 per chunk, in chunk order. */
  hashes: string;
  /** Hex SHA-256 list digest of the resulting list. */
  digest: string;
  /** Hex HMAC-SHA256 over manifestSigningText() with the site sync key. */
  mac: string;
}

export interface CredSyncChunkArgs {
  sync: string;
  /** Chunk index, from 0. */
  i: number;
  /** Base64 of the chunk. */
  data: string;
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * Base64 with padding, as the schema's pattern says: groups of four of [A-Za-z0-9+/], the last group may end in
 * "=" or "==". Checked by hand: a regular expression over 7 KB would recurse deeply on a microcontroller.
 */
export function isBase64(value: unknown, maxLength: number): value is string {
  if (typeof value !== 'string' || value.length < 4 || value.length > maxLength || value.length % 4 !== 0) return false;
  const end = value.length;
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (isBase64Char(c)) continue;
    // "=" only as the last character, or as the last two.
    if (c === 61 && (i === end - 1 || (i === end - 2 && value.charCodeAt(end - 1) === 61))) continue;
    return false;
  }
  return true;
}

/** [A-Za-z0-9+/] */
export function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

function base64(maxLength: number): Check {
  return (value, path) => (isBase64(value, maxLength) ? undefined : `${path}: expected base64 (padded), 4–${maxLength} chars`);
}

const hex64: Check = (value, path) => {
  if (typeof value === 'string' && value.length === 64) {
    let fine = true;
    for (let i = 0; fine && i < 64; i++) {
      const c = value.charCodeAt(i);
      fine = (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
    }
    if (fine) return undefined;
  }
  return `${path}: expected 64 lowercase hex digits`;
};

const BEGIN: Shape = {
  sync: { check: token, required: true },
  kind: { check: oneOf(['snapshot', 'delta']), required: true },
  version: { check: uint(1, MAX_LIST_VERSION), required: true },
  base: { check: uint(0, MAX_LIST_VERSION) },
  count: { check: uint(0, MAX_SYNC_RECORDS), required: true },
  pins: { check: uint(0, MAX_SYNC_RECORDS), required: true },
  profiles: { check: uint(0, MAX_PROFILES), required: true },
  hashes: { check: base64(MAX_HASHES_TEXT), required: true },
  digest: { check: hex64, required: true },
  mac: { check: hex64, required: true },
};

const CHUNK: Shape = {
  sync: { check: token, required: true },
  i: { check: uint(0, MAX_SYNC_CHUNKS - 1), required: true },
  data: { check: base64(MAX_CHUNK_TEXT), required: true },
};

/** The first problem of a credential-sync command's args (already known to be a free-form object), or undefined. */
export function checkCredSyncArgs(name: unknown, args: unknown, path: string): string | undefined {
  if (name !== CRED_SYNC_BEGIN && name !== CRED_SYNC_CHUNK && name !== CRED_SYNC_STATUS) return undefined;
  if (args === undefined) return name === CRED_SYNC_STATUS ? undefined : `${path}: required`;
  if (!isPlainObject(args)) return `${path}: expected an object`;
  if (name === CRED_SYNC_STATUS) return shape(args, path, {});
  if (name === CRED_SYNC_CHUNK) return shape(args, path, CHUNK);
  const error = shape(args, path, BEGIN);
  if (error !== undefined) return error;
  if (args.kind === 'delta' && !Object.hasOwn(args, 'base')) return `${path}.base: required when kind is "delta"`;
  if (args.kind === 'snapshot' && Object.hasOwn(args, 'base')) return `${path}.base: only allowed when kind is "delta"`;
  return undefined;
}

/**
 * The bytes the manifest's `mac` signs, as text: fixed field order, one per line, `base` empty for a snapshot.
 * Platform and device build it the same way; JSON key order and spacing never matter.
 */
export function manifestSigningText(args: Omit<CredSyncBeginArgs, 'mac'>): string {
  return [
    'ct-cred-sync/1', args.sync, args.kind, String(args.version), args.base === undefined ? '' : String(args.base),
    String(args.count), String(args.pins), String(args.profiles), args.digest, args.hashes,
  ].join('\n');
}
