// The smart garbage sorting station as a device: its model, its parts (the standard two-compartment station) and
// its app. Another compartment layout is the same app over another table (parts.ts: compartmentParts()).
import type { DeviceDefinition } from '../../parts/device.js';
import { SmartBinApp } from './app.js';
import { SMART_BIN_PARTS } from './parts.js';

export const SMART_BIN = Object.freeze({
  model: 'smart-bin',
  parts: SMART_BIN_PARTS,
  createApp: () => new SmartBinApp(),
}) satisfies DeviceDefinition;
