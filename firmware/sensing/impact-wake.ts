// The device pipeline of a wake on impact (issue 13), in one place: how the LIS3DH is armed to wake the deep-
// sleeping ESP32 on an impact, what the detector started by that wake is given, and the wake time the measured
// figures assume. The pendant's fall watch arms the chip with these values; scripts/falls/device-view.ts replays
// recordings through the same pipeline, so the figures in docs/fall-detection.md are the device's. Each value was
// chosen by leave-one-subject-out figures through that pipeline (docs/fall-detection.md, "the device pipeline").
import type { FallDetectorOptions } from './fall-detector.js';
import { fallModelAfterWake } from './fall-model-data.js';

export interface ImpactWakeProfile {
  /** High-passed change on any axis that raises INT1, milli-g (the chip rounds it to its steps: 62 mg at ±8 g). */
  readonly thresholdMg: number;
  /** How long the change must last, ms (0: one sample). */
  readonly durationMs: number;
  /** High-pass cut-off of the wake, Hz: gravity and slow turns stay under the threshold. */
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
  highPassHz: 1,
  // Streaming: a frozen FIFO would lose the impact itself while the ESP32 boots.
  captureHistory: false,
  // The detector gets 0.32 s before the trigger at most: its windows before the peak start from the first sample,
  // and its model was trained on what such a detector sees (fall-model-data.ts).
  detectorOptions: Object.freeze({ primeRing: true, model: fallModelAfterWake }),
  // 47 ms measured to app_main (deep-sleep boot without image validation), the rest an estimate: read the FIFO first.
  wakeMs: 300,
});
