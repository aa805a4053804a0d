// The SOS pendant app, wired to the board's peripherals:
//
//   const runtime = new DeviceRuntime({ hal, model: SOS_BUTTON_MODEL, app: createSosButtonApp() });
//
// The app builds its peripherals from the runtime's HAL when the runtime starts it. See docs/sos-button.md.
import { SosButtonApp } from './app.js';
import type { SosHardwareOptions } from './hardware.js';

export const SOS_BUTTON_MODEL = 'sos-button';

export function createSosButtonApp(hardwareOptions: SosHardwareOptions = {}): SosButtonApp {
  return new SosButtonApp({ hardwareOptions });
}

export { SosButtonApp, type SosButtonAppOptions } from './app.js';
export { SOS_CONFIG } from './config.js';
export { createSosHardware, type SosHardware, type SosHardwareOptions } from './hardware.js';
export { INDICATIONS, type Indication } from './patterns.js';
