// A provisioning code applied on the device (docs/protocol.md §17): the platform's signed, expiring, single-use
// token that carries the site, the device's id, its broker and TLS CA, its MQTT credentials and the site keys its
// model takes. Checked in full before anything is written:
//   form → signature (the platform's P-256 key, build data) → model → time → single use → sealed to this device
//   → secrets → the provisioning rules (provisioning.ts) → written.
// Time: with trusted wall time a code outside [issuedAt − skew, expiresAt] is refused. Without it (a device being
// set up has no network yet, and time comes from the network) the code is accepted and the outcome says the time
// went unchecked: the code is sealed to this device, used at most once, and never older than one already applied,
// so an old code replays nothing a holder of the device's label could not do anyway.
// Single use: the ids of the last codes applied and the newest issue time live in `setup/codes`, a domain factory
// reset does not erase (a reset device must still refuse the code it was set up with); so is `setup/secret`, the
// label's setup secret written when the device is flashed.
import type { Crypto, KeyValueStore, StoredValue } from '../../hal/contract/index.js';
import { base32Decode } from '../lib/base32.js';
import { sameBytes } from '../lib/bytes.js';
import { fromHex, toHex } from '../lib/hex.js';
import { readProvisioning, PROVISIONING_DOMAIN, type Provisioning } from '../runtime/provisioning.js';
import { CODE_ID_BYTES, CODE_MAX_CHARS, CODE_PREFIX, decodeRecord, decodeSecrets, type CodeHeader, type CodeSecrets } from './code-layout.js';
import { applyKeystream, sealKeys, sealMacMatches, type Hmac } from './code-seal.js';
import { keyFormProblem, keysOfModel, type KeyPlacement } from './model-keys.js';

export const SETUP_DOMAIN = 'setup';
export const SETUP_SECRET_KEY = 'secret';
/** `setup/applied`: the hex id of the code applied last, until the device has said so (PROVISIONED_EVENT). */
export const APPLIED_KEY = 'applied';
/** The durable event a device sends once it reached its broker on a new code: `{ codeId }` (docs/protocol.md §17). */
export const PROVISIONED_EVENT = 'lifecycle.provisioned';
const LEDGER_KEY = 'codes';
/** Code ids remembered; older ones are refused by their issue time (never older than the newest applied). */
const LEDGER_IDS = 8;
/** How far a code's issue time may lie ahead of the device's trusted clock (the platform's clock is not ours). */
export const CLOCK_SKEW_S = 300;

export type CodeRefusal =
  | 'oversize' | 'malformed' | 'unsupported' | 'no_key' | 'forged' | 'wrong_model' | 'expired' | 'not_yet_valid' | 'stale'
  | 'reused' | 'no_setup_secret' | 'not_for_this_device' | 'invalid_settings';

export type CodeOutcome =
  | { ok: true; codeId: string; site: string; device: string; expiresAt: number; timeChecked: boolean }
  | { ok: false; reason: CodeRefusal; detail: string };

export interface CodeContext {
  kv: KeyValueStore;
  crypto: Crypto;
  /** This device's model (DeviceApp's). */
  model: string;
  /** The platform's public key (build config `provisioningKey`, parseProvisioningKey), undefined when there is none. */
  provisioningKey: Uint8Array | undefined;
  /** Trusted wall time, Unix seconds; undefined while the device has none. */
  now: number | undefined;
}

