// Writes the committed set of level traces (scripts/bin/traces/*.jsonl.gz) that `npm run eval:bin` runs without
// arguments: weeks of a station's life per trace, from the physical model in simulator/kinds/bin-physics.ts.
// Deterministic: the same seeds give the same files.
//
//   npx tsx scripts/bin/generate.ts [--out DIR] [--only NAME]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { BinCompartment, type CompartmentOptions, type Rng } from '../../simulator/kinds/bin-physics.js';
import { random } from '../falls/synthetic.js';
import { DEFAULT_START_MS, formatTraces, type Trace, type TraceRow } from './traces.js';

export const TRACES_DIR = 'scripts/bin/traces';

export interface Scenario {
  name: string;
  sensor: 'ultrasonic' | 'tof';
  days: number;
  seeds: number[];
  compartment?: Partial<Omit<CompartmentOptions, 'rng'>>;
  /** Air in the bin: daily mean and half swing, °C. */
  meanC: number;
  swingC: number;
  /** Deposits per day, their size (litres) and the share in bags. */
  perDay: number;
  litres: [number, number];
  bagShare: number;
  /** The truck comes once the truth reaches collectAtPct, after a delay in hours. */
  collectAtPct: number;
  delayHours: [number, number];
  /** Times per week the lid stays open for hours (jammed by an oversized item). */
  lidLeftOpenPerWeek?: number;
  /** ToF: peak ambient light at noon on a sunny day (0–1). */
  sun?: number;
}

const BURST = 5;
const MEASURE_S = 3600;
const HEADER = { highPct: 80, lowPct: 10, hysteresisPct: 5, settleS: 60 };

export const SCENARIOS: readonly Scenario[] = Object.freeze([
  { name: 'kitchen', sensor: 'ultrasonic', days: 21, seeds: [11, 12], meanC: 18, swingC: 5, perDay: 45, litres: [0.5, 3], bagShare: 0.2, collectAtPct: 75, delayHours: [2, 16] },
  { name: 'bags', sensor: 'ultrasonic', days: 28, seeds: [21, 22], meanC: 15, swingC: 5, perDay: 12, litres: [5, 25], bagShare: 0.9, collectAtPct: 80, delayHours: [4, 24] },
  { name: 'summer', sensor: 'ultrasonic', days: 21, seeds: [31, 32], meanC: 32, swingC: 7, perDay: 35, litres: [1, 5], bagShare: 0.4, collectAtPct: 80, delayHours: [2, 20] },
  { name: 'winter', sensor: 'ultrasonic', days: 21, seeds: [41, 42], meanC: -10, swingC: 4, perDay: 30, litres: [1, 5], bagShare: 0.4, collectAtPct: 80, delayHours: [2, 20] },
  { name: 'lid-open', sensor: 'ultrasonic', days: 21, seeds: [51, 52], meanC: 12, swingC: 5, perDay: 30, litres: [1, 6], bagShare: 0.4, collectAtPct: 80, delayHours: [2, 20], lidLeftOpenPerWeek: 2 },
  { name: 'near-full', sensor: 'ultrasonic', days: 21, seeds: [61, 62], meanC: 16, swingC: 5, perDay: 35, litres: [1, 6], bagShare: 0.4, collectAtPct: 92, delayHours: [24, 60] },
  { name: 'walls', sensor: 'ultrasonic', days: 21, seeds: [71, 72], compartment: { widthMm: 450, heightMm: 1300, wallMm: 320, wallEcho: 0.3, dropout: 0.15, multipath: 0.1 }, meanC: 16, swingC: 5, perDay: 25, litres: [1, 5], bagShare: 0.4, collectAtPct: 80, delayHours: [2, 20] },
  { name: 'tof-sun', sensor: 'tof', days: 21, seeds: [81, 82], meanC: 22, swingC: 8, perDay: 30, litres: [1, 5], bagShare: 0.4, collectAtPct: 80, delayHours: [2, 20], sun: 0.95 },
]);

/** A normal draw. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** How busy the station is at this hour of the day (0 at night, peaks at breakfast and dinner). */
function busy(hour: number): number {
  if (hour < 6 || hour >= 23) return 0;
  return 0.6 + Math.exp(-((hour - 8) ** 2) / 4) + 1.4 * Math.exp(-((hour - 19) ** 2) / 5);
}

function poisson(mean: number, rng: Rng): number {
  let k = 0;
  for (let p = Math.exp(-mean), s = p, u = rng(); u > s; k++) {
    p *= mean / (k + 1);
    s += p;
  }
  return k;
}

