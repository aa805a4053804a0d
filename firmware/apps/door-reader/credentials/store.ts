// The door reader's credential store: lookups against the list in force, and syncs that build the next list in
// the other slot (partition) and switch to it with one key-value write. Until that write the old list serves;
// a sync cut off at any point — lost chunks, a restart, a power cut — leaves it in force.
import type { Crypto } from '../../../../hal/contract/crypto.js';
import type { FlashPartition, KeyValueStore, Storage } from '../../../../hal/contract/storage.js';
import { toHex } from '../../../lib/hex.js';
import { utf8Encode } from '../../../lib/utf8.js';
import { CHUNK_HASH_BYTES, type CredSyncBeginArgs, type CredSyncChunkArgs, type CredSyncKind,
  manifestSigningText } from '../../../protocol/cred-sync.js';
import { decodeBase64 } from '../../../lib/base64.js';
import { type CredentialKind, credentialHash, pinVerifier } from '../../../identity/credential-hash.js';
import { HASH_KEY, readSiteKey } from '../../../identity/site-keys.js';
import { SyncError, type SyncFailureReason } from './errors.js';
import { type CredentialRecord, decodeRecord, type Profile, TAG_BYTES, VERIFIER_BYTES } from './format.js';
import { readActive, SYNC_KEY, writeActive } from './keys.js';
import { slotLayout } from './layout.js';
import { Slot } from './slot.js';
import { SlotWriter } from './slot-writer.js';
import { SyncSession } from './sync-session.js';

export interface CredentialStoreOptions {
  storage: Storage;
  /** Default: storage.kv. */
  kv?: KeyValueStore;
  crypto: Crypto;
  /** The two slots. Default ['credA', 'credB']. */
  partitions?: readonly string[];
}

export interface SyncSummary {
  sync: string;
  kind: CredSyncKind;
  version: number;
  /** Version replaced (0: there was no list). */
  previous: number;
  added: number;
  removed: number;
  updated: number;
  count: number;
  pins: number;
  profiles: number;
}

export interface SyncInfo {
  sync: string;
  kind: CredSyncKind;
  version: number;
}

/** What a sync command did. `failed` ends the session and deserves a credentials.sync_failed event. */
export type SyncStep =
  | { status: 'progress'; sync: string; next: number; chunks: number; superseded?: SyncInfo }
  | { status: 'done'; summary: SyncSummary }
  | { status: 'current'; version: number }
  | { status: 'refused'; message: string; next?: number }
  | { status: 'failed'; reason: SyncFailureReason; message: string; session?: SyncInfo };

export interface StoreStatus {
  version: number;
  count: number;
  pins: number;
  profiles: number;
  /** Why no list serves, when none does although one should. */
  problem?: string;
  session?: SyncInfo & { next: number; chunks: number };
}

export class CredentialStore {
  readonly #kv: KeyValueStore;
  readonly #crypto: Crypto;
  readonly #slots: { name: string; flash: FlashPartition }[];
  #hashKey: Uint8Array | undefined;
  #active: Slot | undefined;
  #problem: string | undefined;
  #session: SyncSession | undefined;

