// Hashing, randomness and P-256 signature checks from node:crypto. Results are plain Uint8Arrays, as on the device
// (never Buffers).
import { createHash, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { isP256Input, type Crypto } from '../contract/crypto.js';

function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

export function createHostCrypto(): Crypto {
  return {
    sha256: (data) => plain(createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => plain(createHmac('sha256', key).update(data).digest()),
    randomBytes(count) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`randomBytes: count must be an integer >= 0, got ${count}`);
      return plain(randomBytes(count));
    },
    verifyP256: verifyP256OnHost,
  };
}

/** The same form checks as the device (hal/contract/crypto.ts), then node:crypto; a point off the curve is false. */
export function verifyP256OnHost(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isP256Input(publicKey, signature)) return false;
  const coordinate = (from: number) => Buffer.from(publicKey.subarray(from, from + 32)).toString('base64url');
  try {
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coordinate(1), y: coordinate(33) }, format: 'jwk' });
    return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
