// A part that opens to a stand-in object: XS entries fit them where the XS HAL proxy has no bus (I2C, ADC), fed
// by the test instead of a chip.
import type { SosButtonParts } from '../../../firmware/apps/sos-button/app.js';
import { SOS_BUTTON_PARTS } from '../../../firmware/apps/sos-button/parts.js';
import type { Closable, Part, PartContext } from '../../../firmware/parts/part.js';
import type { MonotonicClock } from '../../../hal/contract/time.js';

function standInPart<Thing extends Closable>(open: (context: PartContext) => Thing): Part<Thing, never> {
  return { kind: 'stand-in', pins: {}, open };
}

/**
 * The SOS button's parts for XS: its own LED, buzzer and button on Digital pins, and stand-ins for the
 * accelerometer (samples from `readFifo`) and the battery gauge (`battery()`), which need I2C and ADC.
 */
export function sosButtonStandInParts(stand: {
  configure?(clock: MonotonicClock): void;
  readFifo(into: Int16Array, clock: MonotonicClock): number;
  battery(): { mv: number; percent: number };
}): SosButtonParts {
  return {
    accel: standInPart(({ clock }) => ({
      configure: () => stand.configure?.(clock),
      readFifo: (into: Int16Array) => stand.readFifo(into, clock),
      enableWakeOnMotion() {},
      disableWakeOnMotion() {},
      acknowledgeWake: () => false,
      powerDown() {},
      close() {},
    })),
    battery: standInPart(() => ({ read: () => stand.battery(), close() {} })),
    led: SOS_BUTTON_PARTS.led,
    buzzer: SOS_BUTTON_PARTS.buzzer,
    button: SOS_BUTTON_PARTS.button,
  };
}
