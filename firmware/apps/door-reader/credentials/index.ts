// The door reader's credential store: keyed-hash records in A/B flash slots, constant-cost lookups, signed
// chunked sync. See docs/protocol.md §14 for the wire and flash formats.
export { CredentialStore, type CredentialStoreOptions, type StoreStatus, type SyncInfo, type SyncStep,
  type SyncSummary } from './store.js';
export { credentialSyncHandlers, type CredentialSyncHandlers, type EventSink } from './handlers.js';
export { dayNumber, type CredentialRecord, type Profile, type ScheduleWindow } from './format.js';
export { writeCredentialKeys, type CredentialKeys } from './keys.js';
export type { SyncFailureReason } from './errors.js';
