// The device pipeline of a wake on impact (issue 13), in one place: how the LIS3DH is armed to wake the deep-
// sleeping ESP32 on an impact, what the detector started by that wake is given, and the wake time the measured
// figures assume. The pendant's fall watch arms the chip with these values; scripts/falls/device-view.ts replays
// recordings through the same pipeline, so the figures in docs/fall-detection.md are the device's. Each value was
// chosen by leave-one-subject-out figures through that pipeline (docs/fall-detection.md, "the device pipeline").
import type { FallDetectorOptions } from './fall-detector.js';
import { fallModelAfterWake } from './fall-model-data.js';

/** The rates the chip may sleep at: the LIS3DH's that divide the detector's 50 Hz (below 10 Hz the impact is lost). */
export const SLEEP_RATES_HZ: readonly number[] = Object.freeze([10, 25, 50]);

export interface ImpactWakeProfile {
  /** High-passed change on any axis that raises INT1, milli-g (the chip rounds it to its steps: 62 mg at ±8 g). */
  readonly thresholdMg: number;
  /** How long the change must last, ms (0: one sample). */
  readonly durationMs: number;
  /** How often the chip samples while the ESP32 sleeps, Hz (one of SLEEP_RATES_HZ). */
  readonly sleepRateHz: number;
  /** High-pass cut-off of the wake at sleepRateHz, Hz: gravity and slow turns stay under the threshold. */
  readonly highPassHz: number;
  /** The FIFO freezes on the samples up to the trigger (true) or keeps streaming the newest 32 (false). */
  readonly captureHistory: boolean;
  /** Options of a detector that starts on a wake (on top of its defaults). */
  readonly detectorOptions: Readonly<Partial<FallDetectorOptions>>;
  /** ESP32 time from INT1 to the first FIFO read, ms: what the evaluation assumes. */
  readonly wakeMs: number;
}

export const IMPACT_WAKE: ImpactWakeProfile = Object.freeze({
  // 10 steps of 62 mg: wakes earlier in a fall than 868 mg (more of it reaches the detector), 1.4× the wakes.
  thresholdMg: 620,
  durationMs: 0,
  // The 32-deep FIFO then spans 1.28 s instead of 0.64 s (about 1 s of it before the trigger after the wake time),
  // the history the detector lacked, and
  // the chip draws about 6 µA instead of 11; the wake interpolates it up to 50 Hz (upsample) and sets 50 Hz again.
  // At 10 Hz the impact itself is lost.
  sleepRateHz: 25,
  // ODR/50, as 1 Hz was at 50 Hz (wakeHighPassHz gives the same fraction at another rate).
  highPassHz: 0.5,
  // Streaming: a frozen FIFO would lose the impact itself while the ESP32 boots.
  captureHistory: false,
  // The detector gets about 1 s before the trigger at most: its windows before the peak start from the first sample,
  // and its model was trained on what such a detector sees (fall-model-data.ts).
  detectorOptions: Object.freeze({ primeRing: true, model: fallModelAfterWake }),
  // 47 ms measured to app_main (deep-sleep boot without image validation), the rest an estimate: read the FIFO first.
  wakeMs: 300,
});

/**
 * Writes `count` samples (x, y, z interleaved) measured at a rate `factor` times lower as `count * factor` samples
 * into `into`: each interval between two samples is filled linearly, the newest (whose successor is not read yet)
 * is held. Returns the samples written. This is how the history read after a wake on impact reaches the detector.
 */
export function upsample(from: Int16Array, count: number, factor: number, into: Int16Array): number {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError('upsample: factor must be a positive integer');
  if (!(Number.isInteger(count) && count >= 0 && count * 3 <= from.length)) throw new RangeError('upsample: count must be 0 to the samples given');
  if (into.length < count * factor * 3) throw new RangeError('upsample: the output is too short');
  let o = 0;
  for (let i = 0; i < count * 3; i += 3) {
    const next = i + 3 < count * 3 ? i + 3 : i;
    for (let k = 0; k < factor; k++) {
      for (let axis = 0; axis < 3; axis++) {
        const a = from[i + axis]!;
        into[o++] = Math.round(a + ((from[next + axis]! - a) * k) / factor);
      }
    }
  }
  return count * factor;
}

/** The profile's high-pass cut-off as the same fraction of another sleep rate (the chip offers rate/50, /100, ...). */
export function wakeHighPassHz(sleepRateHz: number, profile: Pick<ImpactWakeProfile, 'sleepRateHz' | 'highPassHz'> = IMPACT_WAKE): number {
  return (profile.highPassHz * sleepRateHz) / profile.sleepRateHz;
}
