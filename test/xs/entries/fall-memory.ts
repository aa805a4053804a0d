// Entry for the fall detector's memory test: one detector fed a looping mix of walking, falls and sitting
// down; each feed ends with a full collection so the crank's heap count is what stays alive.
import { FallDetector } from '../../../firmware/sensing/fall-detector.js';
import { fall, sittingDown, walking } from '../../../scripts/falls/synthetic.js';

declare const gc: () => void;

const detector = new FallDetector();
const activity = [...walking(11, 30), ...fall(12, 10), ...sittingDown(13)];
let next = 0;

export function feed(samples: number): { candidates: number; alerts: number } {
  let alerts = 0;
  for (let n = 0; n < samples; n++) {
    if (detector.push(activity[next], activity[next + 1], activity[next + 2]) !== undefined) alerts++;
    next = (next + 3) % activity.length;
  }
  gc();
  return { candidates: detector.candidates, alerts };
}
