// What the credential store keeps in the key-value store (Preference / NVS), domain `cred`:
//   hashKey  32 random bytes (ArrayBuffer): keys the credential hashes. Provisioned by the installer with the
//            rest of `prov`; the platform holds the same site key. The device never sends it anywhere.
//   syncKey  32 random bytes (ArrayBuffer): authenticates sync manifests (HMAC-SHA256). Same rules.
//   active   "<partition> <version>": the slot in force. Written once per completed sync: the atomic switch.
import type { KeyValueStore } from '../../../../hal/contract/storage.js';

export const CRED_DOMAIN = 'cred';
export const HASH_KEY = 'hashKey';
export const SYNC_KEY = 'syncKey';
export const ACTIVE_KEY = 'active';
export const KEY_BYTES = 32;

export interface CredentialKeys {
  hashKey: Uint8Array;
  syncKey: Uint8Array;
}

export interface ActiveSlot {
  partition: string;
  version: number;
}

/** Provisioning: stores both site keys (installer tools, the simulator, tests). */
export function writeCredentialKeys(kv: KeyValueStore, keys: CredentialKeys): void {
  for (const [name, key] of [[HASH_KEY, keys.hashKey], [SYNC_KEY, keys.syncKey]] as const) {
    if (key.length !== KEY_BYTES) throw new RangeError(`credentials: ${name} must be ${KEY_BYTES} bytes`);
    kv.set(CRED_DOMAIN, name, key.slice().buffer as ArrayBuffer);
  }
}

export function readKey(kv: KeyValueStore, name: typeof HASH_KEY | typeof SYNC_KEY): Uint8Array | undefined {
  const value = kv.get(CRED_DOMAIN, name);
  return value instanceof ArrayBuffer && value.byteLength === KEY_BYTES ? new Uint8Array(value) : undefined;
}

export function readActive(kv: KeyValueStore): ActiveSlot | undefined {
  const value = kv.get(CRED_DOMAIN, ACTIVE_KEY);
  if (typeof value !== 'string') return undefined;
  const [partition, version, extra] = value.split(' ');
  const number = Number(version);
  if (extra !== undefined || !partition || !Number.isInteger(number) || number < 1) return undefined;
  return { partition, version: number };
}

export function writeActive(kv: KeyValueStore, active: ActiveSlot): void {
  kv.set(CRED_DOMAIN, ACTIVE_KEY, `${active.partition} ${active.version}`);
}
