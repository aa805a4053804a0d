// Runs batches of fuzz inputs through the engine-neutral cores inside the real XS engine (bundled for xsnap by
// scripts/fuzz/xs.ts). Each input runs under its own computron budget: resetMeter() gives it a fresh meter with
// the budget as the limit, so a runaway input stops the worker (exit 17) instead of eating the batch's. Before
// each input its index is printed, so when the worker dies the host knows which input killed it.
// Nothing Node here: ECMAScript, xsnap's globals and the HAL proxy (crypto for passes and syncs).
import type { Crypto } from '../../hal/contract/crypto.js';
import { decodeBase64 } from '../../firmware/lib/base64.js';
import { createHalProxy } from '../../test/support/xs/hal-proxy.js';
import { runA02yyuwSerial } from './cores/a02yyuw.js';
import { CRED_SLOT_BYTES, runCredSync } from './cores/cred-sync.js';
import { runEscposStatus } from './cores/escpos-status.js';
import { runInbound } from './cores/inbound.js';
import { runMqttPackets } from './cores/mqtt-packets.js';
import { runQrSerial } from './cores/qr-serial.js';
import { RamStorage } from './cores/ram-storage.js';
import { runVisitorPass } from './cores/visitor-pass.js';
import { runVl53l1x } from './cores/vl53l1x.js';
import { runWiegand } from './cores/wiegand.js';

declare const resetMeter: (limit: number, count: number) => number;
declare const currentMeterLimit: () => number;
declare const print: (...values: unknown[]) => void;

let crypto: Crypto | undefined;
let credStorage: RamStorage | undefined;

function halCrypto(): Crypto {
  return (crypto ??= createHalProxy().crypto);
}

const CORES: Readonly<Record<string, (input: Uint8Array, runSeed: number) => void>> = {
  'mqtt-packets': runMqttPackets,
  'inbound:command': (input) => runInbound('command', input),
  'inbound:config/desired': (input) => runInbound('config/desired', input),
  'inbound:alarm': (input) => runInbound('alarm', input),
  'cred-sync': (input, runSeed) => {
    credStorage ??= new RamStorage({ credA: CRED_SLOT_BYTES, credB: CRED_SLOT_BYTES });
    credStorage.reset();
    runCredSync(input, runSeed, { storage: credStorage, crypto: halCrypto() });
  },
  'visitor-pass': (input, runSeed) => runVisitorPass(input, runSeed, halCrypto()),
  'wiegand': (input) => runWiegand(input),
  'qr-serial': runQrSerial,
  'a02yyuw-serial': runA02yyuwSerial,
  'vl53l1x-result': runVl53l1x,
  'escpos-status': runEscposStatus,
  // For the fuzzer's own tests: input byte 0 = 1 throws, = 2 never returns (the budget stops it), else fine.
  'selftest': (input) => {
    if (input[0] === 1) throw new Error('selftest: deliberate crash');
    if (input[0] === 2) for (let spin = 0; ; spin++) if (spin < 0) break;
  },
};

export function cores(): string[] {
  return Object.keys(CORES);
}

/** Per input: `c` computrons, and `e`/`s` (error, stack) when it threw. */
export interface XsInputResult {
  c: number;
  e?: string;
  s?: string;
}

/** Runs `inputs` (base64) through `core`, each with its run seed, each under `budget` computrons. */
export function runBatch(core: string, inputs: string[], runSeeds: number[], budget: number): XsInputResult[] {
  const run = CORES[core];
  if (!run) throw new Error(`no fuzz core "${core}"`);
  const limit = currentMeterLimit();
  const results: XsInputResult[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = decodeBase64(inputs[i]!) ?? new Uint8Array(0);
    print(`fuzz-input ${i}`);
    resetMeter(budget, 0);
    let result: XsInputResult;
    try {
      run(input, runSeeds[i]!);
      result = { c: 0 };
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown; stack?: unknown };
      result = { c: 0, e: `${String(e?.name ?? 'Error')}: ${String(e?.message ?? error)}`, s: String(e?.stack ?? '') };
    }
    result.c = resetMeter(limit, 0);
    results.push(result);
  }
  return results;
}
