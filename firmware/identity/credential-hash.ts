// Keyed hashes of credentials (docs/protocol.md §14.4): the device and the platform compute the same HMAC-SHA256
// with the site's hash key (site-keys.ts), so no list, flash or event ever holds a raw card UID, QR code or PIN.
// Any device that identifies a resident uses these.
//   credential hash = HMAC(hashKey, kindByte ‖ secret)            (tag = its first 6 bytes)
//   PIN verifier    = HMAC(hashKey, 0x10|kindByte ‖ u16 BE secret length ‖ secret ‖ PIN)   (its first 5 bytes)
import type { Crypto } from '../../hal/contract/crypto.js';
import { utf8Encode } from '../lib/utf8.js';

/** card: UID or Wiegand id bytes; pin: a PIN-only code; qr: a resident's static QR text. */
export type CredentialKind = 'card' | 'pin' | 'qr';

const KIND_BYTE: Readonly<Record<CredentialKind, number>> = { card: 1, pin: 2, qr: 3 };
const PIN_DOMAIN = 0x10;

function bytesOf(secret: Uint8Array | string): Uint8Array {
  return typeof secret === 'string' ? utf8Encode(secret) : secret;
}

/** The full 32-byte keyed hash of a credential; its first TAG_BYTES are the record's tag. */
export function credentialHash(crypto: Crypto, hashKey: Uint8Array, kind: CredentialKind, secret: Uint8Array | string): Uint8Array {
  const raw = bytesOf(secret);
  const input = new Uint8Array(1 + raw.length);
  input[0] = KIND_BYTE[kind];
  input.set(raw, 1);
  return crypto.hmacSha256(hashKey, input);
}

/** The keyed PIN verifier of a card + PIN credential (32 bytes; the table keeps the first VERIFIER_BYTES). */
export function pinVerifier(crypto: Crypto, hashKey: Uint8Array, kind: CredentialKind, secret: Uint8Array | string, pin: string): Uint8Array {
  const raw = bytesOf(secret);
  const digits = utf8Encode(pin);
  if (raw.length > 0xffff) throw new RangeError('credential: secret too long');
  const input = new Uint8Array(3 + raw.length + digits.length);
  input[0] = PIN_DOMAIN | KIND_BYTE[kind];
  input[1] = raw.length >> 8;
  input[2] = raw.length & 0xff;
  input.set(raw, 3);
  input.set(digits, 3 + raw.length);
  return crypto.hmacSha256(hashKey, input);
}
