// The door reader's own secrets in the key-value store (domain `door`), written by the installer with the rest
// of the provisioning; the platform holds the same site keys. The device never sends them anywhere.
//   passKey    32 bytes (ArrayBuffer): verifies visitor passes (HMAC-SHA256)
//   passKeyId  0–255: the id passes name, so a rotated key refuses passes signed with the old one
//   cmdKey     32 bytes (ArrayBuffer): verifies signed door commands
import type { KeyValueStore } from '../../../hal/contract/index.js';
import type { PassKey } from './visitor-pass.js';

export const DOOR_DOMAIN = 'door';
const KEY_BYTES = 32;

export interface DoorKeys {
  passKey: Uint8Array;
  passKeyId: number;
  commandKey: Uint8Array;
}

export function writeDoorKeys(kv: KeyValueStore, keys: DoorKeys): void {
  if (keys.passKey.length !== KEY_BYTES || keys.commandKey.length !== KEY_BYTES) throw new RangeError(`door keys must be ${KEY_BYTES} bytes`);
  if (!Number.isInteger(keys.passKeyId) || keys.passKeyId < 0 || keys.passKeyId > 255) throw new RangeError('passKeyId must be 0–255');
  kv.set(DOOR_DOMAIN, 'passKey', keys.passKey.slice().buffer as ArrayBuffer);
  kv.set(DOOR_DOMAIN, 'passKeyId', keys.passKeyId);
  kv.set(DOOR_DOMAIN, 'cmdKey', keys.commandKey.slice().buffer as ArrayBuffer);
}

export function readPassKey(kv: KeyValueStore): PassKey | undefined {
  const key = readKeyBytes(kv, 'passKey');
  const id = kv.get(DOOR_DOMAIN, 'passKeyId');
  return key && typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 255 ? { id, key } : undefined;
}

export function readCommandKey(kv: KeyValueStore): Uint8Array | undefined {
  return readKeyBytes(kv, 'cmdKey');
}

function readKeyBytes(kv: KeyValueStore, name: string): Uint8Array | undefined {
  const value = kv.get(DOOR_DOMAIN, name);
  return value instanceof ArrayBuffer && value.byteLength === KEY_BYTES ? new Uint8Array(value) : undefined;
}
