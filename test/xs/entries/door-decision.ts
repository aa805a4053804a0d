// The door reader app on XS: the runtime and the real app over the host-backed HAL (Digital pins only: the relay,
// door contact, exit button, LED, buzzer and Wiegand keypad), deciding cards, PINs and visitor passes.
import { DoorReaderApp } from '../../../firmware/apps/door-reader/index.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';

let runtime: DeviceRuntime;
let app: DoorReaderApp;

export function start(): void {
  app = new DoorReaderApp();
  runtime = new DeviceRuntime({ hal: createHalProxy(), model: 'door-reader', app });
  runtime.start();
}

/** A card on the NFC reader (the XS harness has no SPI: the app is handed the UID the driver would read). */
export function card(uidHex: string): void {
  app.reader!.presentCard(fromHex(uidHex), 'nfc');
}

export function keys(text: string): void {
  for (const key of text) app.reader!.pressKey(key);
}

export function qr(text: string): void {
  app.reader!.scanQr(text);
}

export function snapshot(): Record<string, unknown> {
  return { state: runtime.state, health: runtime.health() };
}
