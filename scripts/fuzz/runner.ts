// The fuzz runner: spreads --count over the targets by weight, makes each input from one of the target's seeds
// with the target's mutations (input i of target t comes from its own PRNG, seeded by the run seed, t and i, so a
// run is the same for the same seed and any input can be made again on its own), and runs it on Node under a
// wall-time budget or, for a share of the inputs, inside the real XS engine under a computron budget. Crashes and
// hangs are counted per target and the inputs saved.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mutate as genericMutate, havoc, parseJsonBytes, type JsonNode } from './mutate.js';
import { mixSeed, Prng } from './prng.js';
import type { FuzzTarget, MutateContext } from './target.js';
import { Watchdog } from './watchdog.js';
import { type XsItem, type XsOutcome, XsRunner } from './xs.js';

export interface FuzzOptions {
  /** Inputs in all, spread over the targets by weight. */
  count: number;
  seed: number;
  /** Share of each XS-capable target's inputs run inside XS (0–1). */
  xsShare: number;
  targets: readonly FuzzTarget[];
  /** Where crashing inputs go. Default: <tmp>/fuzz-crashes/seed-<seed>. */
  crashDir?: string;
  /** Wall time one input may take on Node before it counts as a hang. Default 250 ms. */
  nodeBudgetMs?: number;
  /** Inputs per XS call. Default 100. */
  xsBatch?: number;
  /** An input still running after this long stops the process (0: no watchdog). Default 30 s. */
  watchdogMs?: number;
  /** Progress and findings, line by line. */
  log?: (line: string) => void;
}

export interface TargetStats {
  name: string;
  inputs: number;
  node: number;
  xs: number;
  crashes: number;
  hangs: number;
  /** Slowest input on Node, ms. */
  slowestMs: number;
  /** Inputs over the Node budget in wall time but not in CPU time (the machine was busy elsewhere). */
  excused: number;
  /** Costliest input inside XS, computrons. */
  maxComputrons: number;
}

export interface Finding {
  target: string;
  kind: 'crash' | 'hang';
  engine: 'node' | 'xs';
  /** Input number within its target. */
  index: number;
  runSeed: number;
  message: string;
  stack?: string;
  /** The saved input, when it was saved. */
  file?: string;
}

export interface FuzzReport {
  inputs: number;
  crashes: number;
  hangs: number;
  stats: TargetStats[];
  findings: Finding[];
  crashDir: string;
  elapsedMs: number;
  /** Targets that ran at least one input. */
  targets: number;
  /** `inputs=<n> crashes=<k> hangs=<h> targets=<t>` */
  summary: string;
}

const DEFAULT_XS_BUDGET = 50_000_000;
/** Inputs saved per target (all are counted). */
const SAVED_PER_TARGET = 20;

export function spread(count: number, targets: readonly FuzzTarget[]): number[] {
  const weights = targets.map((target) => target.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((weight) => Math.floor((count * weight) / total));
  let left = count - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % shares.length, left--) shares[i]!++;
  return shares;
}

export interface MadeInput {
  input: Uint8Array;
  runSeed: number;
  onXs: boolean;
}

export function mutateContext(target: FuzzTarget, seeds: readonly Uint8Array[], rngOf: () => Prng): MutateContext {
  const donors: JsonNode[] = target.format === 'json' ? seeds.map(parseJsonBytes).filter((tree): tree is JsonNode => tree !== undefined) : [];
  return {
    seeds,
    generic: (input) => genericMutate(input, rngOf(), { format: target.format, seeds, donors }),
  };
}