export function generateTrace(scenario: Scenario, seed: number): Trace {
  const rng = random(seed);
  const bin = new BinCompartment({ ...scenario.compartment, rng });
  const { heightMm, blindMm } = bin.options;
  const meanBusy = Array.from({ length: 24 }, (_, h) => busy(h)).reduce((a, b) => a + b, 0);
  const rows: TraceRow[] = [];
  let lidClosedAt = -3600; // seconds
  let openUntil = -1; // a lid left open
  let truckAt: number | undefined;
  const end = scenario.days * 86_400;
  for (let t = MEASURE_S; t <= end; t += MEASURE_S) {
    const hourStart = t - MEASURE_S;
    const hour = (hourStart / 3600) % 24;
    const depositTimes = Array.from({ length: poisson((scenario.perDay * busy(hour)) / meanBusy, rng) }, () => hourStart + rng() * (MEASURE_S - 30)).sort((a, b) => a - b);
    let last = hourStart;
    for (const at of depositTimes) {
      bin.settle((at - last) / 3600);
      last = at;
      const [lo, hi] = scenario.litres;
      bin.add({ litres: lo + (hi - lo) * rng() }, { bag: rng() < scenario.bagShare });
      lidClosedAt = Math.max(lidClosedAt, at + 8 + 12 * rng());
    }
    if (scenario.lidLeftOpenPerWeek !== undefined && openUntil < hourStart && rng() < scenario.lidLeftOpenPerWeek / (7 * 24)) {
      openUntil = hourStart + 3600 * (2 + 6 * rng());
    }
    if (openUntil > hourStart) lidClosedAt = Math.max(lidClosedAt, Math.min(openUntil, t + 1));
    bin.settle((t - last) / 3600);
    if (truckAt === undefined && bin.truePct >= scenario.collectAtPct) {
      const [lo, hi] = scenario.delayHours;
      truckAt = t + 3600 * (lo + (hi - lo) * rng());
    }
    const tilted = truckAt !== undefined && truckAt <= t;
    const airC = scenario.meanC + scenario.swingC * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + gaussian(rng);
    const lid = lidClosedAt > t ? 0 : Math.round(t - lidClosedAt);
    const sun = scenario.sun === undefined ? 0 : Math.max(0, scenario.sun * Math.sin(((hour - 6) / 12) * Math.PI) * (0.4 + 0.6 * rng()));
    const readings: LevelReading[] = [];
    for (let i = 0; i < BURST; i++) readings.push(read(bin, scenario.sensor, { celsius: airC, lidOpen: lid === 0 || tilted, ambient: sun, rng }));
    const row: TraceRow = { t, truePct: Math.round(bin.truePct * 10) / 10, lid, celsius: Math.round((airC + 0.5 * gaussian(rng)) * 10) / 10, readings };
    if (tilted) {
      row.tilted = true;
      bin.empty(10 * rng());
      truckAt = undefined;
      lidClosedAt = t + 30; // the truck puts it back; the next burst sees a closed lid
    }
    rows.push(row);
  }
  return {
    header: { trace: `${scenario.name}-${seed}`, sensor: scenario.sensor, heightMm, blindMm, ...HEADER, start: DEFAULT_START_MS },
    rows,
  };
}

function read(bin: BinCompartment, sensor: Scenario['sensor'], at: { celsius: number; lidOpen: boolean; ambient: number; rng: Rng }): LevelReading {
  if (sensor === 'ultrasonic') {
    const r = bin.ultrasonic(at);
    return r === 'noEcho' ? { fault: 'noEcho' } : { mm: r };
  }
  if (at.lidOpen) return at.rng() < 0.5 ? { fault: 'noEcho' } : { mm: Math.round(200 + 3000 * at.rng()) };
  const r = bin.tof(at);
  if (r === 'noEcho') return { fault: 'noEcho' };
  return 'ambient' in r ? { fault: 'ambient' } : { mm: r.mm };
}

function main(): void {
  const program = new Command()
    .option('--out <dir>', 'where to write', TRACES_DIR)
    .option('--only <name>', 'one scenario')
    .parse();
  const opts = program.opts<{ out: string; only?: string }>();
  mkdirSync(opts.out, { recursive: true });
  for (const scenario of SCENARIOS) {
    if (opts.only !== undefined && scenario.name !== opts.only) continue;
    const traces = scenario.seeds.map((seed) => generateTrace(scenario, seed));
    const path = join(opts.out, `${scenario.name}.jsonl.gz`);
    const bytes = gzipSync(formatTraces(traces), { level: 9 });
    writeFileSync(path, bytes);
    process.stdout.write(`${path}: ${traces.length} traces, ${traces.reduce((n, tr) => n + tr.rows.length, 0)} rows, ${bytes.length} bytes\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
