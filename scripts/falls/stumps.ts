// Trains the fall classifier: real AdaBoost over decision stumps, on candidate impacts.
//
// A recording is labelled, its candidates are not: in a fall recording only one candidate is the fall
// (others are steps before it, or movements after). So training is multiple-instance: every candidate
// of a daily-activity recording is a negative; a fall recording contributes its best candidate, chosen
// first by the largest posture change, then by the current model's score, for a few rounds.
// Each dataset weighs the same (times its placement's weight: the SOS button is worn at the neck), and within it
// falls and activities weigh the same. Hard gates (fixed by hand from physics, not learned) remove
// candidates that cannot be falls before boosting. Outputs are clipped and shrunk for a smoother model.
// The stumps are shared by all placements; each placement gets its own threshold.
import type { ImpactFeatures } from '../../firmware/sensing/impact-features.js';
import { featureNames, modelFor, placements, scoreImpact, type FallModel, type FeatureName, type Gate, type Placement, type Stump } from '../../firmware/sensing/fall-model.js';

export interface LabelledCandidates {
  dataset: string;
  subject: string;
  fall: boolean;
  /** Where the sensor was worn ('neck', 'waist'); recordings without one only count for the general threshold. */
  placement?: string;
  candidates: ImpactFeatures[];
  /** A training copy (augment.ts): boosted on like the others, but thresholds are chosen on real recordings only. */
  augmented?: boolean;
}

export interface TrainOptions {
  rounds: number;
  /** Candidate split points per feature (quantiles of the training data). */
  splits: number;
  milRounds: number;
  /** Largest magnitude of a stump's output: keeps any one rule from dominating. */
  clip: number;
  features: readonly FeatureName[];
  /** Hard physical conditions, fixed by hand: candidates outside them are never falls and are not trained on. */
  gates: readonly Gate[];
  /** Direction a feature may push the score: 1 = larger is more fall-like, -1 = less; absent = either way. */
  monotone: Partial<Record<FeatureName, 1 | -1>>;
  /** Learning rate: each stump's outputs are scaled by it (smaller = smoother model, more rounds needed). */
  shrink: number;
  /** Relative weight of the datasets of each placement (default 1). */
  placementWeights: Readonly<Partial<Record<Placement, number>>>;
  /**
   * Fall recordings in the multiple-instance rounds after the first: 'hard' = the best-scoring candidate
   * only; 'em' = every candidate, weighted by the current model's posterior that it is the fall,
   * softmax(2 · score) over the recording's candidates (real AdaBoost scores are half log-odds).
   */
  mil: 'hard' | 'em';
  /** Rounds of placement-specific stumps, boosted on each placement's recordings from the shared score. */
  placementRounds: number;
  /**
   * Lowest split point of a feature in the placement rounds: spreads below the SOS button's FIFO step (16 mg)
   * measure the sensor's noise floor (a dataset's sensor), not the wearer.
   */
  placementFloor: Readonly<Partial<Record<FeatureName, number>>>;
  /** Thresholds chosen on the augmented copies too (by default on the real recordings only). */
  thresholdOnCopies: boolean;
}

/** Physical limits of a fall's aftermath, generous (every recorded fall is well inside them). */
export const fallGates: readonly Gate[] = Object.freeze([
  // 1.5–2.5 s after the impact a fallen person is nearly still: falls stay under 180 mg, running is ~1000.
  { feature: 'postActivityMg', min: 0, max: 250 },
  // ...and the mean magnitude is about 1 g (falls: 0.81–1.18 g); 1.4 g and more is someone still moving.
  { feature: 'postMeanMg', min: 700, max: 1400 },
]);

export const trainDefaults: Readonly<TrainOptions> = Object.freeze({
  rounds: 100,
  splits: 40,
  milRounds: 3,
  clip: 4,
  features: featureNames,
  gates: fallGates,
  monotone: {},
  shrink: 0.3,
  placementWeights: { neck: 4 },
  mil: 'em',
  placementRounds: 10,
  placementFloor: { postActivityMg: 16, preActivityMg: 16, postMotionMg: 16, settleActivityMg: 16 },
  thresholdOnCopies: false,
});

interface Sample { values: number[]; positive: boolean; weight: number; /** Score before these rounds. */ base: number }

function splitPoints(samples: Sample[], feature: number, count: number): number[] {
  const values = samples.map((s) => s.values[feature]).sort((a, b) => a - b);
  const points = new Set<number>();
  for (let k = 1; k <= count; k++) {
    const q = 0.02 + (0.96 * (k - 1)) / Math.max(1, count - 1);
    // Integer split points: every feature is in milli-g, samples or degrees, where 1 is below noise.
    points.add(Math.round(values[Math.min(values.length - 1, Math.floor(q * values.length))]));
  }
  return [...points].sort((a, b) => a - b);
}

