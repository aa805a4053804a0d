// Firmware updates on XS: the manifest's checks, the signature's range guard and the chunks' hash chain run in the
// engine (firmware/lifecycle/ota.ts over an in-memory slot, test/support/ota-script.ts); xsnap has no P-256, so the
// verify itself is the host's node:crypto (callHost 'verifyP256'), reached only after the guard.
import type { Hal } from '../../../hal/contract/index.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';
import { p256Crypto } from '../../support/xs/p256.js';
import { playOta, type OtaStep } from '../../support/ota-script.js';

let hal: Hal | undefined;

export function play(keyHex: string, steps: OtaStep[]): ReturnType<typeof playOta> {
  hal ??= createHalProxy();
  return playOta({ ...hal, crypto: p256Crypto(hal.crypto) }, keyHex, steps);
}
