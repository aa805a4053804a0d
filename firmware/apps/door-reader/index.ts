// The door reader app: cards (NFC, Wiegand), PINs, card + PIN, resident QR codes and signed visitor passes are
// decided locally against the credential store, online or not; the lock, door contact and exit button follow
// the rules in door.ts; every decision and alarm is an event in the tamper-evident `access` chain.
import type { Hal } from '../../../hal/contract/index.js';
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS } from '../../protocol/cred-sync.js';
import type { DeviceApp, DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandSpec } from '../../runtime/dispatcher.js';
import { doorCommands } from './commands.js';
import { DOOR_CONFIG } from './config.js';
import { type CredentialBackend, openCredentialStore } from './credential-source.js';
import { DoorReader } from './door-reader.js';

export interface DoorReaderOptions {
  /** The credential store and its sync commands. Default: the flash store on partitions credA/credB. */
  credentials?(hal: Hal): CredentialBackend;
}

/** What the simulator and tests may look at. */
export interface DoorReaderApp extends DeviceApp {
  /** The running reader (after start, until stop). */
  readonly reader: DoorReader | undefined;
}

export const DOOR_READER_MODEL = 'door-reader';

const SYNC_COMMANDS = [CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS] as const;

export function createDoorReaderApp(options: DoorReaderOptions = {}): DoorReaderApp {
  let reader: DoorReader | undefined;
  let runtime: DeviceRuntime | undefined;
  let sync: Readonly<Record<string, CommandSpec>> | undefined;

  // The runtime registers commands before it starts the app: they reach the reader through these closures.
  const commands: Record<string, CommandSpec> = {
    ...doorCommands({
      door: () => reader?.settings.door ?? -1,
      commandKey: () => reader?.commandKey,
      sign: (key, text) => runtime!.hal.crypto.hmacSha256(key, text),
      unlock: (ms, reqId) => reader!.remoteUnlock(ms, reqId),
      setMode: (mode, reqId) => reader!.setMode(mode, reqId),
    }),
  };
  for (const name of SYNC_COMMANDS) {
    commands[name] = {
      validate: (args, command) => (sync?.[name] ? sync[name]!.validate?.(args, command) : 'the credential store is not available'),
      run: (args, command) => sync![name]!.run(args, command),
    };
  }

  return {
    config: DOOR_CONFIG,
    commands,
    get reader() {
      return reader;
    },
    start(started) {
      runtime = started;
      const hal = started.hal;
      let backend: CredentialBackend | undefined;
      let problem: string | undefined;
      try {
        backend = (options.credentials ?? openCredentialStore)(hal);
        sync = backend.syncCommands(() => runtime);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
        hal.system.log('error', `door: no credential store (${problem}); cards and PINs are refused, passes still work`);
      }
      reader = new DoorReader({ runtime: started, store: backend?.store, ...(problem ? { storeProblem: problem } : {}) });
    },
    stop() {
      reader?.close();
      reader = undefined;
      runtime = undefined;
    },
    onConnection(online) {
      reader?.connectionChanged(online);
    },
    health() {
      return reader?.health() ?? {};
    },
  };
}

export { DOOR_CONFIG } from './config.js';
export { DoorReader } from './door-reader.js';
