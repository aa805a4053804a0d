// Hashing and randomness (Moddable `crypt` on the device, node:crypto on the host).

export interface Crypto {
  sha256(data: Uint8Array | string): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array;
  /** Cryptographically strong random bytes. */
  randomBytes(count: number): Uint8Array;
}
