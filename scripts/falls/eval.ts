// Runs the firmware fall detector over recordings and prints one line per file:
//   dataset=<name> recordings=<n> falls=<f> adls=<a> sensitivity=<pct> specificity=<pct> false_alerts=<k> computrons_per_sample=<c>
// Every recording runs on the real XS engine (the device's engine): its alerts give the figures and its
// computrons the cost per sample. With --node, or when XS cannot start, the same code runs on Node and the
// cost is printed as n/a. Each recording's detector is configured with the recording's placement
// ('neck' or 'waist': where the device is worn is set in its configuration, not learned from the data).
//
// With --device the figures are the device pipeline's (issue 13): each recording is played through the simulated
// LIS3DH armed for a wake on impact (device-view.ts, firmware/sensing/impact-wake.ts) and every wake's samples go
// to a new detector; the line then ends with the wake time assumed, the wakes per hour of activity and the falls
// that never woke the chip (`--wake-ms` overrides the wake time, to see how much it matters; device-options.ts).
//
//   npm run eval:falls -- [--node] [--verbose] [--device [--wake-ms MS] [--threshold-mg MG] [--capture-history on|off]
//       [--no-until-judged]] FILE.jsonl.gz...
import { Command } from 'commander';
import { readRecordings, type Recording } from './recordings.js';
import { percent, summarize, type Outcome } from './metrics.js';
import { XsSession } from '../../test/support/xs/session.js';
import { detect, detectAfterWakes } from './xs-detector.js';
import { deviceWakes, wakeSummary, type DeviceProfile, type DeviceWakeOptions, type WakeRecord, type WakeSummary } from './device-view.js';
import { addDeviceOptions, deviceSetup, type DeviceOptionValues } from './device-options.js';

const XS_ENTRY = 'scripts/falls/xs-detector.ts';

/** The same entry XS runs, run on Node. */
export const detectOnNode = detect;

export interface FileResult {
  datasets: string[];
  outcomes: (Outcome & { id: string })[];
  /** NaN when not measured on XS. */
  computronsPerSample: number;
  /** With the device pipeline: what it assumed and how often the chip woke. */
  device?: { wakeMs: number; untilJudged: boolean } & WakeSummary;
}

/** How a recording reaches the detector: as a continuous stream, or through the wakes of the device pipeline. */
export type Pipeline = { kind: 'stream' } | { kind: 'device'; profile: DeviceProfile; wakeOptions?: DeviceWakeOptions };

export class XsDetector {
  #session: XsSession;
  #overhead: number;
  private constructor(session: XsSession, overhead: number) {
    this.#session = session;
    this.#overhead = overhead;
  }

  static async start(): Promise<XsDetector> {
    const session = await XsSession.start({ entry: XS_ENTRY, name: 'fall-eval', meteringLimit: 2e9 });
    // The cost of constructing a detector and returning, measured once and taken off each recording.
    const empty = await session.call<number>('detect', []);
    return new XsDetector(session, empty.callComputrons);
  }

