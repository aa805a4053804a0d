// Connection settings that fail roll back (OpenMQTTGateway falls back to the previous credentials; we also say why).
// The `prov` keys are the last good settings (a device provisioned before this existed: the ones it has). New
// settings are staged as one candidate record beside them (`prov/cand`, JSON) and tried at the next connection
// attempt: the first CONNACK with them makes them last good; no CONNACK within TRIAL_MS and the device goes back
// to the `prov` keys and reports why (`lifecycle.settings_reverted`).
//
// Power cuts: each step's first write is one atomic kv set that decides which settings are in force, so a cut
// anywhere leaves either the old or the new set whole:
//   stage    set cand {s: staged}                   (before: old; after: new on trial)
//   promote  set cand {s: promoting} → copy the keys into prov → delete cand   (after the first set: new, always)
//   revert   set cand {s: reverted, why, keys}      → report → delete cand     (after the first set: old, always)
// A half-done promotion or revert is finished at the next boot (recover()). The record lives in `prov`, so a
// factory reset erases it with the rest; a reverted record keeps only key names, never the secrets tried.
import type { Crypto, KeyValueStore } from '../../hal/contract/index.js';
import { VALUE_MAX_BYTES } from '../../hal/contract/index.js';
import { utf8Encode } from '../lib/utf8.js';
import type { CommandMessage } from '../protocol/messages.js';
import { checkSignedCommand } from '../protocol/signed-command.js';
import type { Provisioning } from '../runtime/provisioning.js';
import { PROVISIONING_DOMAIN, provisioningFrom } from '../runtime/provisioning.js';

/** The settings that can be staged: the MQTT provisioning and the Wi-Fi network (hal/moddable/boot.ts joins it). */
export const SETTINGS_KEYS = Object.freeze([
  'site', 'device', 'host', 'port', 'user', 'pass', 'tls', 'ca', 'tlsName', 'insecure', 'wifiSsid', 'wifiPass',
] as const);
export type SettingsKey = (typeof SETTINGS_KEYS)[number];
/** The Wi-Fi keys: changing them needs a restart (the network is joined at boot, before the runtime). */
export const WIFI_SETTINGS: readonly SettingsKey[] = Object.freeze(['wifiSsid', 'wifiPass'] as SettingsKey[]);
/** A change: a value, or null to remove the key (e.g. `ca` when leaving TLS on a loopback broker). */
export type SettingsChange = { readonly [K in SettingsKey]?: string | number | boolean | null };

/**
 * How long new settings get to reach the broker: a slow Wi-Fi join (DHCP included, ~10–20 s on a weak signal),
 * an SNTP sync before TLS can check dates, a TLS handshake (~2–4 s on the ESP32), and the reconnect backoff's first
 * steps after a refused try (1 + 2 + 4 + 8 + 16 + 30 s …) fit several times over; short enough that a device on
 * wrong settings is back on the old ones within minutes. The same bound applies to a desired config.
 */
export const TRIAL_MS = 3 * 60_000;
/** Boots that may start the same trial: a trial cut short by restarts this often is given up. */
export const TRIAL_BOOTS = 2;
/** The durable event of a revert: `{ why, tried: [keys] }`. */
export const SETTINGS_REVERTED = 'lifecycle.settings_reverted';

const CANDIDATE_KEY = 'cand';
/** A string in the kv store: 4000 bytes less NVS's terminating NUL (a 1.5 KB PEM CA fits with room to spare). */
const RECORD_MAX_BYTES = VALUE_MAX_BYTES - 1;
const WIFI_SSID_MAX = 32;
const WIFI_PASS_MIN = 8;
const WIFI_PASS_MAX = 63;

type Record_ =
  | { s: 'staged'; v: SettingsChange; b: number }
  | { s: 'promoting'; v: SettingsChange }
  | { s: 'reverted'; w: string; k: string[] };

/** What a revert reports: why, and which keys were tried (names only). */
export interface SettingsReverted {
  readonly why: string;
  readonly tried: readonly string[];
}

