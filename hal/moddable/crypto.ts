// Hashing over Moddable "crypt" (Digest), random bytes from the chip's RNG, and P-256 signature checks over the
// SDK's "ecdsa" (modules/crypt/etc; every build has it: the TLS socket's tls_common.json brings it, natively
// accelerated point arithmetic in arith/ec.c).
import { Digest } from 'crypt';
import Curve from 'curve';
import ECDSA from 'ecdsa';
import ECPoint from 'ecp';
import { isP256Input, type Crypto } from '../contract/crypto.js';
import type { TextCodec } from './text.js';

export class ModdableCrypto implements Crypto {
  #codec: TextCodec;

  constructor(codec: TextCodec) {
    this.#codec = codec;
  }

  sha256(data: Uint8Array | string): Uint8Array {
    const digest = new Digest('SHA256');
    digest.write(this.#bytes(data));
    return new Uint8Array(digest.close());
  }

  /** RFC 2104 over Digest; the SDK's own HMAC (crypt/etc/hmac.js) is TLS-internal and pulls in more modules. */
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array {
    const digest = new Digest('SHA256');
    const blockSize = digest.blockSize;
    let block = key;
    if (block.length > blockSize) {
      digest.write(copy(block));
      block = new Uint8Array(digest.close());
      digest.reset();
    }
    const inner = new Uint8Array(blockSize).fill(0x36);
    const outer = new Uint8Array(blockSize).fill(0x5c);
    for (let i = 0; i < block.length; i++) {
      inner[i]! ^= block[i]!;
      outer[i]! ^= block[i]!;
    }
    digest.write(inner.buffer);
    digest.write(this.#bytes(data));
    const innerHash = digest.close();
    digest.reset();
    digest.write(outer.buffer);
    digest.write(innerHash);
    return new Uint8Array(digest.close());
  }

  /**
   * XS's Math.random on ESP32 reads esp_random() (xs/platforms/esp/xsHost.h: c_rand), the hardware RNG, which
   * is cryptographically strong while Wi-Fi or Bluetooth runs (ESP-IDF docs). 31 random bits per call; we take
   * the top 24. The crypt "rng" module is weaker: an RC4 stream seeded once from the same source.
   */
  randomBytes(count: number): Uint8Array {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`randomBytes: bad count ${count}`);
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i += 3) {
      const value = Math.floor(Math.random() * 0x100_0000);
      bytes[i] = value & 0xff;
      if (i + 1 < count) bytes[i + 1] = (value >> 8) & 0xff;
      if (i + 2 < count) bytes[i + 2] = (value >> 16) & 0xff;
    }
    return bytes;
  }

  /**
   * The form checks come first: the SDK's verify never returns for s = 0 (ecdsa.js inverts s unchecked), which
   * on the chip is a watchdog restart per forged code.
   */
  verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!isP256Input(publicKey, signature)) return false;
    const ecdsa = new ECDSA(ECPoint.fromOctetString(publicKey.slice()), new Curve('secp256r1'));
    return ecdsa.verify(copy(this.sha256(message)), copy(signature));
  }

  /** Digest.write takes strings only up to a NUL, so text is always written as its UTF-8 bytes. */
  #bytes(data: Uint8Array | string): ArrayBuffer {
    return copy(typeof data === 'string' ? this.#codec.encode(data) : data);
  }
}

/** Digest.write takes an ArrayBuffer; a view may cover part of a larger one. */
function copy(bytes: Uint8Array): ArrayBuffer {
  const result = new Uint8Array(bytes.length);
  result.set(bytes);
  return result.buffer;
}