  /** Alerts raised, and computrons spent on the samples (detector construction excluded). */
  async detect(samples: number[], placement?: string): Promise<{ alerts: number; computrons: number }> {
    const result = await this.#session.call<number>('detect', samples, placement);
    return { alerts: result.value, computrons: result.callComputrons - this.#overhead };
  }

  /** The same over each wake's samples, a new detector per wake (detectAfterWakes). */
  async detectAfterWakes(wakes: number[][], placement?: string): Promise<{ alerts: number; computrons: number }> {
    const result = await this.#session.call<number>('detectAfterWakes', wakes, placement);
    return { alerts: result.value, computrons: result.callComputrons - this.#overhead };
  }

  close(): Promise<void> {
    return this.#session.close();
  }
}

export async function evaluateFile(path: string, xs: XsDetector | undefined, onMismatch?: (r: Recording, xs: number, node: number) => void,
  pipeline: Pipeline = { kind: 'stream' }): Promise<FileResult> {
  const datasets = new Set<string>();
  const outcomes: FileResult['outcomes'] = [];
  let computrons = 0, samples = 0;
  const woke: WakeRecord[] = [];
  for await (const recording of readRecordings(path)) {
    datasets.add(recording.dataset);
    // The stream: one detector over the recording; the device: one per wake, over what the wake delivered.
    let input: number[];
    let onNode: () => number;
    let onXs: (engine: XsDetector) => Promise<{ alerts: number; computrons: number }>;
    if (pipeline.kind === 'device') {
      const delivered = deviceWakes(recording.samples, pipeline.profile, pipeline.wakeOptions);
      woke.push({ fall: recording.fall, samples: recording.samples.length / 3, wakes: delivered.length, awakeMs: delivered.reduce((n, w) => n + w.awakeMs, 0) });
      const wakes = delivered.map((w) => w.samples);
      input = wakes.flat();
      onNode = () => detectAfterWakes(wakes, recording.placement);
      onXs = (engine) => engine.detectAfterWakes(wakes, recording.placement);
    } else {
      input = recording.samples;
      onNode = () => detectOnNode(recording.samples, recording.placement);
      onXs = (engine) => engine.detect(recording.samples, recording.placement);
    }
    let alerts: number;
    if (xs) {
      const run = await onXs(xs);
      alerts = run.alerts;
      computrons += run.computrons;
      samples += input.length / 3;
      if (onMismatch) {
        const node = onNode();
        if (node !== alerts) onMismatch(recording, alerts, node);
      }
    } else {
      alerts = onNode();
    }
    outcomes.push({ id: recording.id, fall: recording.fall, alerts });
  }
  return {
    datasets: [...datasets], outcomes, computronsPerSample: xs && samples > 0 ? computrons / samples : Number.NaN,
    ...(pipeline.kind === 'device' ? {
      device: { wakeMs: pipeline.profile.wakeMs, untilJudged: pipeline.wakeOptions?.untilJudged !== undefined, ...wakeSummary(woke) },
    } : {}),
  };
}

export function resultLine(result: FileResult): string {
  const s = summarize(result.outcomes);
  const cost = Number.isNaN(result.computronsPerSample) ? 'n/a' : result.computronsPerSample.toFixed(1);
  const name = result.datasets.length > 0 ? result.datasets.join('+') : 'none';
  return `dataset=${name} recordings=${s.recordings} falls=${s.falls} adls=${s.adls} ` +
    `sensitivity=${percent(s.sensitivity)} specificity=${percent(s.specificity)} false_alerts=${s.falseAlerts} ` +
    `computrons_per_sample=${cost}` + (result.device === undefined ? '' : ` pipeline=device wake_ms=${result.device.wakeMs} until_judged=${result.device.untilJudged} `
      + `adl_wakes_per_hour=${result.device.adlWakesPerHour.toFixed(1)} falls_never_woke=${result.device.fallsNeverWoke}`);
}

async function main(): Promise<void> {
  const program = addDeviceOptions(new Command())
    .argument('<files...>', 'recordings in the shared format (.jsonl.gz or .jsonl)')
    .option('--node', 'run on Node only (no computrons)')
    .option('--check', 'also run each recording on Node and report any recording where the engines disagree')
    .option('--verbose', 'list missed falls and recordings with false alerts')
    .option('--device', 'the device pipeline: wake on impact from deep sleep, a detector per wake (IMPACT_WAKE)')
    .parse();
  const opts = program.opts<{ node?: boolean; check?: boolean; verbose?: boolean; device?: boolean } & DeviceOptionValues>();
  let pipeline: Pipeline = { kind: 'stream' };
  if (opts.device) {
    const setup = deviceSetup(opts, (message) => program.error(message));
    if (opts.primeRing !== undefined) program.error('--prime-ring: eval runs the firmware detector as configured (IMPACT_WAKE.detectorOptions)');
    if (opts.firstPosture === 'previous') program.error('--first-posture previous chains a subject\'s recordings: cross-validate.ts or train.ts');
    pipeline = { kind: 'device', profile: setup.profile, wakeOptions: setup.wakeOptions };
  }
  let xs: XsDetector | undefined;
  if (!opts.node) {
    try {
      xs = await XsDetector.start();
    } catch (error) {
      process.stderr.write(`eval:falls: XS engine unavailable, running on Node (${(error as Error).message})\n`);
    }
  }
  let failed = false;
  try {
    for (const path of program.args) {
      try {
        const result = await evaluateFile(path, xs, opts.check
          ? (r, onXs, onNode) => process.stderr.write(`engines disagree on ${r.id}: XS ${onXs} alerts, Node ${onNode}\n`)
          : undefined, pipeline);
        process.stdout.write(`${resultLine(result)}\n`);
        if (opts.verbose) {
          for (const o of result.outcomes) {
            if (o.fall && o.alerts === 0) process.stdout.write(`  missed ${o.id}\n`);
            else if (o.fall ? o.alerts > 1 : o.alerts > 0) process.stdout.write(`  false_alerts=${o.fall ? o.alerts - 1 : o.alerts} ${o.id}\n`);
          }
        }
      } catch (error) {
        failed = true;
        process.stderr.write(`eval:falls: ${path}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await xs?.close();
  }
  if (failed) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
