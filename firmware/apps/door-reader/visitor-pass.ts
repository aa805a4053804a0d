// Visitor QR passes: a token the platform signs with the site's pass key and the door verifies offline.
//
//   text = "CTV1." + base32(body ‖ mac)            61 characters, all in the QR alphanumeric set
//   body (19 bytes, big-endian):
//     0  u8   format version = 1
//     1  u8   key id (which site pass key signed it)
//     2  u32  pass id (unique per site: the use counter's key)
//     6  u32  doors: bit d set = valid at door d (0–31), as in credential profiles
//    10  u32  valid from, Unix seconds (inclusive)
//    14  u32  valid to, Unix seconds (inclusive)
//    18  u8   use limit (0 = no limit within the window)
//   mac = first 16 bytes of HMAC-SHA256(pass key, body)
//
// The device only verifies; the platform's encoder (scripts/door/visitor-pass.ts) shares the layout below.
import type { Crypto } from '../../../hal/contract/index.js';
import { base32Decode, base32Encode } from '../../lib/base32.js';
import { sameBytes } from '../../lib/bytes.js';

export const PASS_PREFIX = 'CTV1.';
const PASS_VERSION = 1;
export const PASS_BODY_BYTES = 19;
export const PASS_MAC_BYTES = 16;

export interface VisitorPass {
  keyId: number;
  passId: number;
  /** Bit d = door d. */
  doors: number;
  /** Unix seconds, inclusive. */
  validFrom: number;
  validTo: number;
  /** 0 = unlimited. */
  maxUses: number;
}

export interface PassKey {
  id: number;
  key: Uint8Array;
}

export type PassReading = { ok: true; pass: VisitorPass } | { ok: false; reason: 'not_a_pass' | 'forged' };

export function isPassText(text: string): boolean {
  return text.startsWith(PASS_PREFIX);
}

/** Checks a scanned text's form and signature. Validity window, door and uses are the decision's business. */
export function readPass(text: string, key: PassKey | undefined, crypto: Crypto): PassReading {
  if (!isPassText(text)) return { ok: false, reason: 'not_a_pass' };
  const bytes = base32Decode(text.slice(PASS_PREFIX.length));
  if (!bytes || bytes.length !== PASS_BODY_BYTES + PASS_MAC_BYTES || bytes[0] !== PASS_VERSION) return { ok: false, reason: 'forged' };
  if (!key || bytes[1] !== key.id) return { ok: false, reason: 'forged' };
  const body = bytes.subarray(0, PASS_BODY_BYTES);
  const mac = crypto.hmacSha256(key.key, body).subarray(0, PASS_MAC_BYTES);
  if (!sameBytes(mac, bytes.subarray(PASS_BODY_BYTES))) return { ok: false, reason: 'forged' };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    ok: true,
    pass: {
      keyId: body[1]!,
      passId: view.getUint32(2),
      doors: view.getUint32(6),
      validFrom: view.getUint32(10),
      validTo: view.getUint32(14),
      maxUses: body[18]!,
    },
  };
}

/** The signed part of a pass (the platform's encoder signs it; tests forge with it). */
export function passBody(pass: VisitorPass): Uint8Array {
  const body = new Uint8Array(PASS_BODY_BYTES);
  const view = new DataView(body.buffer);
  body[0] = PASS_VERSION;
  body[1] = checkField('keyId', pass.keyId, 0xff);
  view.setUint32(2, checkField('passId', pass.passId, 0xffff_ffff));
  view.setUint32(6, checkField('doors', pass.doors, 0xffff_ffff));
  view.setUint32(10, checkField('validFrom', pass.validFrom, 0xffff_ffff));
  view.setUint32(14, checkField('validTo', pass.validTo, 0xffff_ffff));
  body[18] = checkField('maxUses', pass.maxUses, 0xff);
  return body;
}

/** Text of a pass from its body and MAC. */
export function passText(body: Uint8Array, mac: Uint8Array): string {
  const bytes = new Uint8Array(PASS_BODY_BYTES + PASS_MAC_BYTES);
  bytes.set(body.subarray(0, PASS_BODY_BYTES));
  bytes.set(mac.subarray(0, PASS_MAC_BYTES), PASS_BODY_BYTES);
  return PASS_PREFIX + base32Encode(bytes);
}

function checkField(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`pass: ${name} must be an integer 0…${max}, got ${value}`);
  return value;
}
