// Training copies of a recording as other pendants and wearers could deliver it (issue 13: more data beats more
// tuning): hung another way round (a random 3D rotation: the chip's wake compares each axis on its own, so it
// matters even though the features do not), another sensor's noise, sampled at a slightly different rate and
// phase, and woken by a slower or faster ESP32. Deterministic: copy k of a recording is always the same.
import { random, randomRotation, rotate } from './synthetic.js';
import type { Recording } from './recordings.js';

export interface Augmentation {
  /** Gaussian sensor noise added per axis, mg (standard deviation). */
  noiseMg: number;
  /** Largest relative error of the sampling clock (0.02: ±2 %). */
  rateJitter: number;
  /** Range of the ESP32's wake time, ms (the copy's wake time is drawn uniformly from it). */
  wakeMs: readonly [number, number];
}

export const augmentDefaults: Readonly<Augmentation> = Object.freeze({ noiseMg: 8, rateJitter: 0.02, wakeMs: Object.freeze([150, 600] as [number, number]) });

/** Seed of copy k of a recording: its id hashed, so copies do not depend on the order files are read in. */
function seedOf(id: string, copy: number): number {
  let h = 2166136261 ^ copy;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Linear interpolation of the trace at fractional sample positions start, start + step, ... */
function resample(samples: readonly number[], start: number, step: number): number[] {
  const n = samples.length / 3;
  const out: number[] = [];
  for (let t = start; t <= n - 1; t += step) {
    const i = Math.floor(t), f = t - i, j = Math.min(n - 1, i + 1);
    for (let axis = 0; axis < 3; axis++) out.push(samples[i * 3 + axis]! * (1 - f) + samples[j * 3 + axis]! * f);
  }
  return out;
}

/** Copy `copy` (1, 2, ...) of a recording, and the wake time its device view should assume. */
export function augmented(recording: Recording, copy: number, o: Augmentation = augmentDefaults): { recording: Recording; wakeMs: number } {
  const rnd = random(seedOf(recording.id, copy));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const step = 1 + (2 * rnd() - 1) * o.rateJitter;
  const moved = rotate(resample(recording.samples, rnd(), step), randomRotation(rnd));
  const samples = moved.map((v) => Math.round(v + gauss() * o.noiseMg));
  const wakeMs = Math.round(o.wakeMs[0] + rnd() * (o.wakeMs[1] - o.wakeMs[0]));
  return { recording: { ...recording, id: `${recording.id}#${copy}`, samples }, wakeMs };
}
