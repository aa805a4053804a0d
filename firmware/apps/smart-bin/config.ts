// Settings of the sorting station (config/desired keys), on top of the runtime's own (healthIntervalS). One set
// for every compartment: a station's compartments are the same size; `categories` says what each one takes.
import type { ConfigSpec } from '../../runtime/config.js';

export const SMART_BIN_CONFIG = {
  /** Millimetres from the level sensor's face to the compartment's floor (LwM2M 3435 "container height"). */
  heightMm: { type: 'integer', min: 200, max: 3000, default: 1000 },
  /** The level sensor's blind zone, mm: a reading inside it means "at least full" (A02YYUW ~30, JSN-SR04T ~250). */
  blindMm: { type: 'integer', min: 0, max: 600, default: 250 },
  /** Fill % at or above which a compartment is full (needs collecting), and at or below which it is empty. */
  highPct: { type: 'integer', min: 50, max: 100, default: 80 },
  lowPct: { type: 'integer', min: 0, max: 40, default: 10 },
  /** A flag set at a threshold clears only this many points on the other side (no flapping). */
  hysteresisPct: { type: 'integer', min: 1, max: 20, default: 5 },
  /** Fill % that counts as overflowing, and seconds it must last before the overflow alarm. */
  overflowPct: { type: 'integer', min: 80, max: 100, default: 95 },
  overflowS: { type: 'integer', min: 0, max: 86_400, default: 1800 },
  /** Seconds between level measurements (a burst each) while nothing happens; after every deposit too. */
  measureS: { type: 'integer', min: 60, max: 86_400, default: 900 },
  /** Longest time between bin.level reports; the pipeline reports sooner as a compartment fills. */
  reportS: { type: 'integer', min: 600, max: 86_400, default: 21_600 },
  /** Level bursts in a row without a usable reading before a sensor fault alarm. */
  faultBursts: { type: 'integer', min: 1, max: 50, default: 4 },
  /** Each compartment's category, in compartment order (kitchen, recyclable, hazardous, other). */
  categories: { type: 'string', maxLength: 64, default: 'recyclable,other' },
  /** Credits per kilogram of each category (0: weighed and recorded, no credits). */
  creditsKitchen: { type: 'integer', min: 0, max: 10_000, default: 10 },
  creditsRecyclable: { type: 'integer', min: 0, max: 10_000, default: 20 },
  creditsHazardous: { type: 'integer', min: 0, max: 10_000, default: 50 },
  creditsOther: { type: 'integer', min: 0, max: 10_000, default: 0 },
  /** A deposit lighter than this is "nothing" (no credit); heavier than maxDepositG is refused as implausible. */
  minDepositG: { type: 'integer', min: 1, max: 5000, default: 20 },
  maxDepositG: { type: 'integer', min: 1000, max: 200_000, default: 15_000 },
  /** Seconds a lid stays open for a deposit before it closes by itself. */
  lidOpenS: { type: 'integer', min: 5, max: 120, default: 15 },
  /** Seconds a resident has, after identifying, to choose a compartment. */
  chooseS: { type: 'integer', min: 5, max: 120, default: 20 },
  /** Fire: temperature at or above fireC, or rising fireRiseC degrees within a minute. */
  fireC: { type: 'integer', min: 40, max: 150, default: 65 },
  fireRiseC: { type: 'integer', min: 2, max: 60, default: 8 },
  /** Degrees from upright beyond which the station counts as tilted or knocked over. */
  tiltDeg: { type: 'integer', min: 10, max: 80, default: 30 },
  /** Seconds between temperature and tilt checks. */
  watchS: { type: 'integer', min: 5, max: 3600, default: 30 },
  /** Seconds the platform has to accept an alarm before the station reminds it, and reminders at most. */
  acceptTimeoutS: { type: 'integer', min: 15, max: 86_400, default: 600 },
  maxReminders: { type: 'integer', min: 0, max: 100, default: 6 },
  lowBatteryPct: { type: 'integer', min: 1, max: 60, default: 20 },
  batteryHysteresisPct: { type: 'integer', min: 1, max: 30, default: 5 },
  batteryCheckS: { type: 'integer', min: 60, max: 86_400, default: 3600 },
} satisfies ConfigSpec;

export type SmartBinConfig = typeof SMART_BIN_CONFIG;

/** The station's key-value domain: deposits, scale calibrations, level summaries, battery state. */
export const BIN_DOMAIN = 'bin';
