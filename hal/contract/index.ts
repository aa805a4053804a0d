// The HAL contract: everything a device app receives. Bindings (hal/moddable, hal/host) build one of these at
// the entry point; firmware code depends on these types only.
import type { Device } from './board.js';
import type { Crypto } from './crypto.js';
import type { Firmware } from './firmware.js';
import type { MqttTransport } from './mqtt.js';
import type { Setup } from './setup.js';
import type { Storage } from './storage.js';
import type { System } from './system.js';
import type { MonotonicClock, Timers, WallClock } from './time.js';

export interface Hal {
  readonly device: Device;
  readonly clock: MonotonicClock;
  readonly wallClock: WallClock;
  readonly timers: Timers;
  readonly storage: Storage;
  readonly mqtt: MqttTransport;
  readonly crypto: Crypto;
  readonly system: System;
  /** Optional: the setup access point, console and station state (hal/contract/setup.ts). */
  readonly setup?: Setup;
  /** Optional: the firmware slots and bootloader state, where the build has OTA slots (hal/contract/firmware.ts). */
  readonly firmware?: Firmware;
}

export type * from './board.js';
export type * from './crypto.js';
export type * from './firmware.js';
export type * from './io.js';
export type * from './mqtt.js';
export type * from './setup.js';
export type * from './socket.js';
export type * from './storage.js';
export type * from './system.js';
export type * from './time.js';
export { KEY_MAX_LENGTH, VALUE_MAX_BYTES } from './storage.js';
export { CLOSE_DRAIN_MS } from './mqtt.js';
export { SETUP_BODY_MAX_BYTES } from './setup.js';
