// Entry for test/xs/level.test.ts: the level pipeline over a trace (the eval's own entry) and single bursts.
import { estimateLevel, type LevelSetup } from '../../../firmware/apps/smart-bin/level/estimate.js';
import type { LevelReading } from '../../../firmware/drivers/level-reading.js';

export { runTrace } from '../../../scripts/bin/xs-level.js';

/** Arguments come as JSON: an undefined one arrives as null. */
export function estimate(readings: LevelReading[], setup: LevelSetup, celsius: number | null, reflectorsMm: number[] | null) {
  return estimateLevel(readings, setup, celsius ?? undefined, reflectorsMm ?? undefined);
}