function boost(samples: Sample[], o: TrainOptions, rounds: number, floor: TrainOptions['placementFloor'] = {}): Stump[] {
  const nf = o.features.length;
  const points = o.features.map((name, j) => splitPoints(samples, j, o.splits).filter((p) => p >= (floor[name] ?? -Infinity)));
  // bin[i][j] = how many split points of feature j sample i reaches (value >= point).
  const bins = samples.map((s) => s.values.map((v, j) => {
    let b = 0;
    while (b < points[j].length && v >= points[j][b]) b++;
    return b;
  }));
  const margin = Float64Array.from(samples, (s) => s.base);
  const stumps: Stump[] = [];
  const eps = 1e-3;
  const direction = o.features.map((name) => o.monotone[name] ?? 0);
  for (let round = 0; round < rounds; round++) {
    const w = samples.map((s, i) => s.weight * Math.exp(s.positive ? -margin[i] : margin[i]));
    const total = w.reduce((a, b) => a + b, 0);
    let best = { z: Infinity, feature: 0, point: 0, below: 0, above: 0 };
    for (let j = 0; j < nf; j++) {
      const k = points[j].length + 1;
      const pos = new Float64Array(k);
      const neg = new Float64Array(k);
      for (let i = 0; i < samples.length; i++) {
        if (samples[i].positive) pos[bins[i][j]] += w[i] / total;
        else neg[bins[i][j]] += w[i] / total;
      }
      const posAll = pos.reduce((a, b) => a + b, 0);
      const negAll = neg.reduce((a, b) => a + b, 0);
      let posBelow = 0, negBelow = 0;
      for (let p = 0; p < points[j].length; p++) {
        // Below split point p: bins 0..p.
        posBelow += pos[p];
        negBelow += neg[p];
        const posAbove = posAll - posBelow, negAbove = negAll - negBelow;
        const z = 2 * (Math.sqrt(posBelow * negBelow) + Math.sqrt(posAbove * negAbove));
        if (z < best.z) {
          const below = 0.5 * Math.log((posBelow + eps) / (negBelow + eps));
          const above = 0.5 * Math.log((posAbove + eps) / (negAbove + eps));
          if (direction[j] * (above - below) < 0) continue;
          best = { z, feature: j, point: points[j][p], below, above };
        }
      }
    }
    const clip = (v: number) => Math.round(Math.max(-o.clip, Math.min(o.clip, v)) * o.shrink * 1000) / 1000;
    const stump: Stump = { feature: o.features[best.feature], threshold: best.point, below: clip(best.below), above: clip(best.above) };
    stumps.push(stump);
    for (let i = 0; i < samples.length; i++) {
      margin[i] += samples[i].values[best.feature] < stump.threshold ? stump.below : stump.above;
    }
  }
  return stumps;
}

/** Best score of each recording: the recording raises an alert when it reaches the model's threshold. */
export function recordingScore(model: FallModel, recording: LabelledCandidates): number {
  const mine = modelFor(model, recording.placement as Placement | undefined);
  let best = -Infinity;
  for (const c of recording.candidates) best = Math.max(best, scoreImpact(mine, c));
  return best;
}

/**
 * Picks the score threshold that maximizes, over datasets, the worst of sensitivity and specificity on
 * the training recordings; among equally good thresholds it takes the middle of the range, for margin.
 */
export function chooseThreshold(scores: number[], recordings: LabelledCandidates[], position = 0.5): number {
  const finite = scores.filter(Number.isFinite);
  const values = [...new Set(finite)].sort((a, b) => a - b);
  const cuts = values.map((v, i) => (i === 0 ? v - 0.5 : (v + values[i - 1]) / 2)).concat([values[values.length - 1] + 0.5]);
  const datasets = [...new Set(recordings.map((r) => r.dataset))];
  let bestWorst = -1;
  let bestCuts: number[] = [];
  for (const cut of cuts) {
    let worst = 1;
    for (const d of datasets) {
      let falls = 0, hits = 0, adls = 0, quiet = 0;
      recordings.forEach((r, i) => {
        if (r.dataset !== d) return;
        if (r.fall) { falls++; if (scores[i] >= cut) hits++; } else { adls++; if (!(scores[i] >= cut)) quiet++; }
      });
      if (falls > 0) worst = Math.min(worst, hits / falls);
      if (adls > 0) worst = Math.min(worst, quiet / adls);
    }
    if (worst > bestWorst + 1e-12) { bestWorst = worst; bestCuts = [cut]; }
    else if (Math.abs(worst - bestWorst) <= 1e-12) bestCuts.push(cut);
  }
  const mid = bestCuts[0] + (bestCuts[bestCuts.length - 1] - bestCuts[0]) * position;
  return Math.round(mid * 1000) / 1000;
}

