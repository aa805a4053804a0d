// The credential sync commands a door app plugs into its DeviceApp: cred.sync.begin, cred.sync.chunk and
// cred.sync.status (docs/protocol.md §14). Results say where the session stands; a completed sync emits
// `credentials.synced`, a failed one `credentials.sync_failed`, both through the runtime's durable outbox.
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS, type CredSyncBeginArgs,
  type CredSyncChunkArgs } from '../../../protocol/cred-sync.js';
import { checkCredSyncArgs } from '../command-args.js';
import type { CommandOutcome, CommandSpec } from '../../../runtime/dispatcher.js';
import type { CredentialStore, SyncInfo, SyncStep } from './store.js';

/** What the handlers need of the runtime. */
export interface EventSink {
  emit(type: string, data?: Record<string, unknown>): unknown;
}

/** Command name → spec: spread into the DeviceApp's `commands`. */
export type CredentialSyncHandlers = Readonly<Record<string, CommandSpec>>;

/**
 * `runtime` may be a getter: a DeviceApp declares its commands before the runtime hands itself to `start()`.
 * Sync commands only arrive once the device is online, after start.
 */
export function credentialSyncHandlers(store: CredentialStore, runtime: EventSink | (() => EventSink | undefined)): CredentialSyncHandlers {
  const sink = typeof runtime === 'function' ? runtime : () => runtime;
  const emit = (type: string, data: Record<string, unknown>) => sink()?.emit(type, data);
  // Chunks and status are idempotent by the session's own state: their results stay in RAM, so a sync of
  // hundreds of chunks costs no key-value writes. `begin` is remembered across restarts like any command.
  // A forged manifest is refused in validate(): a refusal stays in RAM, so forgeries neither write flash nor
  // queue events.
  const spec = (name: string, run: (args: Record<string, unknown>) => CommandOutcome): CommandSpec => ({
    persist: name === CRED_SYNC_BEGIN,
    // The args as sent (absent stays absent), named as the protocol names a command's fields.
    validate: (args, command) => checkCredSyncArgs(name, command.args, 'command.args')
      ?? (name === CRED_SYNC_BEGIN ? store.checkManifest(args as unknown as CredSyncBeginArgs) : undefined),
    run: (args) => {
      try {
        return run(args);
      } catch (error) {
        // Flash trouble: the session is gone, the old list stays in force.
        const message = clip(error instanceof Error ? error.message : String(error));
        emit('credentials.sync_failed', { reason: 'storage', detail: message });
        return { code: 'failed', reason: message };
      }
    },
  });
  return {
    [CRED_SYNC_BEGIN]: spec(CRED_SYNC_BEGIN, (args) => outcome(store.beginSync(args as unknown as CredSyncBeginArgs), emit)),
    [CRED_SYNC_CHUNK]: spec(CRED_SYNC_CHUNK, (args) => outcome(store.applyChunk(args as unknown as CredSyncChunkArgs), emit)),
    [CRED_SYNC_STATUS]: spec(CRED_SYNC_STATUS, () => ({ code: 'ok', data: { ...store.status() } })),
  };
}

type Emit = (type: string, data: Record<string, unknown>) => void;

function outcome(step: SyncStep, emit: Emit): CommandOutcome {
  switch (step.status) {
    case 'progress':
      if (step.superseded) emit('credentials.sync_failed', { ...step.superseded, reason: 'superseded', detail: `replaced by sync "${step.sync}"` });
      return { code: 'ok', data: { sync: step.sync, next: step.next, chunks: step.chunks } };
    case 'done':
      emit('credentials.synced', { ...step.summary });
      return { code: 'ok', data: { ...step.summary, done: true } };
    case 'current':
      return { code: 'ok', data: { version: step.version, current: true } };
    case 'refused':
      return { code: 'rejected', reason: clip(step.message), ...(step.next === undefined ? {} : { data: { next: step.next } }) };
    case 'failed':
      emit('credentials.sync_failed', { ...failedSession(step.session), reason: step.reason, detail: clip(step.message) });
      return { code: 'rejected', reason: clip(`${step.reason}: ${step.message}`) };
  }
}

function failedSession(session: SyncInfo | undefined): Record<string, unknown> {
  return session ? { ...session } : {};
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
