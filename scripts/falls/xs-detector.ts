// Entry run on the real XS engine by eval.ts: the firmware detector over one recording's samples.
// ECMAScript only (it is bundled for xsnap).
import { FallDetector } from '../../firmware/sensing/fall-detector.js';
import { placements, type Placement } from '../../firmware/sensing/fall-model.js';

/**
 * Pushes interleaved x, y, z samples through a new detector configured for where the sensor was worn
 * (the recording's placement, when it is one the detector knows; else the default, 'neck', the SOS button's);
 * returns how many alerts it raised.
 */
export function detect(samples: number[], placement?: string): number {
  const known = placements.includes(placement as Placement);
  const detector = known ? new FallDetector({ placement: placement as Placement }) : new FallDetector();
  let alerts = 0;
  for (let i = 0; i + 2 < samples.length; i += 3) {
    if (detector.push(samples[i], samples[i + 1], samples[i + 2]) !== undefined) alerts++;
  }
  return alerts;
}
