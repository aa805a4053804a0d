// Factory reset (ETSI EN 303 645 5.11): a device leaving a site takes none of its residents' data or the site's
// secrets with it. Asked by a signed command (the site command key) or by holding the service button; the device
// first says so (a durable `device.erasing` event, waited for until the broker has it, boundedly), then erases
// every key-value domain it and its app keep — provisioning, keys, credentials, settings, counters — and every
// flash partition (events, credential lists), and restarts unprovisioned.
// Deleting a key leaves its value in NVS flash until the page is reclaimed; a binding that can erase the whole store
// (Storage.eraseKeyValue: the ESP32's NVS partition) then wipes it, keeping only KEPT_BY_RESET, read before and
// written back after. A power cut in that window loses them: the setup secret then comes back with the device's NVS
// image (`platform label --nvs-csv`, docs/installing.md), the floor with the next confirmed update.
import type { Crypto, FlashPartition, KeyValueStore, Storage } from '../../hal/contract/index.js';
import { COMMAND_KEY, readSiteKey } from '../identity/site-keys.js';
import type { CommandMessage } from '../protocol/messages.js';
import { checkSignedCommand } from '../protocol/signed-command.js';
import { OTA_DOMAIN } from './ota.js';
import { SETUP_DOMAIN } from './provisioning-code.js';

export const FACTORY_RESET = 'lifecycle.factory_reset';
/** The key-value domains the runtime and the shared services keep (apps name theirs: DeviceApp.keeps). */
export const RUNTIME_DOMAINS: readonly string[] = Object.freeze(['prov', 'cred', 'cfg', 'cmd', 'chain', 'sys']);
/**
 * What a reset leaves: the label's setup secret and the codes already used (a reset device still refuses the code it
 * was set up with), and the anti-rollback floor (a reset device still refuses older images).
 */
export const KEPT_BY_RESET: readonly string[] = Object.freeze([SETUP_DOMAIN, OTA_DOMAIN]);
/** How long the device waits for the broker to have its `device.erasing` before it erases anyway. */
export const ERASE_REPORT_MS = 10_000;

export interface Keeps {
  /** Key-value domains. */
  readonly domains?: readonly string[];
  /** Flash partitions (by name in the board's table). */
  readonly partitions?: readonly string[];
}

/** The first problem of a factory reset's args (`{ target: 0, sig }`, signed), or undefined. */
export function checkFactoryReset(args: Record<string, unknown>, command: CommandMessage, crypto: Crypto, key: Uint8Array | undefined): string | undefined {
  return checkSignedCommand(args, command, {
    target: 'target',
    checkTarget: (target) => (target === 0 ? undefined : 'args.target: expected 0 (the whole device)'),
    commandKey: () => key,
    sign: (k, text) => crypto.hmacSha256(k, text),
  });
}

/** The command key the site signs with: the app's own when it keeps one, else the site's (cred/cmdKey). */
export function siteCommandKey(kv: KeyValueStore, own?: (kv: KeyValueStore) => Uint8Array | undefined): Uint8Array | undefined {
  return own?.(kv) ?? readSiteKey(kv, COMMAND_KEY);
}

export interface Erased {
  keys: number;
  blocks: number;
  /** The key-value store was erased whole. */
  wiped: boolean;
  /** Keys of KEPT_BY_RESET that could not be written back after the wipe. */
  lost: number;
}

/**
 * Erases what is kept: every key of each domain, every block of each partition, then, where the binding can, the
 * whole key-value store but KEPT_BY_RESET. Never throws for the wipe: the device restarts after it whatever happened.
 */
export function eraseKept(storage: Storage, keeps: Keeps): Erased {
  let keys = 0;
  let blocks = 0;
  for (const domain of new Set([...RUNTIME_DOMAINS, ...(keeps.domains ?? [])])) {
    for (const key of storage.kv.keys(domain)) {
      storage.kv.delete(domain, key);
      keys++;
    }
  }
  for (const name of new Set(keeps.partitions ?? [])) {
    const partition: FlashPartition | undefined = storage.partition(name);
    if (!partition) continue;
    const count = Math.ceil(partition.byteLength / partition.blockSize);
    for (let block = 0; block < count; block++) partition.erase(block);
    blocks += count;
  }
  if (!storage.eraseKeyValue) return { keys, blocks, wiped: false, lost: 0 };
  const before = storage.kv;
  const kept = KEPT_BY_RESET.flatMap((domain) => before.keys(domain).map((key) => ({ domain, key, value: before.get(domain, key) })));
  let wiped = false;
  try {
    storage.eraseKeyValue();
    wiped = true;
  } catch {
    // The keys are deleted already: only their residue stays in flash.
  }
  // Written back after a failed erase too: whatever it left, these must hold.
  let lost = 0;
  for (const { domain, key, value } of kept) {
    try {
      if (value !== undefined) storage.kv.set(domain, key, value);
    } catch {
      lost++;
    }
  }
  return { keys, blocks, wiped, lost };
}
