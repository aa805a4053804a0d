// The figures eval:bin prints, from a trace and what the pipeline did with it (definitions: docs/smart-bin.md,
// "Level traces").
import type { Trace } from './traces.js';
import type { TraceRun } from './xs-level.js';

export const DEFAULT_MARGIN_PCT = 5;
/** Truth must stay past highPct + margin this long before a pipeline that never says full has missed it. */
export const MISSED_FULL_AFTER_S = 2 * 3600;

export interface TraceScore {
  /** Sum and count of |fill − truth| over the bursts with a fill estimate (truth capped at 100). */
  absErrorSum: number;
  estimates: number;
  falseFull: number;
  missedFull: number;
  readings: number;
}

export function scoreTrace(trace: Trace, run: TraceRun): TraceScore {
  const { rows, header } = trace;
  const margin = header.marginPct ?? DEFAULT_MARGIN_PCT;
  const score: TraceScore = { absErrorSum: 0, estimates: 0, falseFull: 0, missedFull: 0, readings: 0 };
  let overSince: number | undefined; // first row of the current run of truth ≥ high + margin
  let saidFull = false;
  const closeRun = (endT: number) => {
    if (overSince !== undefined && endT - rows[overSince]!.t >= MISSED_FULL_AFTER_S && !saidFull) score.missedFull++;
    overSince = undefined;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    score.readings += row.readings.length;
    const fill = run.fill[i];
    if (fill !== null && fill !== undefined) {
      score.absErrorSum += Math.abs(fill - Math.min(100, row.truePct));
      score.estimates++;
    }
    if (run.full[i] && !(i > 0 && run.full[i - 1]) && row.truePct < header.highPct - margin) score.falseFull++;
    if (row.truePct >= header.highPct + margin) {
      if (overSince === undefined) {
        overSince = i;
        saidFull = false;
      }
      saidFull ||= run.full[i] === true;
    } else {
      closeRun(i > 0 ? rows[i - 1]!.t : row.t);
    }
  }
  closeRun(rows.at(-1)?.t ?? 0);
  return score;
}

export function addScores(a: TraceScore, b: TraceScore): TraceScore {
  return {
    absErrorSum: a.absErrorSum + b.absErrorSum, estimates: a.estimates + b.estimates,
    falseFull: a.falseFull + b.falseFull, missedFull: a.missedFull + b.missedFull, readings: a.readings + b.readings,
  };
}
