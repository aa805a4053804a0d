// The HAL on the Moddable SDK: builds every service the contract names (hal/contract/index.ts).
import type { Board, Firmware, Hal } from '../contract/index.js';
import { ModdableCrypto } from './crypto.js';
import { createDevice, type NativeIoClasses } from './device.js';
import { MqttClient, type MqttNetwork } from '../../firmware/net/mqtt/client.js';
import { mqttNetwork } from './network.js';
import { ModdableStorage } from './storage.js';
import { ModdableSystem, traceLog } from './system.js';
import type { DeepSleepNative, LogLevel } from './system.js';
import { xsTextCodec } from './text.js';
import { SystemWallClock, TicksClock, createTimers } from './time.js';

export interface ModdableHalOptions {
  board: Board;
  /** Usually the Wi-Fi MAC as hex. */
  hardwareId: string;
  firmwareVersion: string;
  log?: (level: LogLevel, message: string) => void;
  /** The MQTT client's sockets and DNS; defaults to the SDK's (network.ts). */
  network?: MqttNetwork;
  /** The build's deep-sleep native, where it has one (the SOS button's ESP32 build). */
  deepSleep?: DeepSleepNative;
  /** IO classes over the build's own natives (io.HX711: hal/moddable/hx711.ts), added to the SDK's. */
  natives?: NativeIoClasses;
  /** The firmware slots, in builds with OTA slots (firmware.ts over the "ota-slots" native). */
  firmware?: Firmware;
}

export function createModdableHal(options: ModdableHalOptions): Hal {
  const log = options.log ?? traceLog;
  const clock = new TicksClock();
  const timers = createTimers(log);
  const storage = new ModdableStorage(log);
  const system = new ModdableSystem({
    hardwareId: options.hardwareId,
    firmwareVersion: options.firmwareVersion,
    timers,
    clock,
    kv: storage.kv,
    log,
    ...(options.deepSleep ? { deepSleep: options.deepSleep } : {}),
    ...(options.board.wakePins ? { wakePins: options.board.wakePins } : {}),
  });
  return Object.freeze({
    device: createDevice(options.board, options.natives),
    clock,
    wallClock: new SystemWallClock(),
    timers,
    storage,
    // The project's own client, the one the simulator runs too; the SDK's example client is not used (it wedges on
    // a zero-length PUBLISH, has no size limit and drops the retain flag: docs/moddable.md).
    mqtt: new MqttClient({ network: options.network ?? mqttNetwork(), timers, log }),
    crypto: new ModdableCrypto(xsTextCodec),
    system,
    ...(options.firmware ? { firmware: options.firmware } : {}),
  });
}