/** The build's `provisioningKey` (130 hex digits: 04‖X‖Y), or undefined when it is missing or malformed. */
export function parseProvisioningKey(hex: unknown): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length !== 130) return undefined;
  try {
    const key = fromHex(hex);
    return key[0] === 0x04 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The setup secret on the device's label, or undefined before the device was flashed with one. */
export function readSetupSecret(kv: KeyValueStore): string | undefined {
  const secret = kv.get(SETUP_DOMAIN, SETUP_SECRET_KEY);
  return typeof secret === 'string' && secret.length > 0 ? secret : undefined;
}

/** Checks `text` in full and, only when every check passed, writes what it carries. */
export function applyProvisioningCode(text: string, context: CodeContext): CodeOutcome {
  const checked = checkProvisioningCode(text, context);
  if (!checked.ok) return checked;
  const { header, provisioning, keys, timeChecked } = checked;
  const kv = context.kv;
  // The id first: a power cut after it costs the installer a new code, never a second use of this one.
  rememberCode(kv, header);
  // Said once over MQTT when the device first reaches its broker on this code (setup.ts): the platform's ledger.
  kv.set(SETUP_DOMAIN, APPLIED_KEY, toHex(header.codeId));
  // prov/site goes first and comes back last: a cut in between leaves the device unprovisioned, never a mix.
  kv.delete(PROVISIONING_DOMAIN, 'site');
  for (const key of kv.keys(PROVISIONING_DOMAIN)) if (!(key in provisioning)) kv.delete(PROVISIONING_DOMAIN, key);
  for (const { placement, value } of keys) kv.set(placement.domain, placement.key, placement.form === 'id' ? value[0]! : value.slice().buffer as ArrayBuffer);
  for (const [key, value] of Object.entries(provisioning) as Array<[string, StoredValue | undefined]>) {
    if (key !== 'site' && value !== undefined) kv.set(PROVISIONING_DOMAIN, key, value);
  }
  kv.set(PROVISIONING_DOMAIN, 'site', provisioning.site);
  return { ok: true, codeId: toHex(header.codeId), site: provisioning.site, device: provisioning.device, expiresAt: header.expiresAt, timeChecked };
}

type Checked =
  | { ok: true; header: CodeHeader; provisioning: Provisioning; keys: Array<{ placement: KeyPlacement; value: Uint8Array }>; timeChecked: boolean }
  | { ok: false; reason: CodeRefusal; detail: string };

const refuse = (reason: CodeRefusal, detail: string): { ok: false; reason: CodeRefusal; detail: string } => ({ ok: false, reason, detail });

/** Every check of applyProvisioningCode, writing nothing. */
export function checkProvisioningCode(input: string, context: CodeContext): Checked {
  if (typeof input !== 'string') return refuse('malformed', 'not text');
  if (input.length > CODE_MAX_CHARS + 2) return refuse('oversize', `${input.length} characters: a code has at most ${CODE_MAX_CHARS}`);
  const text = input.replace(/\r?\n$/, ''); // scanners end a read with a line break
  if (text.length > CODE_MAX_CHARS) return refuse('oversize', `${text.length} characters: a code has at most ${CODE_MAX_CHARS}`);
  if (!text.startsWith(CODE_PREFIX)) return text.startsWith('CTP') ? refuse('unsupported', 'a provisioning code of another format version') : refuse('malformed', `not a provisioning code (no ${CODE_PREFIX} prefix)`);
  const bytes = base32Decode(text.slice(CODE_PREFIX.length));
  if (!bytes) return refuse('malformed', 'not base32 (A–Z, 2–7)');
  const record = decodeRecord(bytes);
  if (typeof record === 'string') return refuse(record.startsWith('unsupported') ? 'unsupported' : 'malformed', record);
  const { header } = record;

  const verify = context.crypto.verifyP256;
  if (!context.provisioningKey || !verify) return refuse('no_key', 'this build has no provisioning key: it takes no provisioning code');
  if (!verify.call(context.crypto, context.provisioningKey, record.signed, record.signature)) return refuse('forged', 'the platform\'s signature does not verify');

  if (header.model !== context.model) return refuse('wrong_model', `made for a ${header.model}, this is a ${context.model}`);
  const placements = keysOfModel(header.model);
  if (!placements) return refuse('wrong_model', `this build has no key map for ${header.model}`);
  if (header.expiresAt <= header.issuedAt) return refuse('malformed', 'expires before it was issued');
  const timeChecked = context.now !== undefined;
  if (context.now !== undefined) {
    if (context.now > header.expiresAt) return refuse('expired', `expired ${context.now - header.expiresAt} s ago`);
    if (header.issuedAt > context.now + CLOCK_SKEW_S) return refuse('not_yet_valid', `issued ${header.issuedAt - context.now} s in the future`);
  }
  const ledger = readLedger(context.kv);
  if (ledger.ids.some((id) => sameBytes(id, header.codeId))) return refuse('reused', 'this device already applied this code');
  if (header.issuedAt < ledger.newestIssuedAt) return refuse('stale', 'older than a code this device already applied');

  const setupSecret = readSetupSecret(context.kv);
  if (setupSecret === undefined) return refuse('no_setup_secret', 'this device has no setup secret (setup/secret): it was not flashed for provisioning codes');
  const hmac: Hmac = (key, data) => context.crypto.hmacSha256(key, data);
  const keys = sealKeys(hmac, setupSecret, header.codeId);
  if (!sealMacMatches(hmac, keys, record.macCovers, record.sealMac)) return refuse('not_for_this_device', 'sealed to another device\'s setup secret');
  const secrets = decodeSecrets(applyKeystream(hmac, keys, record.sealedSecrets));
  if (typeof secrets === 'string') return refuse('malformed', secrets);

  const placed = placeKeys(placements, secrets);
  if (typeof placed === 'string') return refuse('malformed', placed);
  const provisioning = provisioningOf(header, secrets);
  const problem = readProvisioning(scratchStore(provisioning));
  if (typeof problem === 'string') return refuse('invalid_settings', problem);
  return { ok: true, header, provisioning, keys: placed, timeChecked };
}

function placeKeys(placements: readonly KeyPlacement[], secrets: CodeSecrets): Array<{ placement: KeyPlacement; value: Uint8Array }> | string {
  const extra = secrets.keys.find((key) => !placements.some((placement) => placement.code === key.name));
  if (extra) return `carries ${extra.name}, which this model does not take`;
  const placed: Array<{ placement: KeyPlacement; value: Uint8Array }> = [];
  for (const placement of placements) {
    const key = secrets.keys.find((candidate) => candidate.name === placement.code);
    if (!key) return `lacks ${placement.code}`;
    const problem = keyFormProblem(placement, key.value);
    if (problem) return problem;
    placed.push({ placement, value: key.value });
  }
  return placed;
}

/** What `prov` will hold. Never the lab setting `insecure`: a code is for a real site. */
function provisioningOf(header: CodeHeader, secrets: CodeSecrets): Provisioning {
  return {
    site: header.site,
    device: header.device,
    host: header.host,
    port: header.port,
    ...(secrets.user.length > 0 ? { user: secrets.user } : {}),
    ...(secrets.pass.length > 0 ? { pass: secrets.pass } : {}),
    ...(header.tls ? { tls: true } : {}),
    ...(header.ca.length > 0 ? { ca: header.ca.slice().buffer as ArrayBuffer } : {}),
    ...(header.tlsName.length > 0 ? { tlsName: header.tlsName } : {}),
  };
}

/** `prov` as it would read once written, for readProvisioning's verdict before anything is. */
function scratchStore(provisioning: Provisioning): KeyValueStore {
  const values = provisioning as unknown as Record<string, StoredValue | undefined>;
  return {
    get: (domain, key) => (domain === PROVISIONING_DOMAIN && Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined),
    set: () => { throw new Error('read only'); },
    delete: () => { throw new Error('read only'); },
    keys: (domain) => (domain === PROVISIONING_DOMAIN ? Object.keys(values) : []),
  };
}

interface Ledger {
  newestIssuedAt: number;
  /** Newest first. */
  ids: Uint8Array[];
}

/** `setup/codes`: u32 newest issue time, then up to LEDGER_IDS code ids, newest first. */
function readLedger(kv: KeyValueStore): Ledger {
  const value = kv.get(SETUP_DOMAIN, LEDGER_KEY);
  if (!(value instanceof ArrayBuffer) || value.byteLength < 4 || (value.byteLength - 4) % CODE_ID_BYTES !== 0) return { newestIssuedAt: 0, ids: [] };
  const bytes = new Uint8Array(value);
  const ids: Uint8Array[] = [];
  for (let at = 4; at < bytes.length; at += CODE_ID_BYTES) ids.push(bytes.slice(at, at + CODE_ID_BYTES));
  return { newestIssuedAt: new DataView(value).getUint32(0), ids };
}

function rememberCode(kv: KeyValueStore, header: CodeHeader): void {
  const ledger = readLedger(kv);
  const ids = [header.codeId, ...ledger.ids].slice(0, LEDGER_IDS);
  const bytes = new Uint8Array(4 + ids.length * CODE_ID_BYTES);
  new DataView(bytes.buffer).setUint32(0, Math.max(ledger.newestIssuedAt, header.issuedAt));
  ids.forEach((id, index) => bytes.set(id, 4 + index * CODE_ID_BYTES));
  kv.set(SETUP_DOMAIN, LEDGER_KEY, bytes.buffer);
}
