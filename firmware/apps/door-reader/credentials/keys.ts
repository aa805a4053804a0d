// What the credential store keeps in the key-value store (Preference / NVS), domain `cred` (firmware/identity's
// site keys, beside the site hash key `hashKey`):
//   syncKey  32 random bytes (ArrayBuffer): authenticates sync manifests (HMAC-SHA256). Provisioned by the
//            installer with the rest of `prov`, like the hash key; the device never sends it anywhere.
//   active   "<partition> <version>": the slot in force. Written once per completed sync: the atomic switch.
import type { KeyValueStore } from '../../../../hal/contract/storage.js';
import { HASH_KEY, SITE_KEY_DOMAIN, writeSiteKey } from '../../../identity/site-keys.js';

export const SYNC_KEY = 'syncKey';
const ACTIVE_KEY = 'active';

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
  writeSiteKey(kv, HASH_KEY, keys.hashKey);
  writeSiteKey(kv, SYNC_KEY, keys.syncKey);
}

export function readActive(kv: KeyValueStore): ActiveSlot | undefined {
  const value = kv.get(SITE_KEY_DOMAIN, ACTIVE_KEY);
  if (typeof value !== 'string') return undefined;
  const [partition, version, extra] = value.split(' ');
  const number = Number(version);
  if (extra !== undefined || !partition || !Number.isInteger(number) || number < 1) return undefined;
  return { partition, version: number };
}

export function writeActive(kv: KeyValueStore, active: ActiveSlot): void {
  kv.set(SITE_KEY_DOMAIN, ACTIVE_KEY, `${active.partition} ${active.version}`);
}