/**
 * Stages `change` (keys of SETTINGS_KEYS) to be tried at the next connection attempt, replacing any staged
 * before. Returns the keys that differ from the last good settings, or why nothing was staged (bad key or value,
 * settings the provisioning rules refuse, nothing different, too large to store).
 */
export function stageSettings(kv: KeyValueStore, change: Readonly<Record<string, unknown>>): readonly string[] | string {
  const problem = checkChange(change);
  if (problem !== undefined) return problem;
  const base = (key: string) => kv.get(PROVISIONING_DOMAIN, key);
  const differs = Object.keys(change).filter((key) => !sameValue(base(key), change[key]));
  if (differs.length === 0) return 'nothing differs from the settings in force';
  const effective = provisioningFrom((key) => overlay(change as SettingsChange, key, base));
  if (typeof effective === 'string') return effective;
  const wifi = checkWifi((key) => overlay(change as SettingsChange, key, base));
  if (wifi !== undefined) return wifi;
  const v: Record<string, unknown> = {};
  for (const key of differs) v[key] = change[key];
  const text = JSON.stringify({ s: 'staged', v, b: 0 });
  if (utf8Encode(text).length > RECORD_MAX_BYTES) return `settings too large to store (over ${RECORD_MAX_BYTES} bytes)`;
  kv.set(PROVISIONING_DOMAIN, CANDIDATE_KEY, text);
  return differs;
}

/** The settings in force: the candidate's over the last good ones while one is staged or being promoted. */
export function effectiveSettings(kv: KeyValueStore): (key: string) => unknown {
  const record = readRecord(kv); // parsed once: the CA makes it kilobytes
  const base = (key: string) => kv.get(PROVISIONING_DOMAIN, key);
  return record && record.s !== 'reverted' ? (key) => overlay(record.v, key, base) : base;
}

/** The provisioning in force (readProvisioning's rules over effectiveSettings). */
export function effectiveProvisioning(kv: KeyValueStore): Provisioning | string {
  return provisioningFrom(effectiveSettings(kv));
}

/** The Wi-Fi network in force, for the boot code that joins it. */
export function effectiveWifi(kv: KeyValueStore): { ssid?: string; password?: string } {
  const get = effectiveSettings(kv);
  const ssid = get('wifiSsid');
  const password = get('wifiPass');
  return {
    ...(typeof ssid === 'string' && ssid !== '' ? { ssid } : {}),
    ...(typeof password === 'string' && password !== '' ? { password } : {}),
  };
}

/**
 * `lifecycle.settings`: `{ target: 0, digest, sig, ...change }`, signed like lifecycle.factory_reset with `digest`
 * as the signed amount. The signature covers only name, reqId, exp, target and amount, so `digest` binds the
 * settings: settingsDigest() keyed with the same command key, which a broker does not have.
 */
export const SETTINGS_COMMAND = 'lifecycle.settings';
const SIGNED_ARGS: readonly string[] = Object.freeze(['target', 'digest', 'sig']);

/** The settings' digest: the first 6 bytes (an exact JS integer) of HMAC-SHA256(key, name LF key=JSON LF …). */
export function settingsDigest(hmac: Crypto['hmacSha256'], key: Uint8Array, change: Readonly<Record<string, unknown>>): number {
  let text = `${SETTINGS_COMMAND}\n`;
  for (const name of SETTINGS_KEYS) if (Object.prototype.hasOwnProperty.call(change, name)) text += `${name}=${JSON.stringify(change[name])}\n`;
  const mac = hmac(key, text);
  let digest = 0;
  for (let i = 0; i < 6; i++) digest = digest * 256 + mac[i]!;
  return digest;
}

