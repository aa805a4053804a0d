// Runs the device's level pipeline over level traces and prints one line per file:
//   traces=<n> fill_mae_pct=<x> false_full=<k> missed_full=<k> computrons_per_reading=<c> file=<name>
// Every trace runs on the real XS engine (the device's engine), which also gives the cost per raw reading;
// with --node, or when XS cannot start, the same code runs on Node and the cost is n/a. Without files it runs
// the committed set (scripts/bin/traces/, written by generate.ts). Exit 1 when a file cannot be read or, with
// --check, when a file misses the targets (fill_mae_pct ≤ 3, false_full = 0, missed_full = 0) or the engines
// disagree. With --naive, a plain sensor's figures too (naive.ts), as the yardstick (Node only).
//
//   npm run eval:bin -- [--node] [--check] [--naive] [FILE...]
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import type { XsSession } from '../../test/support/xs/session.js';
import { TRACES_DIR } from './generate.js';
import { addScores, scoreTrace, type TraceScore } from './metrics.js';
import { runNaive } from './naive.js';
import { DEFAULT_START_MS, readTraceFile, traceSettings, type Trace } from './traces.js';
import { runTrace, type TraceBurst, type TraceRun } from './xs-level.js';

const XS_ENTRY = 'scripts/bin/xs-level.ts';
export const TARGET = Object.freeze({ maePct: 3, falseFull: 0, missedFull: 0 });

export interface FileResult {
  traces: number;
  score: TraceScore;
  /** NaN when not measured on XS. */
  computronsPerReading: number;
  /** Traces where XS and Node disagreed (with --check). */
  disagreements: string[];
}

const burstsOf = (trace: Trace): TraceBurst[] => trace.rows.map(({ t, lid, celsius, tilted, readings }) => ({ t, lid, celsius, tilted, readings }));
const startOf = (trace: Trace) => trace.header.start ?? DEFAULT_START_MS;

/** The same entry XS runs, run on Node. */
export function runOnNode(trace: Trace): TraceRun {
  return runTrace(traceSettings(trace.header), startOf(trace), burstsOf(trace));
}

export class XsLevel {
  #session: XsSession;
  #overhead: number;
  private constructor(session: XsSession, overhead: number) {
    this.#session = session;
    this.#overhead = overhead;
  }

  static async start(): Promise<XsLevel> {
    // Loaded here: --node needs none of the XS harness.
    const { XsSession } = await import('../../test/support/xs/session.js');
    const session = await XsSession.start({ entry: XS_ENTRY, name: 'bin-eval', meteringLimit: 2e9 });
    // Constructing a pipeline and returning, measured once and taken off each trace.
    const empty = await session.call<TraceRun>('runTrace', {}, DEFAULT_START_MS, []);
    return new XsLevel(session, empty.callComputrons);
  }

  async run(trace: Trace): Promise<{ run: TraceRun; computrons: number }> {
    const result = await this.#session.call<TraceRun>('runTrace', traceSettings(trace.header), startOf(trace), burstsOf(trace));
    return { run: result.value, computrons: result.callComputrons - this.#overhead };
  }

  close(): Promise<void> {
    return this.#session.close();
  }
}

export async function evaluateFile(path: string, xs: XsLevel | undefined, check = false): Promise<FileResult> {
  const traces = readTraceFile(path);
  let score: TraceScore = { absErrorSum: 0, estimates: 0, falseFull: 0, missedFull: 0, readings: 0 };
  let computrons = 0;
  const disagreements: string[] = [];
  for (const trace of traces) {
    let run: TraceRun;
    if (xs) {
      const onXs = await xs.run(trace);
      run = onXs.run;
      computrons += onXs.computrons;
      if (check && JSON.stringify(runOnNode(trace)) !== JSON.stringify(run)) disagreements.push(trace.header.trace);
    } else {
      run = runOnNode(trace);
    }
    score = addScores(score, scoreTrace(trace, run));
  }
  return { traces: traces.length, score, computronsPerReading: xs && score.readings > 0 ? computrons / score.readings : Number.NaN, disagreements };
}

export function naiveResult(path: string): FileResult {
  const traces = readTraceFile(path);
  let score: TraceScore = { absErrorSum: 0, estimates: 0, falseFull: 0, missedFull: 0, readings: 0 };
  for (const trace of traces) score = addScores(score, scoreTrace(trace, runNaive(trace)));
  return { traces: traces.length, score, computronsPerReading: Number.NaN, disagreements: [] };
}

export const maePct = (score: TraceScore) => (score.estimates > 0 ? score.absErrorSum / score.estimates : Number.NaN);

export function meetsTarget(result: FileResult): boolean {
  return maePct(result.score) <= TARGET.maePct && result.score.falseFull <= TARGET.falseFull && result.score.missedFull <= TARGET.missedFull;
}

export function resultLine(name: string, result: FileResult): string {
  const cost = Number.isNaN(result.computronsPerReading) ? 'n/a' : result.computronsPerReading.toFixed(1);
  return `traces=${result.traces} fill_mae_pct=${maePct(result.score).toFixed(2)} false_full=${result.score.falseFull} ` +
    `missed_full=${result.score.missedFull} computrons_per_reading=${cost} file=${name}`;
}

export function committedTraces(dir = TRACES_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl') || f.endsWith('.jsonl.gz')).sort().map((f) => join(dir, f));
}

async function main(): Promise<void> {
  const program = new Command()
    .argument('[files...]', `level traces (.jsonl or .jsonl.gz); default: ${TRACES_DIR}/`)
    .option('--node', 'run on Node only (no computrons)')
    .option('--check', 'also run on Node and compare; exit 1 when a file misses the targets')
    .option('--naive', "also print a plain sensor's figures (median, no compensation, no rules) as a yardstick")
    .parse();
  const opts = program.opts<{ node?: boolean; check?: boolean; naive?: boolean }>();
  const files = program.args.length > 0 ? program.args : committedTraces();
  let xs: XsLevel | undefined;
  if (!opts.node) {
    try {
      xs = await XsLevel.start();
    } catch (error) {
      process.stderr.write(`eval:bin: XS engine unavailable, running on Node (${(error as Error).message})\n`);
    }
  }
  let failed = false;
  try {
    for (const path of files) {
      try {
        const result = await evaluateFile(path, xs, opts.check);
        process.stdout.write(`${resultLine(basename(path), result)}\n`);
        if (opts.naive) process.stdout.write(`  naive: ${resultLine(basename(path), naiveResult(path))}\n`);
        for (const trace of result.disagreements) process.stderr.write(`eval:bin: engines disagree on ${trace}\n`);
        if (opts.check && (!meetsTarget(result) || result.disagreements.length > 0)) failed = true;
      } catch (error) {
        failed = true;
        process.stderr.write(`eval:bin: ${path}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await xs?.close();
  }
  if (failed) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
