// The host side of an XS device's HAL: the team's host binding (hal/host createHostHal) on a stepped clock, with
// storage that outlives the worker (a "restart" is a new worker on the same storage), a scripted MQTT broker and
// deterministic random bytes. hal-proxy inside XS reaches it through HalServer.
import { createHash } from 'node:crypto';
import type { Board, ResetReason, WakeCause } from '../../../hal/contract/index.js';
import { createHostCrypto, createHostHal, SteppedClock, type HostHal, type HostSystemOptions } from '../../../hal/host/index.js';
import { createHostStorage, type HostStorage } from '../../../hal/host/storage/index.js';
import { ScriptedMqtt } from './scripted-mqtt.js';
import type { HalInit } from './wire.js';

export interface TestHalOptions {
  board?: Board;
  /** Default: a key-value store and one "outbox" partition of 16 blocks of 4096 bytes. */
  storage?: HostStorage;
  mqtt?: ScriptedMqtt;
  wallTimeMs?: number;
  wallTimeValid?: boolean;
  system?: Omit<HostSystemOptions, 'timers' | 'onRestart'>;
  /**
   * Random bytes. Default: a deterministic stream (SHA-256 in counter mode over `randomSeed`) so runs, and their
   * computron counts, repeat exactly. Pass `createHostCrypto().randomBytes` for real randomness.
   */
  randomBytes?: (count: number) => Uint8Array;
  randomSeed?: string;
}

export class TestHal {
  readonly hal: HostHal;
  readonly clock: SteppedClock;
  readonly storage: HostStorage;
  readonly mqtt: ScriptedMqtt;
  /** Why the device restarted itself (system.restart() or the watchdog), in order. */
  readonly restarts: ResetReason[] = [];
  #options: TestHalOptions;

  constructor(options: TestHalOptions = {}) {
    this.#options = options;
    this.clock = new SteppedClock({ wallTimeMs: options.wallTimeMs ?? 0, wallTimeValid: options.wallTimeValid ?? false });
    this.storage = options.storage ?? createHostStorage({ partitions: { outbox: 16 * 4096 } });
    this.mqtt = options.mqtt ?? new ScriptedMqtt();
    this.hal = createHostHal({
      storage: this.storage,
      clock: this.clock,
      transport: this.mqtt,
      crypto: { ...createHostCrypto(), randomBytes: options.randomBytes ?? seededRandom(options.randomSeed ?? 'xs-test') },
      system: { ...options.system, onRestart: (reason) => this.restarts.push(reason) },
      ...(options.board && { board: options.board }),
    });
  }

  get io(): HostHal['io'] {
    return this.hal.io;
  }

  get logs(): HostHal['system']['logs'] {
    return this.hal.system.logs;
  }

  /** What hal-proxy learns once at start. */
  init(): HalInit {
    const { system } = this.hal;
    return {
      board: this.hal.device.board,
      hardwareId: system.hardwareId,
      firmwareVersion: system.firmwareVersion,
      resetReason: system.resetReason(),
      deepSleep: typeof system.deepSleep === 'function',
      ...(system.wakeCause?.() && { wakeCause: system.wakeCause()! }),
      partitions: [...this.storage.partitions].map(([name, { byteLength, blockSize }]) => ({ name, byteLength, blockSize })),
    };
  }

  /**
   * The same device after a power cycle: storage (powered on again) and the broker carry over; clock, timers,
   * pins and the connection start afresh. Pair it with a new worker.
   */
  rebooted(resetReason: ResetReason = 'software', wakeCause?: WakeCause): TestHal {
    this.hal.dispose();
    this.storage.powerOn();
    return new TestHal({
      ...this.#options,
      storage: this.storage,
      mqtt: this.mqtt,
      system: { ...this.#options.system, resetReason, ...(wakeCause && { wakeCause }) },
    });
  }
}

function seededRandom(seed: string): (count: number) => Uint8Array {
  let counter = 0;
  return (count) => {
    const out = new Uint8Array(count);
    for (let filled = 0; filled < count; ) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      const take = Math.min(block.length, count - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}
