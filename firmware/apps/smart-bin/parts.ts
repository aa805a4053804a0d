// The sorting station's parts: the station's own (resident identification, temperature, tilt, LED/buzzer,
// battery) and, per compartment, a level sensor, a lid servo with its closed switch and obstacle sensor, a
// load cell and a select button. Compartment parts carry their index in their names (`lid0`, `scale1`...), so a
// board for N compartments names N sets of pins and BoardFor checks them. Nothing is required: a station
// without its scale still takes deposits (credited without weight: refused as `noScale`), one without a level
// sensor still reports its lids; what is missing is reported in health `hardware`.
import type { LevelReading } from '../../drivers/level-reading.js';
import { a02yyuw } from '../../parts/a02yyuw.js';
import { battery } from '../../parts/battery.js';
import { button } from '../../parts/button.js';
import { contact } from '../../parts/contact.js';
import { indicator } from '../../parts/indicator.js';
import { lis3dh } from '../../parts/lis3dh.js';
import { loadCell } from '../../parts/load-cell.js';
import { mfrc522 } from '../../parts/mfrc522.js';
import { qrScanner } from '../../parts/qr-scanner.js';
import { servo } from '../../parts/servo.js';
import { thermistor } from '../../parts/thermistor.js';
import { vl53l1x } from '../../parts/vl53l1x.js';

export type CompartmentIndex = 0 | 1 | 2 | 3;
export const MAX_COMPARTMENTS = 4;

/** Where one compartment's callbacks go. */
export type CompartmentEvents<I extends CompartmentIndex> =
  & { readonly [K in `level${I}`]: (reading: LevelReading) => void }
  & { readonly [K in `lidSwitch${I}`]: (closed: boolean) => void }
  & { readonly [K in `obstacle${I}`]: (blocked: boolean) => void }
  & { readonly [K in `select${I}`]: () => void };

/** Where the station's callbacks go (app.ts). */
export interface StationEvents {
  card(uid: Uint8Array): void;
  qr(text: string): void;
}

export type SmartBinEvents = StationEvents & CompartmentEvents<CompartmentIndex>;

export const STATION_PARTS = Object.freeze({
  nfc: mfrc522({ select: 'nfcSelect', on: { card: 'card' } }),
  qr: qrScanner({ serial: 'qr', on: { read: 'qr' } }),
  temperature: thermistor({ pin: 'temperature' }),
  accel: lis3dh({}),
  led: indicator({ pin: 'led' }),
  buzzer: indicator({ pin: 'buzzer' }),
  battery: battery({ pin: 'battery', window: 4 }),
});

/** A UART ultrasonic module on the serial port `level<i>`. */
export function ultrasonicLevel<const I extends CompartmentIndex>(i: I) {
  return a02yyuw({ serial: `level${i}` as const, mode: 'streaming', on: { reading: `level${i}` as const } });
}

/**
 * A VL53L1X time-of-flight sensor on the I2C bus at its default address 0x29 (beside the LIS3DH at 0x18). One per
 * bus: a second one needs its XSHUT held low while the first is moved to another address (register 0x0001, lost
 * at power-off), which this station does not do.
 */
export function timeOfFlightLevel<const I extends CompartmentIndex>(i: I) {
  return vl53l1x({ on: { reading: `level${i}` as const } });
}

type LevelPart<I extends CompartmentIndex> = ReturnType<typeof ultrasonicLevel<I>> | ReturnType<typeof timeOfFlightLevel<I>>;

/** One compartment's parts around the level sensor it has. */
export function compartmentParts<const I extends CompartmentIndex, L extends LevelPart<I>>(i: I, level: L) {
  const parts = {
    [`level${i}`]: level,
    [`lid${i}`]: servo({ pin: `lid${i}` as const }),
    [`lidSwitch${i}`]: contact({ pin: `lidSwitch${i}` as const, on: { change: `lidSwitch${i}` as const } }),
    [`obstacle${i}`]: contact({ pin: `obstacle${i}` as const, debounceMs: 10, on: { change: `obstacle${i}` as const } }),
    [`scale${i}`]: loadCell({ data: `scale${i}Data` as const, clock: `scale${i}Clock` as const }),
    [`select${i}`]: button({ pin: `select${i}` as const, on: { press: `select${i}` as const } }),
  };
  return parts as
    & { readonly [K in `level${I}`]: L }
    & { readonly [K in `lid${I}`]: ReturnType<typeof servo<{ pin: `lid${I}` }>> }
    & { readonly [K in `lidSwitch${I}`]: ReturnType<typeof contact<{ pin: `lidSwitch${I}`; on: { change: `lidSwitch${I}` } }>> }
    & { readonly [K in `obstacle${I}`]: ReturnType<typeof contact<{ pin: `obstacle${I}`; debounceMs: 10; on: { change: `obstacle${I}` } }>> }
    & { readonly [K in `scale${I}`]: ReturnType<typeof loadCell<{ data: `scale${I}Data`; clock: `scale${I}Clock` }>> }
    & { readonly [K in `select${I}`]: ReturnType<typeof button<{ pin: `select${I}`; on: { press: `select${I}` } }>> };
}

/** The standard station (hal/boards/esp32-smart-bin.ts): an ultrasonic compartment and a time-of-flight one. */
export const SMART_BIN_PARTS = Object.freeze({
  ...STATION_PARTS,
  ...compartmentParts(0, ultrasonicLevel(0)),
  ...compartmentParts(1, timeOfFlightLevel(1)),
});
