// Factory reset (ETSI EN 303 645 5.11): a device leaving a site takes none of its residents' data or the site's
// secrets with it. Asked by a signed command (the site command key) or by holding the service button; the device
// first says so (a durable `device.erasing` event, waited for until the broker has it, boundedly), then erases
// every key-value domain it and its app keep — provisioning, keys, credentials, settings, counters — and every
// flash partition (events, credential lists), and restarts unprovisioned.
import type { Crypto, FlashPartition, KeyValueStore, Storage } from '../../hal/contract/index.js';
import { COMMAND_KEY, readSiteKey } from '../identity/site-keys.js';
import type { CommandMessage } from '../protocol/messages.js';
import { checkSignedCommand } from '../protocol/signed-command.js';

export const FACTORY_RESET = 'lifecycle.factory_reset';
/** The key-value domains the runtime and the shared services keep (apps name theirs: DeviceApp.keeps). */
export const RUNTIME_DOMAINS: readonly string[] = Object.freeze(['prov', 'cred', 'cfg', 'cmd', 'chain', 'sys']);
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

/** Erases what is kept: every key of each domain, every block of each partition. Returns what went. */
export function eraseKept(storage: Storage, keeps: Keeps): { keys: number; blocks: number } {
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
  return { keys, blocks };
}
