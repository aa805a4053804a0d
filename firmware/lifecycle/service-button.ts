// The service button: a button inside the enclosure (the module's BOOT button on GPIO 0, read as a plain input once
// the chip runs) that, held for SERVICE_HOLD_MS, asks for a factory reset — the installer's way to wipe a device
// that cannot reach the platform any more. Opened by the runtime, app or not (safe mode too), only on boards that
// name a `service` pin; residents cannot reach it, and a hold this long is never an accident.
import { SERVICE_PIN, type Device } from '../../hal/contract/board.js';
import type { PinSpecifier } from '../../hal/contract/io.js';
import type { MonotonicClock, Timers } from '../../hal/contract/time.js';
import { Button } from '../io/button.js';

export const SERVICE_HOLD_MS = 10_000;

/** The service button on the board, or undefined when it has none. `onHeld` runs once per hold of SERVICE_HOLD_MS. */
export function openServiceButton(device: Device, timers: Timers, clock: MonotonicClock, onHeld: () => void): Button | undefined {
  const pin = (device.board.pin as Readonly<Record<string, PinSpecifier | undefined>>)[SERVICE_PIN];
  if (pin === undefined) return undefined;
  return new Button({ io: device.io.Digital, pin, timers, clock, longPressMs: SERVICE_HOLD_MS, onLongPress: onHeld });
}
