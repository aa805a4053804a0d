// Argument checks of the door reader's commands. The protocol layer leaves a command's args to the device that
// runs it; the credential sync commands (docs/protocol.md §14) take strict args, checked here in their specs'
// validate() so a malformed sync step gets `invalid` and never reaches the store. docs/schemas/command.json and
// common.json say the same.
import { isHex64 } from '../../lib/hex.js';
import { isPlainObject, oneOf, shape, token, uint, type Check, type Shape } from '../../protocol/fields.js';
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS, MAX_CHUNK_TEXT, MAX_HASHES_TEXT, MAX_LIST_VERSION,
  MAX_PROFILES, MAX_SYNC_CHUNKS, MAX_SYNC_RECORDS } from '../../protocol/cred-sync.js';

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
function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

function base64(maxLength: number): Check {
  return (value, path) => (isBase64(value, maxLength) ? undefined : `${path}: expected base64 (padded), 4–${maxLength} chars`);
}

const hex64: Check = (value, path) => (isHex64(value) ? undefined : `${path}: expected 64 lowercase hex digits`);

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

/** The first problem of a credential-sync command's args (a free-form object or absent), or undefined. */
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
