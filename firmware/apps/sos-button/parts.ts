// The SOS button's parts. None is required: without the accelerometer it is a plain SOS button, without the
// battery divider it does not report its battery; what is missing is logged and reported (health `hardware`).
// The accelerometer's INT1 wakes fall detection on motion; the button's pin also wakes the chip from deep sleep.
import { battery } from '../../parts/battery.js';
import { button } from '../../parts/button.js';
import { indicator } from '../../parts/indicator.js';
import { lis3dh } from '../../parts/lis3dh.js';

/** Where the parts' callbacks go (app.ts). */
export interface SosButtonEvents {
  /** INT1 rose: the wearer moves again. */
  motion(): void;
  press(): void;
  longPress(): void;
  release(heldMs: number): void;
}

/** Held this long, a press cancels a fall or press window. */
export const LONG_PRESS_MS = 2000;

export const SOS_BUTTON_PARTS = Object.freeze({
  // keepFifo: after a wake on impact the FIFO holds the samples before the trigger (the app reads them first).
  accel: lis3dh({ interrupt: 'accelInterrupt', on: { alert: 'motion' }, keepFifo: true }),
  battery: battery({ pin: 'battery', window: 4 }),
  led: indicator({ pin: 'led' }),
  buzzer: indicator({ pin: 'buzzer' }),
  vibration: indicator({ pin: 'vibration' }),
  button: button({ pin: 'button', longPressMs: LONG_PRESS_MS, on: { press: 'press', longPress: 'longPress', release: 'release' } }),
});
