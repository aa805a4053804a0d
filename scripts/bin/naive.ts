// The yardstick eval:bin --naive prints beside the pipeline: what a plain fill sensor does. The median of the
// echoes in a burst at the fixed speed of sound, no blind-zone rule (a reading there is just a distance), no
// reflector learning, full as soon as a burst reads highPct (no hysteresis), measured whatever the lid does.
import type { Trace } from './traces.js';
import type { TraceRun } from './xs-level.js';

export function runNaive({ header, rows }: Trace): TraceRun {
  const usable = header.heightMm - header.blindMm;
  const fill: (number | null)[] = [];
  const full: boolean[] = [];
  for (const row of rows) {
    const echoes = row.readings.flatMap((r) => ('mm' in r ? [r.mm] : [])).sort((a, b) => a - b);
    if (echoes.length === 0) {
      fill.push(null);
      full.push(full.at(-1) ?? false);
      continue;
    }
    const distance = echoes[Math.floor(echoes.length / 2)]!;
    const pct = Math.min(100, Math.max(0, (100 * (header.heightMm - distance)) / usable));
    fill.push(pct);
    full.push(pct >= header.highPct);
  }
  return { fill, full, reports: 0 };
}
