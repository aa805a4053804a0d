// The door reader's credential store on XS: open the list the host's flash holds, run the decision path
// (lookup, profile, PIN when required, the record check) over prepared presentations, and apply syncs.
// Used by test/xs/door-credentials.test.ts and scripts/bench/door.ts.
import type { Hal } from '../../../hal/contract/index.js';
import { CredentialStore, type SyncStep } from '../../../firmware/apps/door-reader/credentials/index.js';
import { decideCredential, type DecisionContext, type PinCheck } from '../../../firmware/apps/door-reader/decision.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import type { CredSyncBeginArgs, CredSyncChunkArgs } from '../../../firmware/protocol/cred-sync.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';

/** A card presented at the door, with the PIN typed (if any). */
export interface Presentation {
  uid: string;
  pin?: string;
}

let hal: Hal | undefined;
let store: CredentialStore;
let prepared: { uid: Uint8Array; pin: string | undefined }[] = [];

export function open(): ReturnType<CredentialStore['status']> {
  hal ??= createHalProxy();
  store = new CredentialStore({ storage: hal.storage, crypto: hal.crypto });
  return store.status();
}

/** Decodes the presentations once, outside the measured decisions. */
export function prepare(presentations: Presentation[]): number {
  prepared = presentations.map((p) => ({ uid: fromHex(p.uid), pin: p.pin }));
  return prepared.length;
}

/** One decision per prepared presentation; returns how many ended with each reason. */
export function decideAll(context: DecisionContext): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const presentation of prepared) {
    const record = store.lookup('card', presentation.uid);
    const profile = record ? store.profile(record.profile) : undefined;
    let pin: PinCheck = 'none';
    if (record?.pinRequired && presentation.pin !== undefined) pin = store.checkPin('card', presentation.uid, presentation.pin) ? 'right' : 'wrong';
    const { reason } = decideCredential(record, profile, pin, context);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return reasons;
}

export function lookup(uidHex: string): unknown {
  return store.lookup('card', fromHex(uidHex)) ?? null;
}

export function checkPin(uidHex: string, pin: string): boolean {
  return store.checkPin('card', fromHex(uidHex), pin);
}

export function begin(args: CredSyncBeginArgs): SyncStep {
  return store.beginSync(args);
}

export function chunk(args: CredSyncChunkArgs): SyncStep {
  return store.applyChunk(args);
}
