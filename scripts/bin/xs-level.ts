// Entry run on the real XS engine by eval.ts (and on Node, the same function): the device's level pipeline
// over one trace's bursts. ECMAScript only (it is bundled for xsnap).
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { LevelPipeline, type LevelSettings } from '../../firmware/apps/smart-bin/level/pipeline.js';

export interface TraceBurst {
  /** Seconds since `startMs`. */
  t: number;
  /** Seconds the lid has been closed; 0 while open. */
  lid: number;
  celsius?: number;
  tilted?: boolean;
  readings: LevelReading[];
}

export interface TraceRun {
  /** Per burst: the estimate's fill % (null when skipped or a fault). */
  fill: (number | null)[];
  /** Per burst: the pipeline's full flag after it. */
  full: boolean[];
  reports: number;
}

export function runTrace(settings: Partial<LevelSettings>, startMs: number, bursts: TraceBurst[]): TraceRun {
  const pipeline = new LevelPipeline(settings);
  const fill: (number | null)[] = [];
  const full: boolean[] = [];
  let reports = 0;
  for (const b of bursts) {
    const result = pipeline.burst({ readings: b.readings, celsius: b.celsius, lidClosedMs: b.lid * 1000, tilted: b.tilted === true, wallMs: startMs + b.t * 1000 });
    fill.push('estimate' in result && result.estimate.fillPct !== undefined ? result.estimate.fillPct : null);
    full.push(pipeline.full);
    if ('report' in result && result.report !== undefined) reports++;
  }
  return { fill, full, reports };
}
