// The door reader app: the commands and credential store that outlive a boot's reader, and one DoorReader
// (door-reader.ts) per boot. The runtime registers commands before it starts the app, so they reach the reader
// through this object.
import { setupLed } from '../../lifecycle/setup-look.js';
import type { SetupStatus } from '../../lifecycle/setup-status.js';
import type { Hal } from '../../../hal/contract/index.js';
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS } from '../../protocol/cred-sync.js';
import type { DeviceApp, DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandSpec } from '../../runtime/dispatcher.js';
import { doorCommands } from './commands.js';
import { DOOR_CONFIG } from './config.js';
import { CREDENTIAL_PARTITIONS, type CredentialBackend, openCredentialStore } from './credential-source.js';
import { DOOR_DOMAIN, readCommandKey } from './door-keys.js';
import { DoorReader } from './door-reader.js';

export interface DoorReaderAppOptions {
  /** The credential store and its sync commands. Default: the flash store on partitions credA/credB. */
  credentials?(hal: Hal): CredentialBackend;
}

const SYNC_COMMANDS = [CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS] as const;

export class DoorReaderApp implements DeviceApp<typeof DOOR_CONFIG> {
  readonly config = DOOR_CONFIG;
  readonly commands: Readonly<Record<string, CommandSpec>>;
  /** A factory reset erases the door's keys, mode and counters and both credential slots. */
  readonly keeps = Object.freeze({ domains: [DOOR_DOMAIN], partitions: CREDENTIAL_PARTITIONS });
  /** The door keeps its command key beside its pass key (domain `door`). */
  readonly commandKey = readCommandKey;
  #options: DoorReaderAppOptions;
  #reader: DoorReader | undefined;
  #runtime: DeviceRuntime<typeof DOOR_CONFIG> | undefined;
  #sync: Readonly<Record<string, CommandSpec>> | undefined;

  constructor(options: DoorReaderAppOptions = {}) {
    this.#options = options;
    const commands: Record<string, CommandSpec> = {
      ...doorCommands({
        door: () => this.#reader?.settings.door ?? -1,
        commandKey: () => this.#reader?.commandKey,
        sign: (key, text) => this.#runtime!.hal.crypto.hmacSha256(key, text),
        unlock: (ms, reqId) => this.#reader!.remoteUnlock(ms, reqId),
        setMode: (mode, reqId) => this.#reader!.setMode(mode, reqId),
      }),
    };
    for (const name of SYNC_COMMANDS) {
      commands[name] = {
        validate: (args, command) => {
          const sync = this.#sync?.[name];
          return sync ? sync.validate?.(args, command) : 'the credential store is not available';
        },
        run: (args, command) => this.#sync![name]!.run(args, command),
      };
    }
    this.commands = commands;
  }

  /** The running reader (after start, until stop), for the simulator and tests. */
  get reader(): DoorReader | undefined {
    return this.#reader;
  }

  start(runtime: DeviceRuntime<typeof DOOR_CONFIG>): void {
    this.#runtime = runtime;
    const hal = runtime.hal;
    let backend: CredentialBackend | undefined;
    let problem: string | undefined;
    try {
      backend = (this.#options.credentials ?? openCredentialStore)(hal);
      this.#sync = backend.syncCommands(() => this.#runtime);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
      hal.system.log('error', `door: no credential store (${problem}); cards and PINs are refused, passes still work`);
    }
    this.#reader = new DoorReader({ runtime, store: backend?.store, ...(problem ? { storeProblem: problem } : {}) });
  }

  stop(): void {
    this.#reader?.close();
    this.#reader = undefined;
    this.#runtime = undefined;
  }

  onConnection(online: boolean): void {
    this.#reader?.connectionChanged(online);
  }

  health(): Record<string, unknown> {
    return this.#reader?.health() ?? {};
  }

  /** Being set up: the LED says how far (firmware/lifecycle/setup-look.ts). */
  onSetup(status: SetupStatus): void {
    this.#reader?.feedback.setSetup(setupLed(status));
  }
}