/**
 * Boosting samples: every candidate of an activity is a negative; a fall recording gives its candidate with
 * the largest posture change (no model yet), else its best-scoring candidate ('hard') or all its candidates
 * weighted by their posterior of being the fall ('em'). `base` is the score the new rounds continue from.
 */
function samplesFor(recordings: LabelledCandidates[], o: TrainOptions, score: ((c: ImpactFeatures) => number) | undefined,
  base: (c: ImpactFeatures) => number): Sample[] {
  const vector = (c: ImpactFeatures) => o.features.map((name) => c[name]);
  const samples: Sample[] = [];
  for (const d of [...new Set(recordings.map((r) => r.dataset))]) {
    const mine = recordings.filter((r) => r.dataset === d);
    const placement = mine[0].placement as Placement | undefined;
    const weight = (placement === undefined ? undefined : o.placementWeights[placement]) ?? 1;
    const falls = mine.filter((r) => r.fall);
    const negatives = mine.filter((r) => !r.fall).reduce((n, r) => n + r.candidates.length, 0);
    for (const r of falls) {
      if (score === undefined || o.mil === 'hard') {
        let pick = r.candidates[0];
        if (score === undefined) { for (const c of r.candidates) if (c.angleDeg > pick.angleDeg) pick = c; }
        else { let best = score(pick); for (const c of r.candidates) { const v = score(c); if (v > best) { pick = c; best = v; } } }
        samples.push({ values: vector(pick), positive: true, weight: weight / falls.length, base: base(pick) });
      } else {
        const s = r.candidates.map((c) => 2 * score(c));
        const top = Math.max(...s);
        const e = s.map((v) => Math.exp(v - top));
        const sum = e.reduce((a, b) => a + b, 0);
        r.candidates.forEach((c, i) => samples.push({ values: vector(c), positive: true, weight: (weight / falls.length) * (e[i] / sum), base: base(c) }));
      }
    }
    for (const r of mine) {
      if (r.fall) continue;
      for (const c of r.candidates) samples.push({ values: vector(c), positive: false, weight: weight / negatives, base: base(c) });
    }
  }
  return samples;
}

export function trainModel(recordings: LabelledCandidates[], options: Partial<TrainOptions> = {}): FallModel {
  const o = { ...trainDefaults, ...options };
  const passes = (c: ImpactFeatures) => o.gates.every((g) => c[g.feature] >= g.min && c[g.feature] <= g.max);
  const withCandidates = recordings
    .map((r) => ({ ...r, candidates: r.candidates.filter(passes) }))
    .filter((r) => r.candidates.length > 0);
  const sum = (list: readonly Stump[]) => (c: ImpactFeatures) => scoreImpact({ stumps: list, threshold: 0 }, c);
  let stumps: Stump[] | undefined;
  for (let round = 0; round < o.milRounds; round++) {
    stumps = boost(samplesFor(withCandidates, o, stumps && sum(stumps), () => 0), o, o.rounds);
  }
  const shared = stumps ?? [];
  const placementStumps: Partial<Record<Placement, Stump[]>> = {};
  if (o.placementRounds > 0) {
    for (const p of placements) {
      const mine = withCandidates.filter((r) => r.placement === p);
      if (!mine.some((r) => r.fall) || !mine.some((r) => !r.fall)) continue;
      let own: Stump[] = [];
      for (let round = 0; round < Math.max(1, o.milRounds - 1); round++) {
        own = boost(samplesFor(mine, o, sum([...shared, ...own]), sum(shared)), o, o.placementRounds, o.placementFloor);
      }
      placementStumps[p] = own;
    }
  }
  const model: FallModel = {
    ...(o.gates.length > 0 ? { gates: o.gates } : {}),
    stumps: shared,
    threshold: 0,
    ...(Object.keys(placementStumps).length > 0 ? { placementStumps } : {}),
  };
  const thresholds: Partial<Record<Placement, number>> = {};
  const real = o.thresholdOnCopies ? recordings : recordings.filter((r) => !r.augmented);
  for (const p of placements) {
    const mine = real.filter((r) => r.placement === p);
    if (mine.some((r) => r.fall) && mine.some((r) => !r.fall)) {
      thresholds[p] = chooseThreshold(mine.map((r) => recordingScore(model, r)), mine);
    }
  }
  return {
    ...model,
    threshold: chooseThreshold(real.map((r) => recordingScore(model, r)), real),
    ...(Object.keys(thresholds).length > 0 ? { thresholds } : {}),
  };
}
