// `npm run fuzz -- --count N [--seed S] [--xs-share F] [--targets a,b] [--replay FILE.json]`
// Mutation fuzzing of every input path a device has: the MQTT packet reader, the command, config/desired and
// alarm channels through the runtime, credential-sync manifests and chunks, visitor-pass QR text, Wiegand and
// QR-scanner serial frames. One line per target, findings as they come, then exactly
//   inputs=<n> crashes=<k> hangs=<h> targets=<t>
// as the last line; the exit code is 1 when anything crashed or hung, 2 when the run itself failed.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { allTargets } from './targets/index.js';
import { runFuzz, type FuzzReport } from './runner.js';
import { XsSession } from '../../test/support/xs/session.js';
import { XS_ENTRY } from './xs.js';
import type { XsInputResult } from './xs-entry.js';

function usage(message: string): Error {
  const error = new Error(message);
  error.name = 'FuzzUsageError';
  return error;
}

function integer(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return value;
}

function share(text: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return value;
}

export function targetLines(report: FuzzReport): string[] {
  return report.stats.map((s) =>
    `${s.name.padEnd(15)} inputs=${s.inputs} node=${s.node} xs=${s.xs} crashes=${s.crashes} hangs=${s.hangs}` +
    ` slowest=${s.slowestMs.toFixed(1)}ms${s.excused ? ` (${s.excused} slow from load)` : ''} xs-max=${s.maxComputrons}c`);
}

/** Runs one saved input again (the .json written next to it) and prints what happens. */
async function replay(file: string): Promise<number> {
  const finding = JSON.parse(readFileSync(file, 'utf8')) as { target: string; engine: 'node' | 'xs'; runSeed: number; file?: string };
  const input = new Uint8Array(readFileSync(finding.file ?? file.replace(/\.json$/, '.bin')));
  const target = allTargets().find((t) => t.name === finding.target);
  if (!target) throw usage(`no target "${finding.target}"`);
  console.log(`replaying ${finding.target} (${input.length} bytes, run seed ${finding.runSeed}) on ${finding.engine}`);
  if (finding.engine === 'xs') {
    const xs = await XsSession.start({ entry: XS_ENTRY, name: 'fuzz-replay' });
    try {
      const xsInput = target.xsInput ? target.xsInput(input) : input;
      const { value } = await xs.call<XsInputResult[]>('runBatch', target.xsCore, [Buffer.from(xsInput).toString('base64')], [finding.runSeed], target.xsBudget ?? 50_000_000);
      const result = value[0]!;
      console.log(result.e === undefined ? `no failure (${result.c} computrons)` : `${result.e}\n${result.s ?? ''}`);
      return result.e === undefined ? 0 : 1;
    } finally {
      await xs.close();
    }
  }
  target.open?.();
  target.seeds();
  try {
    target.run(input, finding.runSeed);
    console.log('no failure');
    return 0;
  } catch (error) {
    console.log(error instanceof Error ? error.stack : String(error));
    return 1;
  } finally {
    target.close?.();
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('fuzz')
    .description('Mutation fuzzing of the device\'s input paths, on Node and (a share of the inputs) on the XS engine')
    .option('--count <n>', 'inputs in all, spread over the targets', integer, 10_000)
    .option('--seed <n>', 'seed of the run (same seed, same inputs)', integer, 1)
    .option('--xs-share <f>', 'share of each target\'s inputs run inside XS', share, 0.05)
    .option('--targets <names>', 'only these targets (comma-separated)')
    .option('--crash-dir <dir>', 'where crashing inputs are saved (default: <tmp>/fuzz-crashes/seed-<seed>)')
    .option('--node-budget-ms <ms>', 'wall time one input may take on Node', integer, 250)
    .option('--replay <file>', 'run one saved finding (its .json) again and show what happens')
    .parse(argv);
  const options = program.opts<{ count: number; seed: number; xsShare: number; targets?: string; crashDir?: string; nodeBudgetMs: number; replay?: string }>();
  if (options.replay) return replay(options.replay);

  let targets = allTargets();
  if (options.targets) {
    const names = options.targets.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !targets.some((t) => t.name === name));
    if (unknown.length > 0) throw usage(`unknown target(s) ${unknown.join(', ')}; known: ${targets.map((t) => t.name).join(', ')}`);
    targets = targets.filter((t) => names.includes(t.name));
  }
  const report = await runFuzz({
    count: options.count, seed: options.seed, xsShare: options.xsShare, targets, nodeBudgetMs: options.nodeBudgetMs,
    ...(options.crashDir ? { crashDir: options.crashDir } : {}),
    log: (line) => console.log(line),
  });
  for (const line of targetLines(report)) console.log(line);
  if (report.findings.length > 0) console.log(`crashing inputs: ${report.crashDir} (replay one with --replay <file>.json)`);
  console.log(`time ${(report.elapsedMs / 1000).toFixed(1)} s, seed ${options.seed}, xs share ${options.xsShare}`);
  console.log(report.summary);
  return report.crashes + report.hangs > 0 ? 1 : 0;
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A usage error shows its message; anything else (a bug of the fuzzer itself) its stack.
    console.error(`fuzz: ${error instanceof Error ? (error.name === 'FuzzUsageError' ? error.message : error.stack) : String(error)}`);
    process.exit(2);
  },
);
