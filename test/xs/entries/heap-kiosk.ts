// Heap bench (scripts/bench/heap.ts): the kiosk app on the device's own MQTT client (heap-common.ts), its screen
// model laid out for the 5" 800 × 480 board and no renderer (the Piu renderer's heap is its own). The card reader
// and the printer are stand-ins inside XS (the proxy has no SPI or UART), fed by this entry.
import { KioskApp } from '../../../firmware/apps/kiosk/app.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { kioskStandInParts } from '../../support/xs/stand-in-part.js';
import { benchHal } from './heap-common.js';

export { deliver } from './heap-common.js';

const kiosk = kioskStandInParts();
let runtime: DeviceRuntime | undefined;
let app: KioskApp | undefined;

export function start(): void {
  app = new KioskApp({ parts: kiosk.parts });
  runtime = new DeviceRuntime({ hal: benchHal(), model: 'kiosk', app });
  runtime.start();
}

/** A resident's card (hex UID) on the reader. */
export function card(uidHex: string): void {
  kiosk.card(Uint8Array.from(uidHex.match(/../g)!.map((h) => parseInt(h, 16))));
}

/** Taps `ids` in order, paging forward to each; the ids that were on no page. */
export function taps(ids: string[]): string[] {
  const missed: string[] = [];
  for (const id of ids) {
    while (!app!.input.tap(id)) {
      if (!app!.input.tap('page.next')) {
        missed.push(id);
        break;
      }
    }
  }
  return missed;
}

export function state(): string {
  return runtime!.state;
}

export function status(): Record<string, unknown> {
  return { state: runtime!.state, screen: app!.view?.screen, printed: kiosk.printed(), health: runtime!.health() };
}
