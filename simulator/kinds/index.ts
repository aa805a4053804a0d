// The device kinds the simulator can run.
import { doorReaderKind } from './door-reader.js';
import { genericKind } from './generic.js';
import type { AnyDeviceKind } from './kind.js';
import { kioskKind } from './kiosk.js';
import { smartBinKind } from './smart-bin.js';
import { sosButtonKind } from './sos-button.js';

export const DEVICE_KINDS: Readonly<Record<string, AnyDeviceKind>> = {
  [genericKind.model]: genericKind,
  [doorReaderKind.model]: doorReaderKind,
  [sosButtonKind.model]: sosButtonKind,
  [smartBinKind.model]: smartBinKind,
  [kioskKind.model]: kioskKind,
};

/** What `npm start` runs when no fleet is given. */
export const DEFAULT_FLEET = 'door-reader:1,sos-button:1,smart-bin:1,kiosk:1,generic:1';

export interface FleetEntry {
  kind: AnyDeviceKind;
  count: number;
}

/** Parses "door-reader:2,sos-button" (count defaults to 1). */
export function parseFleet(text: string): FleetEntry[] {
  const entries: FleetEntry[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name = '', countText] = part.split(':');
    const kind = Object.prototype.hasOwnProperty.call(DEVICE_KINDS, name) ? DEVICE_KINDS[name] : undefined;
    if (!kind) throw new RangeError(`unknown device kind "${name}" (known: ${Object.keys(DEVICE_KINDS).join(', ')})`);
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 999) throw new RangeError(`"${part}": count must be 1–999`);
    entries.push({ kind, count });
  }
  if (entries.length === 0) throw new RangeError('the fleet is empty');
  return entries;
}
