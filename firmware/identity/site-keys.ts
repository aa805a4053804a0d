// The site's keys in the key-value store (Preference / NVS), domain `cred`: 32 random bytes each (ArrayBuffer),
// written by the installer with the rest of `prov`; the platform holds the same. The device never sends them.
//   hashKey  keys the credential hashes (credential-hash.ts): every device that identifies a resident reads it.
//   cmdKey   verifies signed commands (firmware/protocol/signed-command.ts) on devices that keep no key of their
//            own: the smart bin's lids. (The door reader keeps its command key with its pass key, domain `door`.)
// A device keeps its own keys beside them (a credential store's syncKey, which authenticates its syncs).
import type { KeyValueStore } from '../../hal/contract/storage.js';

export const SITE_KEY_DOMAIN = 'cred';
export const HASH_KEY = 'hashKey';
export const COMMAND_KEY = 'cmdKey';
export const SITE_KEY_BYTES = 32;

/** The site key `name`, or undefined when it is missing or not 32 bytes. */
export function readSiteKey(kv: KeyValueStore, name: string): Uint8Array | undefined {
  const value = kv.get(SITE_KEY_DOMAIN, name);
  return value instanceof ArrayBuffer && value.byteLength === SITE_KEY_BYTES ? new Uint8Array(value) : undefined;
}

/** Provisioning (installer tools, the simulator, tests). */
export function writeSiteKey(kv: KeyValueStore, name: string, key: Uint8Array): void {
  if (key.length !== SITE_KEY_BYTES) throw new RangeError(`credentials: ${name} must be ${SITE_KEY_BYTES} bytes`);
  kv.set(SITE_KEY_DOMAIN, name, key.slice().buffer as ArrayBuffer);
}