/** A lifecycle.settings command's change, or why it is refused (checked from RAM: nothing is written). */
export function checkSettingsCommand(args: Record<string, unknown>, command: CommandMessage, crypto: Crypto, key: Uint8Array | undefined): SettingsChange | string {
  const signed: Record<string, unknown> = {};
  const change: Record<string, unknown> = {};
  for (const name of Object.keys(args)) (SIGNED_ARGS.includes(name) ? signed : change)[name] = args[name];
  const digest = signed.digest;
  if (!Number.isInteger(digest) || (digest as number) < 0) return 'args.digest: expected a non-negative integer';
  const problem = checkSignedCommand(signed, command, {
    target: 'target',
    amount: 'digest',
    checkTarget: (target) => (target === 0 ? undefined : 'args.target: expected 0 (the whole device)'),
    commandKey: () => key,
    sign: (k, text) => crypto.hmacSha256(k, text),
  });
  if (problem !== undefined) return problem;
  // A device moves to another site or name only with a provisioning code, never by one site's command.
  if ('site' in change || 'device' in change) return 'args: site and device cannot be changed by command';
  const bad = checkChange(change);
  if (bad !== undefined) return `args.${bad}`;
  if (settingsDigest(crypto.hmacSha256, key!, change) !== digest) return 'args.digest: does not match the settings';
  return change as SettingsChange;
}

/** The runtime's side: starts, promotes and reverts the staged candidate. */
export class SettingsTrial {
  #kv: KeyValueStore;
  #record: Record_ | undefined;
  #running = false;

  constructor(kv: KeyValueStore) {
    this.#kv = kv;
    this.#record = readRecord(kv);
  }

  /** Settings are staged and not yet proven. */
  get staged(): boolean {
    return this.#record?.s === 'staged';
  }

  /** The trial runs this boot (begin() was called). */
  get running(): boolean {
    return this.#running && this.staged;
  }

  /** The staged keys (names only). */
  get keys(): readonly string[] {
    const record = this.#record;
    return record && record.s !== 'reverted' ? Object.keys(record.v) : [];
  }

  /** The staged settings change the Wi-Fi network (trying them, or going back, needs a restart). */
  get changesWifi(): boolean {
    return this.keys.some((key) => (WIFI_SETTINGS as readonly string[]).includes(key));
  }

