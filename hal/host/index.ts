// Assembles a contract `Hal` from host parts. Everything but the storage belongs to one boot of one device:
// to reboot, dispose() this Hal and build another around the same storage.
import type { Board } from '../contract/board.js';
import type { Crypto } from '../contract/crypto.js';
import type { Firmware } from '../contract/firmware.js';
import type { Hal } from '../contract/index.js';
import type { MqttTransport } from '../contract/mqtt.js';
import type { Storage } from '../contract/storage.js';
import { simBoard } from '../boards/sim.js';
import { RealTimeClock, SteppedClock, type VirtualClock } from './clock.js';
import { createHostCrypto } from './crypto.js';
import { VirtualIo, type VirtualIoOptions } from './io/index.js';
import { HostMqttTransport } from './mqtt.js';
import { HostSystem, type HostSystemOptions } from './system.js';

export interface HostHalOptions {
  /** Persistent storage; it outlives this Hal. */
  storage: Storage;
  /** Pin map. Default: the simulator board. */
  board?: Board;
  /** Default: a SteppedClock at 0 (tests step it). */
  clock?: VirtualClock;
  /** Default: a new mqtt.js transport. */
  transport?: MqttTransport;
  crypto?: Crypto;
  /** The firmware slots of this boot (firmware.ts: HostFirmware over the bootloader's choice). Default: none. */
  firmware?: Firmware;
  system?: Omit<HostSystemOptions, 'timers'>;
  io?: Omit<VirtualIoOptions, 'clock' | 'defer'>;
}

export interface HostHal extends Hal {
  readonly clock: VirtualClock;
  readonly system: HostSystem;
  /** The electrical side of `device.io`: pins, buses and UART peers for simulated hardware and tests. */
  readonly io: VirtualIo;
  /** Ends this boot: no timer fires and no MQTT callback arrives any more. Storage is untouched. */
  dispose(): void;
}

export function createHostHal(options: HostHalOptions): HostHal {
  const clock = options.clock ?? new SteppedClock();
  const board: Board = options.board ?? simBoard;
  // Device callbacks (pin edges, UART data) arrive through the device's own timer queue, as from an event loop.
  const io = new VirtualIo({ ...options.io, clock, defer: (callback) => clock.timers.set(callback, 0) });
  const mqtt = options.transport ?? new HostMqttTransport();
  const system = new HostSystem({
    ...(board.wakePins ? { wakePins: board.wakePins } : {}),
    ...options.system,
    timers: clock.timers,
    clock,
    halt: () => clock.clearAll(),
  });
  return {
    device: { io: io.classes, board },
    clock,
    wallClock: clock.wallClock,
    timers: clock.timers,
    storage: options.storage,
    mqtt,
    crypto: options.crypto ?? createHostCrypto(),
    ...(options.firmware ? { firmware: options.firmware } : {}),
    system,
    io,
    dispose() {
      if (clock instanceof RealTimeClock) clock.close();
      else clock.clearAll();
      mqtt.close();
    },
  };
}

export { RealTimeClock, SteppedClock, VirtualClock, type ClockOptions, type RealTimeClockOptions } from './clock.js';
export { createHostCrypto } from './crypto.js';
export { bootloader, flashFactoryImage, HostFirmware, IMAGE_BEHAVIOURS, makeSimImage, otaData, readSimImage, SLOT_PARTITIONS, type BootChoice, type ImageBehaviour, type SimImage } from './firmware.js';
export { HostMqttTransport, type HostMqttOptions } from './mqtt.js';
export { HostSystem, type DeepSleepRequest, type HostSystemOptions, type LogLevel, type LogLine, type LogSink } from './system.js';
export { SleepingChip } from './deep-sleep.js';
export * from './io/index.js';
