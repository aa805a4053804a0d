// Heap bench (scripts/bench/heap.ts): the door reader app on the device's own MQTT client (heap-common.ts), over
// the credential list the host synced into its flash. As in door-decision.ts, the harness has no SPI or UART:
// cards, keys and QR codes are handed to the reader as its drivers would.
import { DoorReaderApp } from '../../../firmware/apps/door-reader/index.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { benchHal } from './heap-common.js';

export { deliver } from './heap-common.js';

let runtime: DeviceRuntime | undefined;
let app: DoorReaderApp | undefined;

export function start(): void {
  app = new DoorReaderApp();
  runtime = new DeviceRuntime({ hal: benchHal(), model: 'door-reader', app });
  runtime.start();
}

export function card(uidHex: string): void {
  app!.reader!.presentCard(fromHex(uidHex), 'nfc');
}

export function keys(text: string): void {
  for (const key of text) app!.reader!.pressKey(key);
}

export function qr(text: string): void {
  app!.reader!.scanQr(text);
}

export function state(): string {
  return runtime!.state;
}

/** How many credentials the open list holds (health `credentials`). */
export function credentials(): unknown {
  return runtime!.health().credentials;
}