  /**
   * At boot: finishes a promotion a power cut interrupted, and returns a revert still to be reported (then call
   * reported()). A trial already started by TRIAL_BOOTS boots is given up here; so are staged settings that no
   * longer pass the provisioning rules.
   */
  recover(): SettingsReverted | undefined {
    const record = this.#record;
    if (record?.s === 'promoting') this.#finishPromotion(record.v);
    else if (record?.s === 'staged') {
      const invalid = effectiveProvisioning(this.#kv);
      if (typeof invalid === 'string') return this.revert(`the new settings are not usable: ${invalid}`);
      if (record.b >= TRIAL_BOOTS) return this.revert(`the device restarted ${record.b} times while trying the new settings`);
    }
    return this.#record?.s === 'reverted' ? { why: this.#record.w, tried: this.#record.k } : undefined;
  }

  /** The trial starts (the first connection attempt with the candidate this boot): counted against TRIAL_BOOTS. */
  begin(): void {
    const record = this.#record;
    if (record?.s !== 'staged' || this.#running) return;
    this.#running = true;
    this.#write({ s: 'staged', v: record.v, b: record.b + 1 });
  }

  /** CONNACK with the candidate: it becomes the last good settings. */
  promote(): readonly string[] {
    const record = this.#record;
    if (record?.s !== 'staged') return [];
    this.#write({ s: 'promoting', v: record.v }); // the commit: from here on the candidate is in force for good
    this.#finishPromotion(record.v);
    this.#running = false;
    return Object.keys(record.v);
  }

  /** No CONNACK within the bound: back to the last good settings. Report the result, then call reported(). */
  revert(why: string): SettingsReverted {
    const tried = this.keys.slice();
    this.#write({ s: 'reverted', w: why.slice(0, 200), k: tried }); // the commit: the old settings are in force
    this.#running = false;
    return { why: why.slice(0, 200), tried };
  }

  /** The revert's event is in the durable outbox: the record goes. */
  reported(): void {
    if (this.#record?.s !== 'reverted') return;
    this.#kv.delete(PROVISIONING_DOMAIN, CANDIDATE_KEY);
    this.#record = undefined;
  }

  #finishPromotion(change: SettingsChange): void {
    for (const key of Object.keys(change) as SettingsKey[]) {
      const value = change[key];
      if (value === null || value === undefined) this.#kv.delete(PROVISIONING_DOMAIN, key);
      else this.#kv.set(PROVISIONING_DOMAIN, key, value);
    }
    this.#kv.delete(PROVISIONING_DOMAIN, CANDIDATE_KEY);
    this.#record = undefined;
  }

  #write(record: Record_): void {
    this.#kv.set(PROVISIONING_DOMAIN, CANDIDATE_KEY, JSON.stringify(record));
    this.#record = record;
  }
}

/** The first problem of a change's keys and value types, or undefined. Values' meaning: provisioningFrom. */
export function checkChange(change: Readonly<Record<string, unknown>>): string | undefined {
  const keys = Object.keys(change);
  if (keys.length === 0) return 'no settings given';
  for (const key of keys) {
    if (!(SETTINGS_KEYS as readonly string[]).includes(key)) return `${key.slice(0, 16)}: not a connection setting`;
    const value = change[key];
    if (value === null) {
      if (key === 'site' || key === 'device' || key === 'host' || key === 'port') return `${key}: cannot be removed`;
      continue;
    }
    const expected = key === 'port' ? 'number' : key === 'tls' || key === 'insecure' ? 'boolean' : 'string';
    if (typeof value !== expected) return `${key}: expected a ${expected}${key === 'site' || key === 'device' || key === 'host' || key === 'port' ? '' : ' or null'}`;
    if (typeof value === 'string' && (value.length === 0 || value.length > RECORD_MAX_BYTES)) return `${key}: empty or too long`;
  }
  return undefined;
}

function checkWifi(get: (key: string) => unknown): string | undefined {
  const ssid = get('wifiSsid');
  const password = get('wifiPass');
  if (ssid !== undefined && (typeof ssid !== 'string' || utf8Encode(ssid).length > WIFI_SSID_MAX)) return `wifiSsid: 1 to ${WIFI_SSID_MAX} bytes`;
  if (password !== undefined) {
    if (ssid === undefined) return 'wifiPass without wifiSsid';
    if (typeof password !== 'string' || password.length < WIFI_PASS_MIN || password.length > WIFI_PASS_MAX) {
      return `wifiPass: ${WIFI_PASS_MIN} to ${WIFI_PASS_MAX} characters (WPA2), or null for an open network`;
    }
  }
  return undefined;
}

function overlay(change: SettingsChange, key: string, base: (key: string) => unknown): unknown {
  if (!Object.prototype.hasOwnProperty.call(change, key)) return base(key);
  const value = change[key as SettingsKey];
  return value === null ? undefined : value;
}

function sameValue(stored: unknown, value: unknown): boolean {
  return value === null ? stored === undefined : stored === value;
}

function readRecord(kv: KeyValueStore): Record_ | undefined {
  const text = kv.get(PROVISIONING_DOMAIN, CANDIDATE_KEY);
  if (typeof text !== 'string') return undefined;
  try {
    const record = JSON.parse(text) as Partial<{ s: unknown; v: unknown; b: unknown; w: unknown; k: unknown }>;
    if ((record.s === 'staged' || record.s === 'promoting') && typeof record.v === 'object' && record.v !== null && checkChange(record.v as Record<string, unknown>) === undefined) {
      const v = record.v as SettingsChange;
      return record.s === 'staged' ? { s: 'staged', v, b: typeof record.b === 'number' ? record.b : 0 } : { s: 'promoting', v };
    }
    if (record.s === 'reverted' && typeof record.w === 'string' && Array.isArray(record.k)) {
      return { s: 'reverted', w: record.w, k: record.k.filter((k): k is string => typeof k === 'string') };
    }
  } catch {
    // Unreadable: ignored; the last good settings stay in force.
  }
  return undefined;
}
