// Test fixtures for the credential store: deterministic site keys, flash with the two slots, generated
// credential lists, and a driver that plays a sync package against a store.
import { createHash } from 'node:crypto';
import { createHostCrypto } from '../../../hal/host/crypto.js';
import { createHostStorage, type HostStorage } from '../../../hal/host/storage/index.js';
import { CredentialStore, type SyncStep, writeCredentialKeys } from '../../../firmware/apps/door-reader/credentials/index.js';
import type { Profile } from '../../../firmware/apps/door-reader/credentials/format.js';
import type { CredentialInput, SiteKeys, SyncPackage } from '../../../scripts/platform/credential-encoder.js';

export const SITE_KEYS: SiteKeys = { hashKey: digest('site hash key'), syncKey: digest('site sync key') };

export function digest(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text).digest());
}

export interface CredentialStorageOptions {
  /** Bytes per slot partition. Default 256 KiB. */
  slotBytes?: number;
  keys?: SiteKeys | false;
  seed?: number;
}

/** Storage with `credA`/`credB` (strict NOR: a write over unerased bits throws) and the site keys provisioned. */
export function credentialStorage(options: CredentialStorageOptions = {}): HostStorage {
  const slot = options.slotBytes ?? 256 * 1024;
  const storage = createHostStorage({ partitions: { credA: slot, credB: slot }, strict: true, seed: options.seed ?? 1 });
  if (options.keys !== false) writeCredentialKeys(storage.kv, options.keys ?? SITE_KEYS);
  return storage;
}

export function openStore(storage: HostStorage): CredentialStore {
  return new CredentialStore({ storage, crypto: createHostCrypto() });
}

/** Plays begin then every chunk in order; returns each step. Stops at the first step that is not progress. */
export function playSync(store: CredentialStore, sync: SyncPackage): SyncStep[] {
  const steps = [store.beginSync(sync.begin)];
  for (const chunk of sync.chunks) {
    if (steps.at(-1)!.status !== 'progress') break;
    steps.push(store.applyChunk(chunk));
  }
  return steps;
}

/** A deterministic 7-byte card UID. */
export function uid(n: number): Uint8Array {
  return digest(`card ${n}`).subarray(0, 7);
}

export const PROFILES: Profile[] = [
  { doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
  { doors: 0b0110, schedule: [{ days: 0x1f, start: 7 * 60, end: 19 * 60 }, { days: 0x60, start: 9 * 60, end: 13 * 60 }] },
  { doors: 0b0001, schedule: [] },
];

/** `n` card credentials (every 10th with a PIN, every 50th revoked), valid for a year from day 2000. */
export function cards(n: number, offset = 0): CredentialInput[] {
  return Array.from({ length: n }, (_, i): CredentialInput => ({
    kind: 'card', secret: uid(offset + i), validFrom: 2000, validTo: 2365, profile: (offset + i) % PROFILES.length,
    ...((offset + i) % 10 === 0 ? { pin: String(1000 + ((offset + i) % 9000)) } : {}),
    ...((offset + i) % 50 === 7 ? { revoked: true } : {}),
  }));
}
