// Hashing and randomness from node:crypto. Results are plain Uint8Arrays, as on the device (never Buffers).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Crypto } from '../contract/crypto.js';

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
  };
}
