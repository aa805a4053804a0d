// Provisioning codes on XS: parse, form checks, the signature's range guard, the seal (MAC and keystream), the
// secrets and the writes run in the engine; xsnap has no P-256, so the verify itself is the host's node:crypto
// (callHost 'verifyP256'), reached only after the same guard the Moddable binding makes.
import type { Crypto, Hal } from '../../../hal/contract/index.js';
import { isP256Input } from '../../../hal/contract/crypto.js';
import { fromHex, toHex } from '../../../firmware/lib/hex.js';
import { applyProvisioningCode, type CodeOutcome } from '../../../firmware/lifecycle/provisioning-code.js';
import { callHost, createHalProxy } from '../../support/xs/hal-proxy.js';

let hal: Hal | undefined;

function injectedCrypto(proxy: Crypto): Crypto {
  return {
    sha256: (data) => proxy.sha256(data),
    hmacSha256: (key, data) => proxy.hmacSha256(key, data),
    randomBytes: (count) => proxy.randomBytes(count),
    verifyP256: (publicKey, message, signature) => isP256Input(publicKey, signature)
      && callHost('verifyP256', { publicKey: toHex(publicKey), message: toHex(message), signature: toHex(signature) }) === true,
  };
}

/** Applies each text in turn on the host's storage; `now` null: no trusted time. */
export function applyAll(texts: string[], publicKeyHex: string, model: string, now: number | null): CodeOutcome[] {
  hal ??= createHalProxy();
  const crypto = injectedCrypto(hal.crypto);
  const provisioningKey = fromHex(publicKeyHex);
  return texts.map((text) => applyProvisioningCode(text, { kv: hal!.storage.kv, crypto, model, provisioningKey, now: now ?? undefined }));
}
