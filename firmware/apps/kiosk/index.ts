// The self-service kiosk as a device: its model, its parts and its app. The renderer (Piu on the device, HTML in
// the simulator) is wired by whoever boots it: kioskDevice({ render }) gives the definition with those hooks.
import type { DeviceDefinition } from '../../parts/device.js';
import { KioskApp, type KioskHooks } from './app.js';
import { KIOSK_PARTS } from './parts.js';

export function kioskDevice(hooks: KioskHooks = {}) {
  return Object.freeze({
    model: 'kiosk',
    parts: KIOSK_PARTS,
    createApp: () => new KioskApp(hooks),
  }) satisfies DeviceDefinition;
}

/** The kiosk with no renderer attached (headless: tests, the platform's view of it). */
export const KIOSK = kioskDevice();
