// What the door reader needs of the credential store (credentials/index.ts), and the store it uses by default.
import type { Hal } from '../../../hal/contract/index.js';
import type { CommandSpec } from '../../runtime/dispatcher.js';
import type { DeviceRuntime } from '../../runtime/device-runtime.js';
import { CredentialStore, credentialSyncHandlers } from './credentials/index.js';
import type { CredentialRecord, Profile } from './credentials/format.js';
import type { CredentialKind } from '../../identity/credential-hash.js';

export interface CredentialSource {
  lookup(kind: CredentialKind, secret: Uint8Array | string): CredentialRecord | undefined;
  checkPin(kind: CredentialKind, secret: Uint8Array | string, pin: string): boolean;
  profile(index: number): Profile | undefined;
  readonly version: number;
  readonly count: number;
}

export interface CredentialBackend {
  store: CredentialSource;
  /** The sync commands (cred.sync.*), bound to the store; `runtime` is read when a sync emits its events. */
  syncCommands(runtime: () => DeviceRuntime | undefined): Readonly<Record<string, CommandSpec>>;
}

/** The partitions holding the two credential slots (the list in force and the one being synced). */
export const CREDENTIAL_PARTITIONS = ['credA', 'credB'] as const;

export function openCredentialStore(hal: Hal): CredentialBackend {
  const store = new CredentialStore({
    storage: hal.storage,
    kv: hal.storage.kv,
    crypto: hal.crypto,
    partitions: [...CREDENTIAL_PARTITIONS],
  });
  return { store, syncCommands: (runtime) => credentialSyncHandlers(store, runtime) };
}
