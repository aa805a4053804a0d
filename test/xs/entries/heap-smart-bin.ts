// Heap bench (scripts/bench/heap.ts): the smart bin app with two compartments on the device's own MQTT client
// (heap-common.ts). LED and buzzer run over the host-backed HAL's Digital pins; the level sensors, load cells,
// servos and lid switches, thermistor, accelerometer, battery and NFC reader are stand-ins inside XS (the proxy
// has no UART, I2C, SPI, PWM or ADC), fed by this entry: waste deposited goes on the scale and raises the level.
import { SmartBinApp } from '../../../firmware/apps/smart-bin/app.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { smartBinStandInParts } from '../../support/xs/stand-in-part.js';
import { benchHal } from './heap-common.js';

export { deliver } from './heap-common.js';

const HEIGHT_MM = 1000;
const COUNTS_PER_GRAM = 100;
/** Grams in each compartment; 5 g of recyclables take about a millimetre of height. */
const grams = [0, 0];
let tick = 0;

const station = smartBinStandInParts({
  distanceMm: (c) => HEIGHT_MM - Math.round(grams[c]! / 5) + (tick++ % 3) - 1,
  rawCounts: (c) => 40_000 + grams[c]! * COUNTS_PER_GRAM + ((tick++ % 5) - 2) * 20,
});

let runtime: DeviceRuntime | undefined;
let app: SmartBinApp | undefined;

export function start(): void {
  app = new SmartBinApp({ parts: station.parts });
  runtime = new DeviceRuntime({ hal: benchHal(), model: 'smart-bin', app });
  runtime.start();
}

/** A resident: card (hex UID), then compartment `c`'s button; the waste goes in `grams` once the lid is open. */
export function card(uidHex: string): void {
  station.card(Uint8Array.from(uidHex.match(/../g)!.map((h) => parseInt(h, 16))));
}

export function select(c: number): void {
  station.select(c);
}

export function drop(c: number, g: number): void {
  grams[c]! += g;
}

export function state(): string {
  return runtime!.state;
}

export function status(): Record<string, unknown> {
  return { state: runtime!.state, ...app!.status(), health: runtime!.health() };
}
