// How a device without a screen shows its setup on one LED ([on ms, off ms, …], repeated), the same on every model:
// a slow blink while it waits for the installer, a fast one while it restarts and proves, a double flash while
// something is wrong (the page and the console say what). Set up, the app's own standing state is back.
import type { SetupStatus } from './setup-status.js';

export const SETUP_LED = Object.freeze({
  waiting: Object.freeze([1000, 1000]),
  working: Object.freeze([150, 150]),
  problem: Object.freeze([150, 150, 150, 1050]),
});

/** The LED pattern for `status`, or undefined once set up. */
export function setupLed(status: SetupStatus): readonly number[] | undefined {
  if (status.phase === 'done') return undefined;
  if (status.problem) return SETUP_LED.problem;
  return status.phase === 'needs_code' || status.phase === 'needs_wifi' ? SETUP_LED.waiting : SETUP_LED.working;
}
