// Which of a provisioning code's keys each model takes, and where each goes in its key-value store: data, read by
// the device when it applies a code and by the platform when it makes one. Every model gets a command key, since
// factory reset is signed with it (the door reader keeps its own in `door`, the others read `cred/cmdKey`).
// Domains and key names are the ones firmware/identity/site-keys.ts and the apps read (`door`: the door reader's
// door-keys.ts, which this shared service may not import).
import type { CodeKeyName } from './code-layout.js';

export interface KeyPlacement {
  readonly code: CodeKeyName;
  readonly domain: string;
  readonly key: string;
  /** 'key': 32 bytes, stored as an ArrayBuffer; 'id': one byte, stored as a number (the pass key's id). */
  readonly form: 'key' | 'id';
}

const place = (code: CodeKeyName, domain: string, key: string, form: 'key' | 'id' = 'key' as const): KeyPlacement => Object.freeze({ code, domain, key, form });

const CRED_HASH = place('hashKey', 'cred', 'hashKey');
const CRED_COMMAND = place('commandKey', 'cred', 'cmdKey');

export const MODEL_KEYS: Readonly<Record<string, readonly KeyPlacement[]>> = Object.freeze({
  'door-reader': Object.freeze([
    CRED_HASH, place('syncKey', 'cred', 'syncKey'), place('passKey', 'door', 'passKey'), place('passKeyId', 'door', 'passKeyId', 'id'),
    place('commandKey', 'door', 'cmdKey'),
  ]),
  'smart-bin': Object.freeze([CRED_HASH, CRED_COMMAND]),
  kiosk: Object.freeze([CRED_HASH, CRED_COMMAND]),
  'sos-button': Object.freeze([CRED_COMMAND]),
  generic: Object.freeze([CRED_COMMAND]),
});

export const KEY_BYTES = 32;

/** The model's placements, or undefined for a model this build does not know. */
export function keysOfModel(model: string): readonly KeyPlacement[] | undefined {
  return Object.prototype.hasOwnProperty.call(MODEL_KEYS, model) ? MODEL_KEYS[model] : undefined;
}

/** Why `value` cannot fill `placement`, or undefined. */
export function keyFormProblem(placement: KeyPlacement, value: Uint8Array): string | undefined {
  const bytes = placement.form === 'key' ? KEY_BYTES : 1;
  return value.length === bytes ? undefined : `${placement.code} must be ${bytes} byte${bytes === 1 ? '' : 's'}`;
}
