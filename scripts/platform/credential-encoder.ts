// The platform's side of credential sync (docs/protocol.md §14): turns a site's credential list into keyed-hash
// records and signed snapshot or delta syncs — the manifest (`cred.sync.begin` args) and its chunks
// (`cred.sync.chunk` args). Used by tests, the simulator and `npm run bench:door`. Credential hashes are the
// device's own (firmware/identity) over node:crypto; digests and MACs come from node:crypto; the record layouts
// are the shared format module.
import { createHash, createHmac } from 'node:crypto';
import { PROTOCOL_VERSION, type CommandMessage } from '../../firmware/protocol/messages.js';
import { CHUNK_HASH_BYTES, CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, type CredSyncBeginArgs, type CredSyncChunkArgs,
  MAX_CHUNK_BYTES, manifestSigningText } from '../../firmware/protocol/cred-sync.js';
import { encodePinEntry, encodeProfile, encodeRecord, encodeRemoval, type Profile, PROFILE_BYTES, RECORD_BYTES,
  STREAM_PROFILES, TAG_BYTES } from '../../firmware/apps/door-reader/credentials/format.js';
import { credentialHash, type CredentialKind, pinVerifier } from '../../firmware/identity/credential-hash.js';
import { createHostCrypto } from '../../hal/host/crypto.js';

export interface SiteKeys {
  hashKey: Uint8Array;
  syncKey: Uint8Array;
}

export interface CredentialInput {
  kind: CredentialKind;
  /** Card UID / Wiegand id bytes, PIN-only code, or QR text. */
  secret: Uint8Array | string;
  /** Local days since 2020-01-01, inclusive. */
  validFrom: number;
  validTo: number;
  profile: number;
  /** Card + PIN: the PIN (makes the record PIN-required). */
  pin?: string;
  revoked?: boolean;
}

/** A list as the device stores it: sorted records, ready to sync. */
export interface EncodedList {
  version: number;
  profiles: Uint8Array[];
  main: Uint8Array[];
  pins: Uint8Array[];
}

export interface SyncPackage {
  begin: CredSyncBeginArgs;
  chunks: CredSyncChunkArgs[];
}

export interface SyncOptions {
  /** Session token; default derived from the versions. */
  sync?: string;
  /** Records per chunk (default: as many as fit, 480). Small values make many chunks for tests. */
  recordsPerChunk?: number;
}

const crypto = createHostCrypto();

function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** HMAC(hashKey, kindByte ‖ secret): the full keyed hash; a record keeps its first 6 bytes. */
export function keyedHash(keys: SiteKeys, kind: CredentialKind, secret: Uint8Array | string): Uint8Array {
  return credentialHash(crypto, keys.hashKey, kind, secret);
}

export function keyedPinVerifier(keys: SiteKeys, kind: CredentialKind, secret: Uint8Array | string, pin: string): Uint8Array {
  return pinVerifier(crypto, keys.hashKey, kind, secret, pin);
}

function byTag(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < TAG_BYTES; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Hashes, encodes and sorts a list. Throws on two credentials with the same keyed hash. */
export function encodeList(keys: SiteKeys, version: number, credentials: readonly CredentialInput[], profiles: readonly Profile[]): EncodedList {
  const main: Uint8Array[] = [];
  const pins: Uint8Array[] = [];
  for (const credential of credentials) {
    const tag = keyedHash(keys, credential.kind, credential.secret).subarray(0, TAG_BYTES);
    main.push(encodeRecord(tag, {
      validFrom: credential.validFrom, validTo: credential.validTo, profile: credential.profile,
      pinRequired: credential.pin !== undefined, revoked: credential.revoked ?? false,
    }));
    if (credential.pin !== undefined) pins.push(encodePinEntry(tag, keyedPinVerifier(keys, credential.kind, credential.secret, credential.pin)));
  }
  main.sort(byTag);
  pins.sort(byTag);
  for (let i = 1; i < main.length; i++) if (byTag(main[i - 1]!, main[i]!) === 0) throw new Error('encoder: two credentials share a tag');
  return { version, profiles: profiles.map((profile) => encodeProfile(profile)), main, pins };
}

/** The list digest the manifest promises (docs/protocol.md §14.4). */
export function listDigest(list: Pick<EncodedList, 'profiles' | 'main' | 'pins'>): Uint8Array {
  const stream = Buffer.concat([...list.profiles, ...list.main, ...list.pins]);
  let state: Uint8Array = new Uint8Array(32);
  for (let at = 0; at < stream.length; at += 3072) state = sha256(Buffer.concat([state, stream.subarray(at, at + 3072)]));
  const tail = Buffer.alloc(44);
  tail.set(state);
  tail.writeUInt32BE(list.profiles.length, 32);
  tail.writeUInt32BE(list.main.length, 36);
  tail.writeUInt32BE(list.pins.length, 40);
  return sha256(tail);
}

/** A full snapshot of `list`. */
export function snapshotSync(keys: SiteKeys, list: EncodedList, options: SyncOptions = {}): SyncPackage {
  return pack(keys, { kind: 'snapshot', version: list.version }, list, [list.profiles, list.main, list.pins], options);
}

/** A delta from `from` to `to`: upserts for new and changed records, remove entries for dropped ones. */
export function deltaSync(keys: SiteKeys, from: EncodedList, to: EncodedList, options: SyncOptions = {}): SyncPackage {
  return pack(keys, { kind: 'delta', version: to.version, base: from.version }, to,
    [to.profiles, difference(from.main, to.main), difference(from.pins, to.pins)], options);
}

function difference(before: readonly Uint8Array[], after: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const order = i >= before.length ? 1 : j >= after.length ? -1 : byTag(before[i]!, after[j]!);
    if (order < 0) out.push(encodeRemoval(before[i++]!));
    else if (order > 0) out.push(after[j++]!);
    else {
      if (Buffer.compare(before[i]!, after[j]!) !== 0) out.push(after[j]!);
      i++;
      j++;
    }
  }
  return out;
}

