// The SOS button, worn as a pendant: a press raises an SOS after a confirmation pattern; a detected fall raises
// one after a cancel window; the platform's alarm updates show on the LED, buzzer and vibration motor. See
// docs/sos-button.md.
//
//   startDevice({ device: SOS_BUTTON, board: esp32SosButton, deepSleep });   // hal/moddable/entries/sos-button.ts
import type { DeviceDefinition } from '../../parts/device.js';
import { SosButtonApp } from './app.js';
import { SOS_BUTTON_PARTS } from './parts.js';

export const SOS_BUTTON = Object.freeze({
  model: 'sos-button',
  parts: SOS_BUTTON_PARTS,
  createApp: () => new SosButtonApp(),
}) satisfies DeviceDefinition;

export { SosButtonApp, type SosButtonAppOptions, type SosButtonParts } from './app.js';
export { SOS_CONFIG } from './config.js';
export { INDICATIONS, type Indication } from './patterns.js';
export { LONG_PRESS_MS, SOS_BUTTON_PARTS, type SosButtonEvents } from './parts.js';
