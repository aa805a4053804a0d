// Settings of the SOS button (config/desired keys), on top of the runtime's own (healthIntervalS).
import type { ConfigSpec } from '../../runtime/config.js';
import { IMPACT_WAKE } from '../../sensing/impact-wake.js';

export const SOS_CONFIG = {
  /** Run the fall detector on the accelerometer stream. Off: only a press raises an alarm. */
  fallDetection: { type: 'boolean', default: true },
  /** Seconds a detected fall sounds locally before the alarm goes out; a long press cancels it meanwhile. */
  fallCancelS: { type: 'integer', min: 5, max: 300, default: 30 },
  /** Seconds of the confirmation pattern after a press before the SOS goes out (0: at once). */
  pressConfirmS: { type: 'integer', min: 0, max: 15, default: 3 },
  /** Seconds the platform has to accept an alarm before the SOS button re-sends it and escalates locally. */
  acceptTimeoutS: { type: 'integer', min: 15, max: 3600, default: 90 },
  /** Reminders per alarm at most (one per acceptTimeoutS while not accepted). */
  maxReminders: { type: 'integer', min: 0, max: 100, default: 10 },
  /** Seconds between check-ins while nothing happens (the `wakeIn` of the sleeping status). */
  checkInS: { type: 'integer', min: 60, max: 604_800, default: 21_600 },
  /** Seconds the radio stays up after connecting (retained alarm/config, queued commands arrive meanwhile). */
  awakeS: { type: 'integer', min: 2, max: 3600, default: 15 },
  /** Seconds to keep trying to connect before going back to sleep (not while an alarm is open). */
  connectGiveUpS: { type: 'integer', min: 10, max: 3600, default: 60 },
  /** Seconds until the next try when events wait in the outbox after a failed connection. */
  retryS: { type: 'integer', min: 30, max: 86_400, default: 900 },
  /** Battery percentage at or below which `battery.low` is raised. */
  lowBatteryPct: { type: 'integer', min: 1, max: 60, default: 20 },
  /** The battery must climb this many points above lowBatteryPct before it counts as recovered. */
  batteryHysteresisPct: { type: 'integer', min: 1, max: 30, default: 5 },
  /** Seconds between battery readings. */
  batteryCheckS: { type: 'integer', min: 60, max: 86_400, default: 3600 },
  /** Seconds without motion after which FIFO polling stops until the accelerometer's wake-on-motion (0: never). */
  stillS: { type: 'integer', min: 0, max: 86_400, default: 120 },
  /**
   * With fall detection on, deep-sleep when idle and let the accelerometer watch alone, waking the chip on an
   * impact (issue 13). Off: light sleep, the CPU reading the FIFO. Off by default until the detector is judged on
   * what a wake gives it (docs/sos-button.md).
   */
  impactWake: { type: 'boolean', default: false },
  /**
   * Wake on impact while the chip deep-sleeps (fall detection on): change of acceleration on any axis, gravity
   * filtered out by the LIS3DH, that wakes the chip, mg (62 mg steps at ±8 g). Lower wakes more often (battery),
   * higher misses soft falls; the default is the device pipeline's (IMPACT_WAKE), measured on the shared recordings.
   */
  impactWakeMg: { type: 'integer', min: 496, max: 4000, default: IMPACT_WAKE.thresholdMg },
  /** How long the change must last to wake the chip, ms (0: one sample; 40 ms steps: it watches at 25 Hz). */
  impactWakeMs: { type: 'integer', min: 0, max: 200, default: IMPACT_WAKE.durationMs },
} satisfies ConfigSpec;

/** The SOS button's key-value domain: its alarm records (`window`, `alarm`) and the battery state (`batLow`). */
export const SOS_DOMAIN = 'sos';
