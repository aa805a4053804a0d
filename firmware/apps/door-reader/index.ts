// The door reader: cards (NFC, Wiegand), PINs, card + PIN, resident QR codes and signed visitor passes are
// decided locally against the credential store, online or not; the lock, door contact and exit button follow
// the rules in door.ts; every decision and alarm is an event in the tamper-evident `access` chain.
//
//   startDevice({ device: DOOR_READER, board: esp32DoorReader });   // hal/moddable/entries/door-reader.ts
import type { DeviceDefinition } from '../../parts/device.js';
import { DoorReaderApp } from './app.js';
import { DOOR_READER_PARTS } from './parts.js';

export const DOOR_READER = Object.freeze({
  model: 'door-reader',
  parts: DOOR_READER_PARTS,
  createApp: () => new DoorReaderApp(),
}) satisfies DeviceDefinition;

export { DoorReaderApp, type DoorReaderAppOptions } from './app.js';
export { DOOR_CONFIG } from './config.js';
export { DoorReader } from './door-reader.js';
export { DOOR_READER_PARTS, type DoorEvents } from './parts.js';
