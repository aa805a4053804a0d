// What the platform needs of a device's event data before it credits, plots or acts on it: the fields it reads,
// checked with the protocol's own field checks; more fields may come (they stay with the stored event, unchecked).
import { shape, type Shape } from '../../firmware/protocol/fields.js';

/** The first problem of `data` for an event of `type` among `needs`, or undefined (also for types not listed). */
export function checkNeeds(needs: Readonly<Record<string, Shape>>, type: string, data: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(needs, type)) return undefined;
  const fields = needs[type]!;
  const known: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) if (Object.hasOwn(data, key)) known[key] = data[key];
  return shape(known, `${type}.data`, fields);
}