  constructor(options: CredentialStoreOptions) {
    this.#kv = options.kv ?? options.storage.kv;
    this.#crypto = options.crypto;
    this.#slots = (options.partitions ?? ['credA', 'credB']).map((name) => {
      const flash = options.storage.partition(name);
      if (!flash) throw new Error(`credentials: no flash partition "${name}"`);
      return { name, flash };
    });
    if (this.#slots.length !== 2) throw new Error('credentials: need exactly two partitions (A/B slots)');
    this.#hashKey = readSiteKey(this.#kv, HASH_KEY);
    this.#open();
  }

  /** Version of the list in force; 0 when there is none. */
  get version(): number {
    return this.#active?.version ?? 0;
  }

  get count(): number {
    return this.#active?.header.count ?? 0;
  }

  status(): StoreStatus {
    const header = this.#active?.header;
    const session = this.#session;
    return {
      version: header?.version ?? 0, count: header?.count ?? 0, pins: header?.pins ?? 0, profiles: header?.profiles ?? 0,
      ...(this.#problem === undefined ? {} : { problem: this.#problem }),
      ...(session ? { session: { ...infoOf(session), next: session.next, chunks: session.chunks } } : {}),
    };
  }

  /** The credential behind a card UID, PIN-only code or QR text, or undefined (unknown, or no list). */
  lookup(kind: CredentialKind, secret: Uint8Array | string): CredentialRecord | undefined {
    const slot = this.#active;
    const key = this.#key();
    if (!slot || !key) return undefined;
    const record = slot.main.find(credentialHash(this.#crypto, key, kind, secret));
    return record ? decodeRecord(record) : undefined;
  }

  /** Card + PIN: whether `pin` is the PIN of this credential. */
  checkPin(kind: CredentialKind, secret: Uint8Array | string, pin: string): boolean {
    const slot = this.#active;
    const key = this.#key();
    if (!slot || !key) return false;
    const entry = slot.pins.find(credentialHash(this.#crypto, key, kind, secret));
    if (!entry) return false;
    const verifier = pinVerifier(this.#crypto, key, kind, secret, pin);
    let difference = 0;
    for (let i = 0; i < VERIFIER_BYTES; i++) difference |= verifier[i]! ^ entry[TAG_BYTES + i]!;
    return difference === 0;
  }

  profile(n: number): Profile | undefined {
    return this.#active?.profile(n);
  }

  /**
   * Whether the manifest is signed with the site sync key: the reason it is not, or undefined. Cheap and free of
   * side effects, so the command's validate() can refuse forgeries before anything is written.
   */
  checkManifest(manifest: CredSyncBeginArgs): string | undefined {
    const syncKey = readSiteKey(this.#kv, SYNC_KEY);
    if (!syncKey || !this.#key()) return 'site keys are not provisioned';
    const { mac, ...signed } = manifest;
    const expected = toHex(this.#crypto.hmacSha256(syncKey, utf8Encode(manifestSigningText(signed))));
    return sameText(expected, mac) ? undefined : 'manifest signature does not verify';
  }

  /** `cred.sync.begin`: checks the signed manifest and opens a session (or resumes the same one). */
  beginSync(manifest: CredSyncBeginArgs): SyncStep {
    const problem = this.checkManifest(manifest);
    if (problem !== undefined) return failed(readSiteKey(this.#kv, SYNC_KEY) && this.#key() ? 'bad_mac' : 'no_keys', problem, manifest);

    const current = this.#session;
    if (current && current.manifest.sync === manifest.sync && current.manifest.mac === manifest.mac) {
      return { status: 'progress', sync: manifest.sync, next: current.next, chunks: current.chunks };
    }
    const hashes = decodeBase64(manifest.hashes);
    if (hashes === undefined) return failed('bad_manifest', 'hashes: not base64', manifest);
    if (hashes.length % CHUNK_HASH_BYTES !== 0) return failed('bad_manifest', `hashes: not a multiple of ${CHUNK_HASH_BYTES} bytes`, manifest);
    const active = this.#active;
    if (active && manifest.version === active.version && manifest.digest === toHex(active.header.digest)) {
      return { status: 'current', version: active.version };
    }
    const inForce = active?.version ?? 0;
    if (manifest.kind === 'snapshot' && manifest.version <= inForce)
      return failed('stale_version', `version ${manifest.version} is not newer than ${inForce}`, manifest);
    if (manifest.kind === 'delta') {
      if (manifest.base !== inForce || !active) return failed('base_mismatch', `delta from ${manifest.base}, the list in force is ${inForce}`, manifest);
      if (manifest.version <= inForce) return failed('bad_manifest', `delta to ${manifest.version} from ${inForce}`, manifest);
    }

    const target = this.#slots.find((slot) => slot.name !== this.#inForceName()) ?? this.#slots[0]!;
    const needed = slotLayout(manifest, target.flash.blockSize).end;
    if (needed > target.flash.byteLength)
      return failed('too_large', `the list needs ${needed} bytes, ${target.name} has ${target.flash.byteLength}`, manifest);

    // From here the free slot is rewritten: a session still open on it ends.
    this.#session = undefined;
    const writer = new SlotWriter(target.flash, manifest, this.#crypto);
    this.#session = new SyncSession(manifest, hashes, writer, active, this.#crypto);
    const step: SyncStep = { status: 'progress', sync: manifest.sync, next: 0, chunks: this.#session.chunks };
    if (current) step.superseded = infoOf(current);
    return step;
  }

  /** `cred.sync.chunk`: applies chunk `i`; the last one completes the list and switches to it. */
  applyChunk(chunk: CredSyncChunkArgs): SyncStep {
    const session = this.#session;
    if (!session || session.manifest.sync !== chunk.sync) return { status: 'refused', message: `no sync session "${chunk.sync}": begin it again` };
    if (chunk.i >= session.chunks) return { status: 'refused', message: `chunk ${chunk.i}: the manifest lists ${session.chunks} chunks`, next: session.next };
    if (chunk.i < session.next) return { status: 'progress', sync: chunk.sync, next: session.next, chunks: session.chunks };
    if (chunk.i > session.next) return { status: 'refused', message: `expected chunk ${session.next}`, next: session.next };
    try {
      const bytes = decodeBase64(chunk.data);
      if (bytes === undefined) throw new SyncError('bad_chunk', `chunk ${chunk.i}: not base64`);
      session.apply(bytes);
      if (!session.done) return { status: 'progress', sync: chunk.sync, next: session.next, chunks: session.chunks };
      return { status: 'done', summary: this.#complete(session) };
    } catch (error) {
      this.#session = undefined;
      if (error instanceof SyncError) return failed(error.reason, error.message, session.manifest);
      throw error;
    }
  }

  /** Drops a sync in progress (the old list stays). */
  abortSync(): SyncInfo | undefined {
    const session = this.#session;
    this.#session = undefined;
    return session ? infoOf(session) : undefined;
  }

  #complete(session: SyncSession): SyncSummary {
    const header = session.finish();
    const target = this.#slots.find((slot) => slot.flash === session.writer.flash)!;
    const slot = Slot.open(target.name, target.flash, this.#crypto);
    if (typeof slot === 'string') throw new SyncError('storage', `the new list does not read back: ${slot}`);
    // The switch: one atomic key-value write. Before it the old list is in force, after it the new one.
    writeActive(this.#kv, { partition: target.name, version: header.version });
    this.#active = slot;
    this.#problem = undefined;
    this.#session = undefined;
    const { manifest } = session;
    return {
      sync: manifest.sync, kind: manifest.kind, version: header.version, previous: session.previousVersion,
      ...session.counts, count: header.count, pins: header.pins, profiles: header.profiles,
    };
  }

  #open(): void {
    const active = readActive(this.#kv);
    if (!active) return;
    const target = this.#slots.find((slot) => slot.name === active.partition);
    if (!target) {
      this.#problem = `the active list names an unknown partition "${active.partition}"`;
      return;
    }
    const slot = Slot.open(target.name, target.flash, this.#crypto);
    if (typeof slot === 'string') this.#problem = `${target.name}: ${slot}`;
    else if (slot.version !== active.version) this.#problem = `${target.name} holds version ${slot.version}, expected ${active.version}`;
    else this.#active = slot;
  }

  #inForceName(): string | undefined {
    return this.#active?.name ?? readActive(this.#kv)?.partition;
  }

  #key(): Uint8Array | undefined {
    return (this.#hashKey ??= readSiteKey(this.#kv, HASH_KEY));
  }
}

function infoOf(session: SyncSession): SyncInfo {
  return { sync: session.manifest.sync, kind: session.manifest.kind, version: session.manifest.version };
}

function failed(reason: SyncFailureReason, message: string, manifest: CredSyncBeginArgs): SyncStep {
  return { status: 'failed', reason, message, session: { sync: manifest.sync, kind: manifest.kind, version: manifest.version } };
}

/** Compares without an early exit, so timing does not tell how much of a MAC was right. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
