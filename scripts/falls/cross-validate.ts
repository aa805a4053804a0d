// Subject-wise cross-validation of the fall classifier: each fold trains on some subjects and is scored
// on subjects it has never seen. Prints per-fold and pooled figures per dataset.
//
//   npx tsx scripts/falls/cross-validate.ts [--folds K] [--rounds N] [--fifo all|test] FILE.jsonl.gz...
//   npx tsx scripts/falls/cross-validate.ts --device [--wake-ms MS] [--threshold-mg MG] [--sleep-rate HZ] [--capture-history on|off]
//       [--prime-ring on|off] [--no-until-judged] [--train device|raw|both] [--augment N]
//       [--sleep-posture [--first-posture settled|none|previous] [--posture-samples N] [--posture-from last|stillest]]
//       FILE.jsonl.gz...
// Without --folds: leave one subject out. --fifo all: train and score on the samples as the device's LIS3DH
// FIFO delivers them (16 mg steps); --fifo test: train on the recordings as they are, score the FIFO version.
// --device scores what a detector started by each wake on impact gets (device-view.ts, IMPACT_WAKE unless
// overridden) and also prints the wakes per hour of activity and the falls that never woke the chip; --train
// says what the folds train on: the device view (default), the recordings as they are, or both; --augment adds
// N copies of each training recording through the device view (augment.ts: rotation, noise, rate, wake time).
import { Command } from 'commander';
import { loadCandidates, type RecordingCandidates } from './candidates.js';
import { recordingScore, trainModel, type TrainOptions } from './stumps.js';
import { thresholdFor, type Placement } from '../../firmware/sensing/fall-model.js';
import { percent, summarize, type Outcome } from './metrics.js';
import { loadDeviceCandidates, wakeSummary } from './device-view.js';
import { addDeviceOptions, deviceSetup, type DeviceOptionValues } from './device-options.js';

export interface FoldResult {
  subjects: string[];
  threshold: number;
  thresholds: Partial<Record<Placement, number>>;
  outcomes: (Outcome & { dataset: string; subject: string; id: string })[];
}

/** Assigns subjects to k folds round-robin in sorted order (k = number of subjects: leave one out). */
export function subjectFolds(subjects: string[], k: number): string[][] {
  const sorted = [...new Set(subjects)].sort();
  const folds: string[][] = Array.from({ length: Math.min(k, sorted.length) }, () => []);
  sorted.forEach((s, i) => folds[i % folds.length].push(s));
  return folds;
}

/** Trains on `recordings` without the held-out subjects; scores the held-out subjects of `scored` (default: the same). */
export function crossValidate(
  recordings: RecordingCandidates[], k: number, options: Partial<TrainOptions> = {}, scored: RecordingCandidates[] = recordings,
): FoldResult[] {
  const results: FoldResult[] = [];
  for (const held of subjectFolds(recordings.map((r) => r.subject), k)) {
    const heldSet = new Set(held);
    const model = trainModel(recordings.filter((r) => !heldSet.has(r.subject)), options);
    const outcomes = scored.filter((r) => heldSet.has(r.subject)).map((r) => ({
      dataset: r.dataset, subject: r.subject, id: r.id, fall: r.fall,
      alerts: recordingScore(model, r) >= thresholdFor(model, r.placement as Placement | undefined) ? 1 : 0,
    }));
    results.push({ subjects: held, threshold: model.threshold, thresholds: model.thresholds ?? {}, outcomes });
  }
  return results;
}

function line(label: string, outcomes: Outcome[]): string {
  const s = summarize(outcomes);
  return `${label} recordings=${s.recordings} falls=${s.falls} adls=${s.adls} ` +
    `sensitivity=${percent(s.sensitivity)} specificity=${percent(s.specificity)} missed=${s.falls - s.detected} false_alarms=${s.falseAlarms}`;
}

