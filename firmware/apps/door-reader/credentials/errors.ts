// Why a sync failed: the `reason` of a credentials.sync_failed event and of a refused command's result.

export type SyncFailureReason =
  | 'no_keys'          // the site keys are not provisioned
  | 'bad_mac'          // the manifest's HMAC does not verify with the site sync key
  | 'bad_manifest'     // the manifest is inconsistent (hash list length, version order)
  | 'stale_version'    // not newer than the list in force
  | 'base_mismatch'    // a delta for another version than the one in force
  | 'too_large'        // the list does not fit the partition
  | 'chunk_hash'       // a chunk's SHA-256 differs from the manifest: tampered or corrupted
  | 'bad_chunk'        // a chunk's content is malformed (stream order, record format, sort order)
  | 'bad_delta'        // a delta removes a credential the list does not hold
  | 'count_mismatch'   // the finished list has other counts than the manifest promised
  | 'digest_mismatch'  // the finished list differs from the manifest's digest
  | 'superseded'       // a new sync began before this one finished
  | 'storage';         // flash failed

export class SyncError extends Error {
  readonly reason: SyncFailureReason;

  constructor(reason: SyncFailureReason, message: string) {
    super(message);
    this.name = 'SyncError';
    this.reason = reason;
  }
}
