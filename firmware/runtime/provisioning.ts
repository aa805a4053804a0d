// What an installer writes into the key-value store (domain `prov`) before the device first boots.
import type { KeyValueStore } from '../../hal/contract/index.js';
import { isValidId } from '../protocol/topics.js';

export const PROVISIONING_DOMAIN = 'prov';

export interface Provisioning {
  site: string;
  device: string;
  host: string;
  port: number;
  user?: string;
  pass?: string;
  /** Use TLS (requires a binding that supports it). */
  tls?: boolean;
}

/** The provisioning record, or the reason the device cannot connect yet. */
export function readProvisioning(kv: KeyValueStore): Provisioning | string {
  const get = (key: string) => kv.get(PROVISIONING_DOMAIN, key);
  const site = get('site');
  const device = get('device');
  const host = get('host');
  const port = get('port');
  if (typeof site !== 'string' || !isValidId(site)) return 'prov/site missing or not a valid id';
  if (typeof device !== 'string' || !isValidId(device)) return 'prov/device missing or not a valid id';
  if (typeof host !== 'string' || host.length === 0) return 'prov/host missing';
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return 'prov/port missing or out of range';
  const provisioning: Provisioning = { site, device, host, port };
  const user = get('user');
  const pass = get('pass');
  const tls = get('tls');
  if (typeof user === 'string') provisioning.user = user;
  if (typeof pass === 'string') provisioning.pass = pass;
  if (tls === true) provisioning.tls = true;
  return provisioning;
}

export function writeProvisioning(kv: KeyValueStore, provisioning: Provisioning): void {
  for (const [key, value] of Object.entries(provisioning)) if (value !== undefined) kv.set(PROVISIONING_DOMAIN, key, value);
}
