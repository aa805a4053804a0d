// Entry run on the real XS engine by eval.ts: the firmware detector over one recording's samples, or over what
// each wake on impact delivers (device-view.ts). ECMAScript only (it is bundled for xsnap).
import { FallDetector, type FallDetectorOptions } from '../../firmware/sensing/fall-detector.js';
import { placements, type Placement } from '../../firmware/sensing/fall-model.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';

/** Pushes interleaved x, y, z samples through a new detector; returns how many alerts it raised. */
function alerts(samples: number[], options: Partial<FallDetectorOptions>): number {
  const detector = new FallDetector(options);
  let count = 0;
  for (let i = 0; i + 2 < samples.length; i += 3) {
    if (detector.push(samples[i], samples[i + 1], samples[i + 2]) !== undefined) count++;
  }
  return count;
}

/** Configured for where the sensor was worn (the recording's placement when the detector knows it; else its default, 'neck'). */
function worn(placement: string | undefined): Partial<FallDetectorOptions> {
  return placements.includes(placement as Placement) ? { placement: placement as Placement } : {};
}

/** The detector over a continuous stream; returns its alerts. */
export function detect(samples: number[], placement?: string): number {
  return alerts(samples, worn(placement));
}

/** A new detector for each wake on impact (RAM does not survive deep sleep), configured as IMPACT_WAKE says; returns the alerts of all. */
export function detectAfterWakes(wakes: number[][], placement?: string): number {
  let count = 0;
  for (const samples of wakes) count += alerts(samples, { ...IMPACT_WAKE.detectorOptions, ...worn(placement) });
  return count;
}