function pack(
  keys: SiteKeys,
  head: { kind: 'snapshot' | 'delta'; version: number; base?: number },
  result: EncodedList,
  streams: readonly (readonly Uint8Array[])[],
  options: SyncOptions,
): SyncPackage {
  const bodies: Uint8Array[] = [];
  streams.forEach((entries, stream) => {
    const size = stream === STREAM_PROFILES ? PROFILE_BYTES : RECORD_BYTES;
    const fit = Math.floor((MAX_CHUNK_BYTES - 1) / size);
    const per = stream === STREAM_PROFILES ? fit : Math.min(fit, options.recordsPerChunk ?? fit);
    for (let at = 0; at < entries.length; at += per) {
      bodies.push(Buffer.concat([Buffer.from([stream]), ...entries.slice(at, at + per)]));
    }
  });
  if (bodies.length === 0) bodies.push(Buffer.from([STREAM_PROFILES])); // an empty list still has one chunk
  return signSync(keys, {
    sync: options.sync ?? `s${head.base ?? 0}-${head.version}`, kind: head.kind, version: head.version,
    ...(head.base === undefined ? {} : { base: head.base }),
    count: result.main.length, pins: result.pins.length, profiles: result.profiles.length,
    digest: Buffer.from(listDigest(result)).toString('hex'),
  }, bodies);
}

/** Signs a manifest over chunk bodies as given: tests use it to send well-signed but wrong content. */
export function signSync(keys: SiteKeys, fields: Omit<CredSyncBeginArgs, 'mac' | 'hashes'>, bodies: readonly Uint8Array[]): SyncPackage {
  const hashes = Buffer.concat(bodies.map((body) => sha256(body).subarray(0, CHUNK_HASH_BYTES)));
  const signed: Omit<CredSyncBeginArgs, 'mac'> = { ...fields, hashes: hashes.toString('base64') };
  const mac = Buffer.from(hmac(keys.syncKey, new Uint8Array(Buffer.from(manifestSigningText(signed), 'utf8')))).toString('hex');
  return {
    begin: { ...signed, mac },
    chunks: bodies.map((body, i) => ({ sync: fields.sync, i, data: Buffer.from(body).toString('base64') })),
  };
}

/** The chunk bodies of a package, decoded. */
export function chunkBodies(sync: SyncPackage): Uint8Array[] {
  return sync.chunks.map((chunk) => new Uint8Array(Buffer.from(chunk.data, 'base64')));
}

/** The package as protocol commands, in sending order. */
export function syncCommands(sync: SyncPackage, options: { exp: number; reqIdPrefix?: string }): CommandMessage[] {
  const prefix = options.reqIdPrefix ?? sync.begin.sync;
  return [
    { v: PROTOCOL_VERSION, msg: 'command', reqId: `${prefix}.b`, name: CRED_SYNC_BEGIN, exp: options.exp, args: { ...sync.begin } },
    ...sync.chunks.map((chunk): CommandMessage => ({
      v: PROTOCOL_VERSION, msg: 'command', reqId: `${prefix}.${chunk.i}`, name: CRED_SYNC_CHUNK, exp: options.exp, args: { ...chunk },
    })),
  ];
}
