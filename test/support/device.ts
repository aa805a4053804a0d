// A device under test: host storage that outlives reboots, and a fresh Hal + runtime per boot.
import type { MqttTransport, Storage } from '../../hal/contract/index.js';
import { createHostHal, SteppedClock, type HostHal, type HostSystemOptions } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { DeviceRuntime, type DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { writeProvisioning, type Provisioning } from '../../firmware/runtime/provisioning.js';
import { Backoff } from '../../firmware/runtime/backoff.js';

export const WALL_TIME = 1_800_000_000_000;

export interface TestDeviceOptions {
  provisioning?: Partial<Provisioning> | false;
  app?: () => DeviceApp;
  transport: () => MqttTransport;
  storage?: Storage;
  /** Real-time devices (integration tests) pass a clock factory. */
  clock?: () => SteppedClock | HostHal['clock'];
  outboxBytes?: number;
  /** Host system options beyond the restart counter (freeHeap, heapUsed, ...). */
  system?: Omit<HostSystemOptions, 'timers' | 'onRestart'>;
}

export class TestDevice {
  readonly storage: Storage;
  hal!: HostHal;
  runtime!: DeviceRuntime;
  transport!: MqttTransport;
  restarts = 0;
  #options: TestDeviceOptions;

  constructor(options: TestDeviceOptions) {
    this.#options = options;
    this.storage = options.storage ?? createHostStorage({ partitions: { outbox: options.outboxBytes ?? 64 * 1024 } });
    if (options.provisioning !== false) {
      writeProvisioning(this.storage.kv, {
        site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883, ...options.provisioning,
      });
    }
  }

  get clock(): SteppedClock {
    return this.hal.clock as SteppedClock;
  }

  /** Powers the device on (first boot or after a reboot). */
  boot(): this {
    this.transport = this.#options.transport();
    const clock = this.#options.clock?.() ?? new SteppedClock({ wallTimeMs: WALL_TIME, wallTimeValid: true });
    this.hal = createHostHal({
      storage: this.storage,
      clock,
      transport: this.transport,
      system: { ...this.#options.system, onRestart: () => { this.restarts++; } },
    });
    this.runtime = new DeviceRuntime({
      hal: this.hal,
      model: 'test',
      ...(this.#options.app ? { app: this.#options.app() } : {}),
      backoff: new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 }),
    });
    this.runtime.start();
    return this;
  }

  /** Power cut: nothing is shut down cleanly, the storage stays. */
  powerCycle(): this {
    this.hal.dispose();
    return this.boot();
  }
}