async function main(): Promise<void> {
  const program = addDeviceOptions(new Command())
    .argument('<files...>', 'recordings (.jsonl.gz)')
    .option('--folds <k>', 'folds by subject (default: leave one subject out)', (v) => Number.parseInt(v, 10))
    .option('--rounds <n>', 'boosting rounds', (v) => Number.parseInt(v, 10))
    .option('--fifo <which>', 'LIS3DH FIFO samples (16 mg steps) for "all" (training and scoring) or "test" (scoring only)')
    .option('--device', 'score the device pipeline: a detector per wake on impact (device-view.ts)')
    .option('--augment <n>', 'with --device: train also on n augmented copies of each recording (augment.ts)', (v) => Number.parseInt(v, 10))
    .option('--neck-weight <w>', 'weight of the neck data sets in training (default trainDefaults\'s 4)', (v) => Number.parseFloat(v))
    .option('--threshold-on-copies', 'with --augment: choose the thresholds on the copies too')
    .option('--train <view>', 'with --device: train on "device" candidates (default), "raw" recordings or "both"', 'device')
    .option('--verbose', 'list the misclassified recordings')
    .parse();
  const opts = program.opts<{ folds?: number; rounds?: number; fifo?: string; verbose?: boolean; device?: boolean; train: string; augment?: number; thresholdOnCopies?: boolean; neckWeight?: number }
    & DeviceOptionValues>();
  if (opts.fifo !== undefined && opts.fifo !== 'all' && opts.fifo !== 'test') program.error('--fifo must be "all" or "test"');
  let recordings: RecordingCandidates[];
  let scored: RecordingCandidates[];
  if (opts.device) {
    if (!['device', 'raw', 'both'].includes(opts.train)) program.error('--train must be "device", "raw" or "both"');
    const setup = deviceSetup(opts, (message) => program.error(message));
    const loaded = await loadDeviceCandidates(program.args, setup.profile, setup.detectorOptions, setup.wakeOptions, opts.augment ?? 0);
    const device = loaded.recordings;
    const woke = wakeSummary(device);
    process.stdout.write(`device ${setup.describe} adl_wakes_per_hour=${woke.adlWakesPerHour.toFixed(1)} `
      + `adl_awake_pct=${woke.adlAwakePercent.toFixed(1)} falls_never_woke=${woke.fallsNeverWoke}\n`);
    const raw = opts.train === 'device' ? [] : await loadCandidates(program.args);
    recordings = opts.train === 'raw' ? raw : opts.train === 'both' ? [...device, ...raw.map((r) => ({ ...r, id: `${r.id}#raw` }))] : device;
    recordings = [...recordings, ...loaded.copies];
    scored = device;
  } else {
    recordings = await loadCandidates(program.args, {}, opts.fifo === 'all');
    scored = opts.fifo === 'test' ? await loadCandidates(program.args, {}, true) : recordings;
  }
  const k = opts.folds ?? new Set(recordings.map((r) => r.subject)).size;
  const folds = crossValidate(recordings, k, {
    ...(opts.rounds ? { rounds: opts.rounds } : {}),
    ...(opts.neckWeight ? { placementWeights: { neck: opts.neckWeight } } : {}),
    thresholdOnCopies: opts.thresholdOnCopies === true,
  }, scored);
  const datasets = [...new Set(recordings.map((r) => r.dataset))];
  for (const fold of folds) {
    for (const d of datasets) {
      const mine = fold.outcomes.filter((o) => o.dataset === d);
      const placement = recordings.find((r) => r.dataset === d)?.placement as Placement | undefined;
      const threshold = placement === undefined ? fold.threshold : fold.thresholds[placement] ?? fold.threshold;
      if (mine.length > 0) process.stdout.write(`${line(`fold=${fold.subjects.join('+')} dataset=${d}`, mine)} threshold=${threshold}\n`);
    }
  }
  const all = folds.flatMap((f) => f.outcomes);
  for (const d of datasets) process.stdout.write(`${line(`pooled dataset=${d}`, all.filter((o) => o.dataset === d))}\n`);
  if (opts.verbose) {
    for (const o of all) {
      if (o.fall !== o.alerts > 0) process.stdout.write(`${o.fall ? 'missed' : 'false_alarm'} ${o.id}\n`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