function errorParts(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: `thrown: ${String(error)}` };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const nodeBudgetMs = options.nodeBudgetMs ?? 250;
  const xsBatch = options.xsBatch ?? 100;
  const crashDir = options.crashDir ?? join(tmpdir(), 'fuzz-crashes', `seed-${options.seed}`);
  const targets = options.targets;
  const counts = spread(options.count, targets);
  const stats: TargetStats[] = targets.map((target) => ({ name: target.name, inputs: 0, node: 0, xs: 0, crashes: 0, hangs: 0, slowestMs: 0, excused: 0, maxComputrons: 0 }));
  const findings: Finding[] = [];
  const saved = new Map<string, number>();
  const watchdog = options.watchdogMs === 0 ? undefined : new Watchdog(options.watchdogMs ?? 30_000, crashDir);
  const xs = new XsRunner();
  let totalInputs = 0;
  const totals = () => {
    const crashes = stats.reduce((sum, s) => sum + s.crashes, 0);
    const hangs = stats.reduce((sum, s) => sum + s.hangs, 0);
    return { crashes, hangs };
  };

  const record = (targetIndex: number, finding: Omit<Finding, 'target'>, input: Uint8Array): void => {
    const target = targets[targetIndex]!;
    const stat = stats[targetIndex]!;
    if (finding.kind === 'crash') stat.crashes++;
    else stat.hangs++;
    const full: Finding = { target: target.name, ...finding };
    const count = saved.get(target.name) ?? 0;
    if (count < SAVED_PER_TARGET) {
      saved.set(target.name, count + 1);
      mkdirSync(crashDir, { recursive: true });
      const base = join(crashDir, `${target.name}-${finding.engine}-${finding.kind}-${finding.index}`);
      writeFileSync(`${base}.bin`, input);
      full.file = `${base}.bin`;
      writeFileSync(`${base}.json`, `${JSON.stringify({ ...full, seed: options.seed }, null, 2)}\n`);
    }
    findings.push(full);
    log(`${finding.kind}: ${target.name} #${finding.index} on ${finding.engine}: ${finding.message.split('\n')[0]}${full.file ? ` (${full.file})` : ''}`);
  };

  try {
    for (const [targetIndex, target] of targets.entries()) {
      const stat = stats[targetIndex]!;
      const count = counts[targetIndex]!;
      if (count === 0) continue;
      target.open?.();
      const seeds = target.seeds();
      if (seeds.length === 0) throw new Error(`fuzz target ${target.name} has no seeds`);
      let mutationRng = new Prng(0);
      const context = mutateContext(target, seeds, () => mutationRng);
      const budget = target.xsBudget ?? DEFAULT_XS_BUDGET;
      let batch: XsItem[] = [];
      const flush = () => {
        if (batch.length > 0) xs.submit(target.xsCore!, batch, budget);
        batch = [];
      };
      let lastYield = performance.now();
      for (let index = 0; index < count; index++) {
        // The generic mutation draws from the input's own PRNG too: makeInput hands it over through this.
        const made = makeInputWith(target, context, options.seed, index, options.xsShare, (rng) => { mutationRng = rng; });
        stat.inputs++;
        totalInputs++;
        if (made.onXs) {
          stat.xs++;
          const { runSeed } = made;
          const input = target.xsInput ? target.xsInput(made.input) : made.input;
          batch.push({
            input, runSeed,
            done: (outcome: XsOutcome) => {
              if (outcome.kind !== 'died') stat.maxComputrons = Math.max(stat.maxComputrons, outcome.computrons);
              if (outcome.kind === 'error') record(targetIndex, { kind: 'crash', engine: 'xs', index, runSeed, message: outcome.message, stack: outcome.stack }, input);
              if (outcome.kind === 'died') record(targetIndex, { kind: outcome.hang ? 'hang' : 'crash', engine: 'xs', index, runSeed, message: outcome.message }, input);
            },
          });
          if (batch.length >= xsBatch) flush();
        } else {
          stat.node++;
          if (watchdog) {
            const { crashes, hangs } = totals();
            watchdog.progress(totalInputs - 1, crashes, hangs, targetIndex + 1);
            watchdog.begin(`${target.name}#${index}`, made.input, made.runSeed);
          }
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          let failure: unknown;
          let threw = false;
          try {
            target.run(made.input, made.runSeed);
          } catch (error) {
            threw = true;
            failure = error;
          }
          const ms = performance.now() - t0;
          watchdog?.end();
          stat.slowestMs = Math.max(stat.slowestMs, ms);
          if (threw) record(targetIndex, { kind: 'crash', engine: 'node', index, runSeed: made.runSeed, ...errorParts(failure) }, made.input);
          else if (ms > nodeBudgetMs) {
            // Over the wall-time budget. On a shared machine that is often time the process did not run at all:
            // it is a hang only if the process also spent the budget on the CPU meanwhile.
            const cpu = process.cpuUsage(cpu0);
            const cpuMs = (cpu.user + cpu.system) / 1000;
            if (cpuMs > nodeBudgetMs) {
              record(targetIndex, { kind: 'hang', engine: 'node', index, runSeed: made.runSeed, message: `took ${ms.toFixed(0)} ms, ${cpuMs.toFixed(0)} ms of CPU (budget ${nodeBudgetMs} ms)` }, made.input);
            } else stat.excused++;
          }
        }
        if (performance.now() - lastYield > 20) {
          await yieldToLoop(); // lets the XS worker's pipes move
          lastYield = performance.now();
        }
      }
      flush();
      target.close?.();
    }
    await xs.drain();
  } finally {
    await xs.close();
    await watchdog?.close();
  }

  const { crashes, hangs } = totals();
  const exercised = stats.filter((stat) => stat.inputs > 0).length;
  const summary = `inputs=${totalInputs} crashes=${crashes} hangs=${hangs} targets=${exercised}`;
  return { inputs: totalInputs, crashes, hangs, targets: exercised, stats, findings, crashDir, elapsedMs: performance.now() - started, summary };
}

/**
 * Input `index` of `target`: the same for the same run seed, whatever ran before. The input's
 * PRNG is handed to `use` first, so the generic mutation (context.generic) draws from it too.
 */
export function makeInputWith(target: FuzzTarget, context: MutateContext, seed: number, index: number, xsShare: number,
  use: (rng: Prng) => void): MadeInput {
  const rng = new Prng(mixSeed(seed, nameHash(target.name), index));
  use(rng);
  const base = rng.pick(context.seeds);
  let input = base;
  if (!rng.chance(0.03)) {
    const rounds = rng.chance(0.25) ? 2 : 1;
    for (let k = 0; k < rounds; k++) {
      try {
        input = target.mutate ? target.mutate(input, rng, context) : context.generic(input);
      } catch {
        // A structure too deep for a mutation's recursion: mutate its bytes instead.
        input = havoc(input, rng, context.seeds);
      }
    }
  }
  const runSeed = rng.next();
  const onXs = target.xsCore !== undefined && xsShare > 0 && (index === 0 || rng.chance(xsShare));
  return { input, runSeed, onXs };
}

/** One input again (for a finding: its target, the run's seed and the input's number). */
export function remake(target: FuzzTarget, seed: number, index: number): MadeInput {
  const seeds = target.seeds();
  let rngRef = new Prng(0);
  const context = mutateContext(target, seeds, () => rngRef);
  return makeInputWith(target, context, seed, index, 0, (rng) => { rngRef = rng; });
}

function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
