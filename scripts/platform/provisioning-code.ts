// The platform's side of provisioning codes (docs/protocol.md §17): makes the signed, sealed code text a device
// applies (firmware/lifecycle/provisioning-code.ts), with the device's own layout, seal and per-model key map, so
// the two cannot drift; signs with node:crypto. Also the platform's key pair and its ledger of issued codes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { base32Encode } from '../../firmware/lib/base32.js';
import { CODE_ID_BYTES, CODE_MAX_CHARS, CODE_PREFIX, encodeHeader, encodeSecrets, type CodeHeader, type CodeKeyName } from '../../firmware/lifecycle/code-layout.js';
import { applyKeystream, sealKeys, sealMac, type Hmac } from '../../firmware/lifecycle/code-seal.js';
import { keysOfModel } from '../../firmware/lifecycle/model-keys.js';
import { createHostCrypto } from '../../hal/host/crypto.js';

/** The site keys a code can carry (the site keys file's names; passKeyId a number). */
export type CodeKeys = Partial<Record<Exclude<CodeKeyName, 'passKeyId'>, Uint8Array>> & { passKeyId?: number };

/** What a code says in the clear (the device's CodeHeader, with tlsName and the CA optional) and what it seals. */
export interface CodeRequest extends Omit<CodeHeader, 'codeId' | 'tlsName' | 'ca'> {
  tlsName?: string;
  /** The broker's CA certificate, DER. */
  ca?: Uint8Array;
  user: string;
  pass: string;
  keys: CodeKeys;
  /** The device's label secret (the platform's inventory). */
  setupSecret: string;
  /** Default: 16 random bytes. */
  codeId?: Uint8Array;
}

const hmac: Hmac = (() => {
  const crypto = createHostCrypto();
  return (key, data) => crypto.hmacSha256(key, data);
})();

/** The code's text ("CTP1." + base32). Throws Error naming what is missing or too large. */
export function makeProvisioningCode(request: CodeRequest, signingKey: KeyObject): { text: string; codeId: string } {
  const placements = keysOfModel(request.model);
  if (!placements) throw new Error(`no key map for model ${request.model}`);
  const keys = placements.map((placement) => {
    if (placement.code === 'passKeyId') {
      if (request.keys.passKeyId === undefined) throw new Error('a door reader needs passKeyId');
      return { name: placement.code, value: Uint8Array.of(request.keys.passKeyId) };
    }
    const value = request.keys[placement.code];
    if (!value) throw new Error(`a ${request.model} needs ${placement.code}`);
    return { name: placement.code, value };
  });
  const codeId = request.codeId ?? new Uint8Array(randomBytes(CODE_ID_BYTES));
  const header: CodeHeader = {
    codeId, issuedAt: request.issuedAt, expiresAt: request.expiresAt, model: request.model, site: request.site, device: request.device,
    host: request.host, port: request.port, tls: request.tls, tlsName: request.tlsName ?? '', ca: request.ca ?? new Uint8Array(0),
  };
  const seal = sealKeys(hmac, request.setupSecret, codeId);
  const macCovers = encodeHeader(header, applyKeystream(hmac, seal, encodeSecrets({ user: request.user, pass: request.pass, keys })));
  const signed = concat(macCovers, sealMac(hmac, seal, macCovers));
  const signature = new Uint8Array(sign('sha256', signed, { key: signingKey, dsaEncoding: 'ieee-p1363' }));
  const text = CODE_PREFIX + base32Encode(concat(signed, signature));
  if (text.length > CODE_MAX_CHARS) throw new Error(`the code is ${text.length} characters: a QR code holds ${CODE_MAX_CHARS} (a smaller CA certificate?)`);
  return { text, codeId: Buffer.from(codeId).toString('hex') };
}

/** A new platform signing key: PKCS#8 PEM (secret) and the public point as the build's `provisioningKey` hex. */
export function newProvisioningKeyPair(): { privatePem: string; publicHex: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicHex: publicKeyHex(privateKey) };
}

/** A PEM private key (P-256 only); throws Error with the reason. */
export function readSigningKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not a P-256 private key');
  return key;
}

/** 130 hex digits: 04‖X‖Y, what a build's config `provisioningKey` holds. */
export function publicKeyHex(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return `04${Buffer.from(jwk.x!, 'base64url').toString('hex')}${Buffer.from(jwk.y!, 'base64url').toString('hex')}`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ---- the ledger: every code issued, and which were applied (single use on the platform's side too) ----

export interface LedgerEntry {
  id: string;
  site: string;
  device: string;
  model: string;
  issuedAt: number;
  expiresAt: number;
  /** Unix seconds when a device first reported applying it. */
  appliedAt?: number;
}

export interface CodeLedger {
  codes: LedgerEntry[];
}

export function readLedger(path: string): CodeLedger {
  if (!existsSync(path)) return { codes: [] };
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof json !== 'object' || json === null || !Array.isArray((json as CodeLedger).codes)) throw new Error(`${path}: not a provisioning code ledger`);
  return json as CodeLedger;
}

/** Written whole to a temporary file and renamed over the old one, so a crash never leaves half a ledger. */
export function writeLedger(path: string, ledger: CodeLedger): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function recordIssued(path: string, entry: LedgerEntry): void {
  const ledger = readLedger(path);
  if (ledger.codes.some((code) => code.id === entry.id)) throw new Error(`code id ${entry.id} was issued before`);
  writeLedger(path, { codes: [...ledger.codes, entry] });
}

/**
 * A device reports applying code `id` (its birth after provisioning): 'ok' the first time, 'reused' after, 'unknown'
 * for an id the platform never issued, 'wrong_device' for a code issued to another device.
 */
export function recordApplied(path: string, id: string, site: string, device: string, now: number): 'ok' | 'reused' | 'unknown' | 'wrong_device' {
  const ledger = readLedger(path);
  const entry = ledger.codes.find((code) => code.id === id);
  if (!entry) return 'unknown';
  if (entry.site !== site || entry.device !== device) return 'wrong_device';
  if (entry.appliedAt !== undefined) return 'reused';
  entry.appliedAt = now;
  writeLedger(path, ledger);
  return 'ok';
}
