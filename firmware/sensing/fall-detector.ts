// Streaming fall detector for a worn accelerometer (50 samples/s, milli-g). Engine-neutral (XS and Node).
//
//   const detector = new FallDetector();  // or new FallDetector({ placement: 'waist' }) for a belt clip
//   const alert = detector.push(x, y, z); // once per sample; an alert object when a fall is confirmed
//
// Two stages. The impact finder (impact-features.ts) marks each acceleration peak above impactMg and,
// postSamples later, measures the event: impact, free fall before it, change of posture and stillness
// after it — all independent of how the sensor is oriented. The classifier (fall-model.ts: physical
// gates, then boosted decision stumps trained on recorded falls and daily activities) scores the event
// against the threshold for where the device is worn (option placement: 'neck' for the SOS button).
// An alert starts a refractory period so that one fall, with its several impacts, gives one alert.
// Memory is fixed at construction (ring buffers); a sample costs a square root and a few comparisons.
import { ImpactFinder, impactDefaults, type ImpactFeatures, type ImpactOptions } from './impact-features.js';
import { checkFallModel, modelFor, placements, scoreImpact, type FallModel, type Placement } from './fall-model.js';
import { fallModel } from './fall-model-data.js';

export interface FallDetectorOptions extends ImpactOptions {
  /** Samples after an alert's impact during which further candidates are ignored. */
  refractorySamples: number;
  model: FallModel;
  /** Where the sensor is worn (selects the model's threshold for it): 'neck' (the SOS button) or 'waist'. */
  placement: Placement;
}

export const fallDetectorDefaults: Readonly<FallDetectorOptions> = Object.freeze({
  ...impactDefaults,
  refractorySamples: 30 * 50,
  model: fallModel,
  placement: 'neck',
});

export interface FallAlert {
  /** Sample number of the impact (counts pushes from 0, wrapping at 2^30). */
  impactSample: number;
  /** Samples between the impact and this alert (the time the detector waited to see the aftermath). */
  delaySamples: number;
  peakMg: number;
  angleDeg: number;
  postActivityMg: number;
  score: number;
}

const SAMPLE_WRAP = 0x3fffffff;

export class FallDetector {
  readonly options: Readonly<FallDetectorOptions>;
  #finder: ImpactFinder;
  #lastAlertSample = 0;
  #alerted = false;
  #candidates = 0;
  #alerts = 0;
  #lastScore = Number.NaN;
  #threshold: number;
  #refractory: number;
  #model: FallModel;

  constructor(options: Partial<FallDetectorOptions> = {}) {
    const o = { ...fallDetectorDefaults, ...options };
    if (!Number.isFinite(o.refractorySamples) || o.refractorySamples < 0) {
      throw new RangeError('fall detector option refractorySamples must be a number ≥ 0');
    }
    if (!placements.includes(o.placement)) {
      throw new RangeError(`fall detector option placement must be one of ${placements.join(', ')}`);
    }
    checkFallModel(o.model);
    this.#finder = new ImpactFinder(o);
    // Shared stumps plus the placement's own, and its threshold: fixed here, so a candidate costs one loop.
    this.#model = modelFor(o.model, o.placement);
    this.#threshold = this.#model.threshold;
    this.#refractory = o.refractorySamples;
    this.options = Object.freeze(o);
  }

  /** An impact waits for its aftermath to be judged: a device that sleeps now would never decide it. */
  get pending(): boolean {
    return this.#finder.pending;
  }

  /** Candidate impacts judged so far. */
  get candidates(): number {
    return this.#candidates;
  }

  /** Alerts raised so far. */
  get alerts(): number {
    return this.#alerts;
  }

  /** Score threshold in use (the model's, for the configured placement). */
  get threshold(): number {
    return this.#threshold;
  }

  /** Score of the last candidate judged (NaN before the first; -Infinity when a gate ruled it out). */
  get lastScore(): number {
    return this.#lastScore;
  }

  /** Adds one sample (milli-g on each axis, any orientation). Returns an alert when a fall is confirmed. */
  push(x: number, y: number, z: number): FallAlert | undefined {
    const features = this.#finder.push(x, y, z);
    return features === undefined ? undefined : this.#judge(features);
  }

  #judge(f: ImpactFeatures): FallAlert | undefined {
    if (this.#alerted) {
      if (((f.peakSample - this.#lastAlertSample) & SAMPLE_WRAP) < this.#refractory) return undefined;
      this.#alerted = false;
    }
    this.#candidates += 1;
    const score = scoreImpact(this.#model, f);
    this.#lastScore = score;
    if (score < this.#threshold) return undefined;
    this.#alerted = true;
    this.#lastAlertSample = f.peakSample;
    this.#alerts += 1;
    return {
      impactSample: f.peakSample,
      delaySamples: this.options.postSamples,
      peakMg: f.peakMg,
      angleDeg: Math.round(f.angleDeg),
      postActivityMg: Math.round(f.postActivityMg),
      score,
    };
  }
}
