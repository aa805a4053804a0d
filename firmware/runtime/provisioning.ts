// What an installer writes into the key-value store (domain `prov`) before the device first boots.
import type { KeyValueStore, MqttTlsOptions } from '../../hal/contract/index.js';
import { isValidId } from '../protocol/topics.js';
import { parseCaCertificate } from './ca-certificate.js';

export const PROVISIONING_DOMAIN = 'prov';

/** The MQTT port conventions: 1883 plain, 8883 over TLS (`port` is always provisioned explicitly). */
export const MQTT_PORT = 1883;
export const MQTTS_PORT = 8883;

export interface Provisioning {
  site: string;
  device: string;
  host: string;
  port: number;
  user?: string;
  pass?: string;
  /** Connect over TLS; then `ca` is required. */
  tls?: boolean;
  /** The CA certificate the broker's certificate must chain to: PEM text or DER bytes (read back as DER). */
  ca?: string | ArrayBuffer;
  /** Name the broker's certificate carries, when it differs from `host` (e.g. `host` is an IP address). */
  tlsName?: string;
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
  if (typeof user === 'string') provisioning.user = user;
  if (typeof pass === 'string') provisioning.pass = pass;
  const tls = readTls(get('tls'), get('ca'), get('tlsName'));
  // The MQTT-over-TLS port without TLS would send the user name and password in the clear before the broker
  // drops the connection: almost certainly a forgotten prov/tls.
  if (typeof tls !== 'string' && tls.tls !== true && port === MQTTS_PORT) return `prov/port ${MQTTS_PORT} is MQTT over TLS but prov/tls is not true`;
  if (typeof tls === 'string') return tls;
  return { ...provisioning, ...tls };
}

/**
 * The TLS part. Never falls back to plain TCP: TLS settings without `tls` = true, or `tls` without a usable CA,
 * are errors, so a provisioning mistake cannot send residents' data in the clear or to an unchecked broker.
 */
function readTls(tls: unknown, ca: unknown, tlsName: unknown): Pick<Provisioning, 'tls' | 'ca' | 'tlsName'> | string {
  if (tls !== undefined && typeof tls !== 'boolean') return 'prov/tls must be true or false';
  if (tls !== true) {
    if (ca !== undefined || tlsName !== undefined) return 'prov/ca or prov/tlsName is set but prov/tls is not true';
    return {};
  }
  if (ca === undefined) return 'prov/tls is true but prov/ca (the broker\'s CA certificate, PEM or DER) is missing';
  const der = parseCaCertificate(ca);
  if (typeof der === 'string') return `prov/ca: ${der}`;
  const result: Pick<Provisioning, 'tls' | 'ca' | 'tlsName'> = { tls: true, ca: der.slice().buffer as ArrayBuffer };
  if (tlsName !== undefined) {
    if (typeof tlsName !== 'string' || !isHostName(tlsName)) return 'prov/tlsName must be a DNS name or IPv4 address';
    result.tlsName = tlsName;
  }
  return result;
}

function isHostName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name);
}

/** The connect options' TLS part for a provisioning record with `tls` = true. */
export function tlsOptions(provisioning: Provisioning): MqttTlsOptions {
  const ca = provisioning.ca === undefined ? undefined : parseCaCertificate(provisioning.ca);
  if (typeof ca === 'string') throw new Error(`prov/ca: ${ca}`);
  return { ...(ca ? { ca } : {}), ...(provisioning.tlsName ? { serverName: provisioning.tlsName } : {}) };
}

export function writeProvisioning(kv: KeyValueStore, provisioning: Provisioning): void {
  for (const [key, value] of Object.entries(provisioning)) if (value !== undefined) kv.set(PROVISIONING_DOMAIN, key, value);
}
