// Hashing, randomness and signature checks (Moddable `crypt` and `ecdsa` on the device, node:crypto on the host).

export interface Crypto {
  sha256(data: Uint8Array | string): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array;
  /** Cryptographically strong random bytes. */
  randomBytes(count: number): Uint8Array;
  /**
   * ECDSA P-256 over SHA-256(message): `publicKey` the 65-byte uncompressed point (04‖X‖Y), `signature` the raw
   * 64-byte r‖s. False for any signature that does not verify, of any length. Optional: only builds that check
   * platform signatures (provisioning codes) carry it.
   */
  verifyP256?(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export const P256_PUBLIC_KEY_BYTES = 65;
export const P256_SIGNATURE_BYTES = 64;
/** The order n of P-256's base point: r and s of a signature lie in 1 … n − 1. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * The form checks every binding makes before its verify: an uncompressed 65-byte key, a 64-byte signature with
 * 0 < r, s < n. The Moddable SDK's ECDSA never returns for s = 0 (its modular inverse loops), so this is not
 * optional there.
 */
export function isP256Input(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== P256_PUBLIC_KEY_BYTES || publicKey[0] !== 0x04 || signature.length !== P256_SIGNATURE_BYTES) return false;
  const half = P256_SIGNATURE_BYTES / 2;
  const r = bigIntOf(signature, 0, half);
  const s = bigIntOf(signature, half, P256_SIGNATURE_BYTES);
  return r > 0n && r < P256_ORDER && s > 0n && s < P256_ORDER;
}

function bigIntOf(bytes: Uint8Array, from: number, to: number): bigint {
  let value = 0n;
  for (let i = from; i < to; i++) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}
