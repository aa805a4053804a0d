// The secrets of a provisioning code (MQTT password, site keys) sealed to one device: anyone can read a QR code
// over an installer's shoulder, so they travel encrypted to the device's setup secret (the text on its label,
// also its setup access point's password, kept by the platform's inventory). Encrypt-then-MAC with HMAC-SHA256
// only, which the HAL has on every engine:
//   encKey = HMAC(secret, "CTP1 enc" ‖ codeId)   macKey = HMAC(secret, "CTP1 mac" ‖ codeId)
//   keystream block i = HMAC(encKey, u32 i)       (counter mode; the random code id makes each stream unique)
//   MAC = first 16 bytes of HMAC(macKey, record up to the MAC), under the platform's signature.
// A code sealed for another device fails the MAC, so it is refused as "not for this device" before any byte of it
// is decrypted or used. Shared by the device (open) and the platform's encoder (seal).
import { sameBytes } from '../lib/bytes.js';
import { utf8Encode } from '../lib/utf8.js';
import { SEAL_MAC_BYTES } from './code-layout.js';

export type Hmac = (key: Uint8Array, data: Uint8Array) => Uint8Array;

const BLOCK_BYTES = 32;

export interface SealKeys {
  readonly encKey: Uint8Array;
  readonly macKey: Uint8Array;
}

export function sealKeys(hmac: Hmac, setupSecret: string, codeId: Uint8Array): SealKeys {
  const secret = utf8Encode(setupSecret);
  return { encKey: hmac(secret, labelled('CTP1 enc', codeId)), macKey: hmac(secret, labelled('CTP1 mac', codeId)) };
}

/** XORs the keystream over `data` (encrypts and decrypts alike). */
export function applyKeystream(hmac: Hmac, keys: SealKeys, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const counter = new Uint8Array(4);
  for (let block = 0; block * BLOCK_BYTES < data.length; block++) {
    counter[0] = block >>> 24;
    counter[1] = (block >>> 16) & 0xff;
    counter[2] = (block >>> 8) & 0xff;
    counter[3] = block & 0xff;
    const stream = hmac(keys.encKey, counter);
    const start = block * BLOCK_BYTES;
    for (let i = 0; i < BLOCK_BYTES && start + i < data.length; i++) out[start + i] = data[start + i]! ^ stream[i]!;
  }
  return out;
}

export function sealMac(hmac: Hmac, keys: SealKeys, covered: Uint8Array): Uint8Array {
  return hmac(keys.macKey, covered).slice(0, SEAL_MAC_BYTES);
}

export function sealMacMatches(hmac: Hmac, keys: SealKeys, covered: Uint8Array, mac: Uint8Array): boolean {
  return sameBytes(sealMac(hmac, keys, covered), mac);
}

function labelled(label: string, codeId: Uint8Array): Uint8Array {
  const prefix = utf8Encode(label);
  const out = new Uint8Array(prefix.length + codeId.length);
  out.set(prefix);
  out.set(codeId, prefix.length);
  return out;
}
