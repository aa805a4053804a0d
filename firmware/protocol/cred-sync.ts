// Credential sync (docs/protocol.md §14): the platform pushes a door reader's credential list as commands —
// `cred.sync.begin` (an HMAC-signed manifest listing the chunk hashes), `cred.sync.chunk` (one chunk of the list)
// and `cred.sync.status`: their names, bounds, args and the manifest's signing text, which the platform's encoder
// and the device share. The device that runs them checks their args (apps/door-reader/command-args.ts).

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
 * The bytes the manifest's `mac` signs, as text: fixed field order, one per line, `base` empty for a snapshot.
 * Platform and device build it the same way; JSON key order and spacing never matter.
 */
export function manifestSigningText(args: Omit<CredSyncBeginArgs, 'mac'>): string {
  return [
    'ct-cred-sync/1', args.sync, args.kind, String(args.version), args.base === undefined ? '' : String(args.base),
    String(args.count), String(args.pins), String(args.profiles), args.digest, args.hashes,
  ].join('\n');
}
