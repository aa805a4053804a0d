// What an installer writes into the key-value store (domain `prov`) before the device first boots, and the rules
// it must meet (docs/protocol.md §11): outside loopback a device connects over TLS with its own user name and
// password, unless the lab setting `prov/insecure` says otherwise, which the device then reports in its birth.
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
  /**
   * Lab setting: allows plain MQTT and/or no credentials to a broker outside loopback. Read back as true only when
   * the device really uses that allowance; its birth then says `insecure: true`.
   */
  insecure?: boolean;
}

/** The MQTT client id: `site.device` (dots never occur in ids), so devices of two sites never collide on a broker. */
export function clientIdOf(provisioning: Pick<Provisioning, 'site' | 'device'>): string {
  return `${provisioning.site}.${provisioning.device}`;
}

/** 127.0.0.0/8, `localhost` or `::1`: a broker on the device's own machine (the simulator, tests). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name === 'localhost.' || name === '::1' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}

/** The provisioning record, or the reason the device cannot connect yet. */
export function readProvisioning(kv: KeyValueStore): Provisioning | string {
  return provisioningFrom((key) => kv.get(PROVISIONING_DOMAIN, key));
}

/** The same rules over any source of `prov` values (the settings on trial overlay the stored ones). */
export function provisioningFrom(get: (key: string) => unknown): Provisioning | string {
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
  const insecure = get('insecure');
  if (insecure !== undefined && typeof insecure !== 'boolean') return 'prov/insecure must be true or false';
  if (isLoopbackHost(host)) return { ...provisioning, ...tls };
  // Outside loopback the broker is on a network: per-device credentials and TLS, or the lab setting.
  const credentials = typeof user === 'string' && user.length > 0 && typeof pass === 'string' && pass.length > 0;
  const gaps = [
    ...(credentials ? [] : ['prov/user and prov/pass (this device\'s own credentials)']),
    ...(tls.tls === true ? [] : ['prov/tls true']),
  ];
  if (gaps.length === 0) return { ...provisioning, ...tls };
  if (insecure !== true) {
    return `prov/host ${host} is not loopback: it needs ${gaps.join(' and ')}, or prov/insecure true for a lab broker`;
  }
  return { ...provisioning, ...tls, insecure: true };
}

/** What the lab setting allowed, for the log: e.g. "plain MQTT, no credentials". */
export function insecurity(provisioning: Provisioning): string {
  const credentials = (provisioning.user ?? '').length > 0 && (provisioning.pass ?? '').length > 0;
  return [...(provisioning.tls === true ? [] : ['plain MQTT']), ...(credentials ? [] : ['no credentials'])].join(', ');
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
