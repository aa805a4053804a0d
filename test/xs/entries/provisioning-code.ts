// Provisioning codes on XS: parse, form checks, the signature's range guard, the seal (MAC and keystream), the
// secrets and the writes run in the engine; xsnap has no P-256, so the verify itself is the host's node:crypto
// (callHost 'verifyP256'), reached only after the same guard the Moddable binding makes.
import type { Hal } from '../../../hal/contract/index.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { applyProvisioningCode, type CodeOutcome } from '../../../firmware/lifecycle/provisioning-code.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';
import { p256Crypto } from '../../support/xs/p256.js';

let hal: Hal | undefined;

/** Applies each text in turn on the host's storage; `now` null: no trusted time. */
export function applyAll(texts: string[], publicKeyHex: string, model: string, now: number | null): CodeOutcome[] {
  hal ??= createHalProxy();
  const crypto = p256Crypto(hal.crypto);
  const provisioningKey = fromHex(publicKeyHex);
  return texts.map((text) => applyProvisioningCode(text, { kv: hal!.storage.kv, crypto, model, provisioningKey, now: now ?? undefined }));
}
