// How often the SOS button's wake on impact fires (issue 13), and how long each wake keeps it up: every recording
// of the shared fall data played through the device pipeline (scripts/falls/device-view.ts: the simulated LIS3DH
// and the driver armed as the pendant arms it before deep sleep, the ESP32's wake, FIFO reads until the detector
// has judged, the re-arm). Prints, per setting and data set, the wakes per hour of daily-activity recording and
// the mean time awake per wake (the battery's cost) and, of the falls, those that wake it at all, in time (at or
// before the impact's peak, still up at it: a fall that does not wake the pendant in time cannot be detected) and
// with the peak reaching the detector. --sweep runs the chip's own settings. Run on the neck recordings with the
// shipped settings, its last line gives the figures simulator/battery-life.ts uses.
//
//   npx tsx simulator/impact-wake-rate.ts [--every N] [--threshold MG,...] [--duration MS,...] [--high-pass HZ,...]
//     [--wake-ms MS] [--sleep-rate HZ] [--capture-history on|off] [--no-until-judged] [--by-activity | --by-subject] [FILE...]
//   npx tsx simulator/impact-wake-rate.ts --sweep [--from MG] [--high-pass HZ,...] [--every N] [FILE...]
import { pathToFileURL } from 'node:url';
import { FIFO_DEPTH, HP_CUTOFF_DIVISOR, THRESHOLD_LSB_MG } from '../firmware/drivers/lis3dh/registers.js';
import { ACCEL_SETTINGS } from '../firmware/apps/sos-button/fall-watch.js';
import type { ImpactOptions } from '../firmware/sensing/impact-features.js';
import { IMPACT_WAKE, SLEEP_RATES_HZ, wakeHighPassHz } from '../firmware/sensing/impact-wake.js';
import { deviceWakes, type DeviceWake } from '../scripts/falls/device-view.js';
import { readRecordings } from '../scripts/falls/recordings.js';
import { recordingFiles } from './kinds/sos-motion.js';

/** What happens after a trigger: the ESP32's wake, the FIFO, and how long the pendant stays up. */
export interface WakePipeline {
  /** ESP32 time from INT1 to the first FIFO read, ms. */
  wakeMs: number;
  /** The FIFO freezes on the samples up to the trigger (true) or keeps streaming (false). */
  captureHistory: boolean;
  /** The chip's rate while the ESP32 sleeps (the wake's high-pass cut-offs are fractions of it). */
  sleepRateHz: number;
  /** Up past IMPACT_DECISION_MS while a detector with these options has an impact pending, as fall-watch is; absent: never. */
  untilJudged?: Partial<ImpactOptions>;
}

/** The pendant's pipeline (firmware/sensing/impact-wake.ts; fall-watch stays up while its detector judges). */
export const SHIPPED_PIPELINE: WakePipeline = Object.freeze({
  wakeMs: IMPACT_WAKE.wakeMs, captureHistory: IMPACT_WAKE.captureHistory, sleepRateHz: IMPACT_WAKE.sleepRateHz,
  untilJudged: IMPACT_WAKE.detectorOptions,
});

const SAMPLE_MS = 1000 / ACCEL_SETTINGS.rateHz;
/** One step of INT1_THS at the pendant's range (62 mg at ±8 g). */
export const THRESHOLD_STEP_MG = THRESHOLD_LSB_MG[ACCEL_SETTINGS.rangeG as keyof typeof THRESHOLD_LSB_MG];
/** The high-pass cut-offs the chip offers at `rateHz` (HPCF: rate/50, /100, /250, /500). */
export const highPassChoices = (rateHz: number): readonly number[] => Object.freeze(HP_CUTOFF_DIVISOR.map((divisor) => rateHz / divisor));
/** ...at the pendant's sleep rate. */
export const HIGH_PASS_HZ = highPassChoices(IMPACT_WAKE.sleepRateHz);

export interface WakeSetting {
  thresholdMg: number;
  durationMs: number;
  highPassHz: number;
}

/** The setting the pendant ships with (firmware/sensing/impact-wake.ts). */
export const SHIPPED_SETTING: WakeSetting = Object.freeze({
  thresholdMg: IMPACT_WAKE.thresholdMg, durationMs: IMPACT_WAKE.durationMs, highPassHz: IMPACT_WAKE.highPassHz,
});

/** Every wake a recording (x, y, z milli-g at 50 Hz) causes with the chip armed at `setting`. */
export function wakesOf(samples: readonly number[], setting: WakeSetting, pipeline: WakePipeline = SHIPPED_PIPELINE): DeviceWake[] {
  const { wakeMs, captureHistory, sleepRateHz, untilJudged } = pipeline;
  return deviceWakes(samples, { ...setting, wakeMs, captureHistory, sleepRateHz }, untilJudged ? { untilJudged } : {});
}

/**
 * Per wake, the recording samples (first, last) it delivered to its detector. Streaming: one run up to the re-arm.
 * With captureHistory: what the FIFO froze on (the FIFO_DEPTH samples up to the trigger, or, when the chip was
 * re-armed only just before, the first samples since the re-arm), then, after the boot's gap, those read from the
 * boot to the re-arm.
 */
export function deliveredSpans(wakes: readonly DeviceWake[], pipeline: WakePipeline): [number, number][][] {
  // deviceWakes moves in whole samples when the wake time is one: then the trigger and the re-arm fall on samples.
  if (pipeline.wakeMs % SAMPLE_MS !== 0) throw new RangeError(`the wake time must be whole samples (${SAMPLE_MS} ms)`);
  let rearmed = -Infinity;
  return wakes.map((wake) => {
    const count = wake.samples.length / 3;
    const last = wake.trigger + wake.awakeMs / SAMPLE_MS - wake.afterEnd;
    const since = rearmed + 1;
    rearmed = last;
    if (!pipeline.captureHistory) return [[last - count + 1, last]];
    const read = (wake.awakeMs - pipeline.wakeMs) / SAMPLE_MS - wake.afterEnd;
    const first = Math.max(since, wake.trigger - FIFO_DEPTH * (ACCEL_SETTINGS.rateHz / pipeline.sleepRateHz) + 1);
    return [[first, first + count - read - 1], [last - read + 1, last]];
  });
}

/** The sample with the largest magnitude: a fall's impact peak. */
export function peakSample(samples: ArrayLike<number>): number {
  let peak = 0;
  let largest = -1;
  for (let i = 0; i + 2 < samples.length; i += 3) {
    const squared = samples[i]! ** 2 + samples[i + 1]! ** 2 + samples[i + 2]! ** 2;
    if (squared > largest) [largest, peak] = [squared, i / 3];
  }
  return peak;
}

/**
 * A wake that keeps the pendant up through the peak, raised at the peak or before, or on the chip's first sample
 * after it (asleep it samples every 50 / sleepRateHz recording samples: a peak between two is seen by neither).
 */
export function wokeInTime(wakes: readonly DeviceWake[], peak: number, pipeline: WakePipeline = SHIPPED_PIPELINE): boolean {
  const late = ACCEL_SETTINGS.rateHz / pipeline.sleepRateHz - 1;
  return wakes.some((wake) => wake.trigger <= peak + late && peak <= wake.trigger + wake.awakeMs / SAMPLE_MS);
}

/** The peak is among the samples a wake delivered to its detector (not in the boot's gap of a frozen FIFO). */
export function peakSeen(wakes: readonly DeviceWake[], peak: number, pipeline: WakePipeline = SHIPPED_PIPELINE): boolean {
  return deliveredSpans(wakes, pipeline).flat().some(([first, last]) => first <= peak && peak <= last);
}

export interface WakeRate extends WakeSetting {
  /** The data set, or the data set and the activity or subject (Grouping). */
  dataset: string;
  /** The pipeline's wake time, ms (part of every wake's awake time). */
  wakeMs: number;
  adlHours: number;
  adlWakes: number;
  wakesPerHour: number;
  /** Awake after the daily-activity wakes, from INT1 to the re-arm (the wake time included), ms. */
  adlAwakeMs: number;
  falls: number;
  /** Falls that wake the pendant at all, in time (wokeInTime), and whose peak reaches the detector (peakSeen). */
  fallsWaking: number;
  fallsInTime: number;
  fallsPeakSeen: number;
}

/** Recordings kept in memory for sweeps: the files are read once. */
export interface LoadedRecording {
  dataset: string;
  subject: string;
  activity: string;
  fall: boolean;
  /** x, y, z milli-g at 50 Hz. */
  samples: readonly number[];
  peak: number;
}

/** How rates are grouped: per data set, or finer (per activity, or per subject) within it. */
export type Grouping = 'dataset' | 'activity' | 'subject';
const groupOf = (recording: LoadedRecording, by: Grouping) => (by === 'dataset' ? recording.dataset : `${recording.dataset} ${recording[by]}`);

export async function loadRecordings(files: readonly string[], every = 1): Promise<LoadedRecording[]> {
  const loaded: LoadedRecording[] = [];
  for (const file of files) {
    let n = 0;
    for await (const recording of readRecordings(file)) {
      if (n++ % every !== 0) continue;
      const { dataset, subject, activity, fall, samples } = recording;
      loaded.push({ dataset, subject, activity, fall, samples, peak: peakSample(samples) });
    }
  }
  return loaded;
}

/** Per data set (or finer: `by`), in the order first seen, the wake rate of `setting`. */
export function rateOf(
  recordings: readonly LoadedRecording[], setting: WakeSetting, pipeline: WakePipeline = SHIPPED_PIPELINE, by: Grouping = 'dataset',
): WakeRate[] {
  const rates = new Map<string, WakeRate>();
  for (const recording of recordings) {
    const group = groupOf(recording, by);
    let rate = rates.get(group);
    if (rate === undefined) {
      rate = {
        ...setting, dataset: group, wakeMs: pipeline.wakeMs, adlHours: 0, adlWakes: 0, wakesPerHour: 0, adlAwakeMs: 0,
        falls: 0, fallsWaking: 0, fallsInTime: 0, fallsPeakSeen: 0,
      };
      rates.set(group, rate);
    }
    const wakes = wakesOf(recording.samples, setting, pipeline);
    if (recording.fall) {
      rate.falls++;
      if (wakes.length > 0) rate.fallsWaking++;
      if (wokeInTime(wakes, recording.peak, pipeline)) rate.fallsInTime++;
      if (peakSeen(wakes, recording.peak, pipeline)) rate.fallsPeakSeen++;
    } else {
      rate.adlHours += (recording.samples.length / 3) * SAMPLE_MS / 3_600_000;
      rate.adlWakes += wakes.length;
      rate.adlAwakeMs += wakes.reduce((sum, wake) => sum + wake.awakeMs, 0);
    }
  }
  for (const rate of rates.values()) rate.wakesPerHour = rate.adlHours > 0 ? rate.adlWakes / rate.adlHours : 0;
  return [...rates.values()];
}

/** What the battery model takes from a measured rate, as simulator/battery-life.ts writes it. */
export interface BatteryFigures {
  /** Wakes per hour of daily activity (IMPACT_WAKES_PER_HOUR). */
  wakesPerHour: number;
  /** Mean time awake per wake after the ESP32's wake time, s (IMPACT_AWAKE_AFTER_BOOT_S). */
  awakeAfterBootS: number;
}

export function batteryFigures(rate: WakeRate): BatteryFigures {
  const afterBootMs = rate.adlWakes > 0 ? rate.adlAwakeMs / rate.adlWakes - rate.wakeMs : 0;
  return { wakesPerHour: Number(rate.wakesPerHour.toFixed(1)), awakeAfterBootS: Number((afterBootMs / 1000).toFixed(2)) };
}

/**
 * The sweep on the chip's own terms: every high-pass cut-off and duration of 0–3 samples; for each, thresholds
 * from `fromMg` up in INT1_THS steps until more than `stopAfterLost` falls of the product's data set (`product`)
 * do not wake it at all. Each row is one setting's rates on every data set.
 */
export function* sweep(
  recordings: readonly LoadedRecording[],
  options: { product: string; fromMg: number; toMg: number; stopAfterLost: number; highPassHz?: readonly number[] },
  pipeline: WakePipeline = SHIPPED_PIPELINE,
): Generator<WakeRate[]> {
  for (const highPassHz of options.highPassHz ?? highPassChoices(pipeline.sleepRateHz)) {
    for (let samples = 0; samples <= 3; samples++) {
      for (let thresholdMg = options.fromMg; thresholdMg <= options.toMg; thresholdMg += THRESHOLD_STEP_MG) {
        const rates = rateOf(recordings, { thresholdMg, durationMs: (samples * 1000) / pipeline.sleepRateHz, highPassHz }, pipeline);
        yield rates;
        const product = rates.find((rate) => rate.dataset === options.product);
        if (product === undefined || product.falls - product.fallsWaking > options.stopAfterLost) break;
      }
    }
  }
}

/** The setting with the fewest product wakes per hour among those that wake on every one of its falls in time. */
export function best(rows: readonly WakeRate[][], product: string): WakeRate[] | undefined {
  let chosen: WakeRate[] | undefined;
  let fewest = Infinity;
  for (const rates of rows) {
    const rate = rates.find((r) => r.dataset === product);
    if (rate === undefined || rate.fallsInTime < rate.falls || rate.wakesPerHour >= fewest) continue;
    [chosen, fewest] = [rates, rate.wakesPerHour];
  }
  return chosen;
}

const percent = (part: number, whole: number) => (whole ? ((100 * part) / whole).toFixed(2) : '-');

export function formatRow(rates: readonly WakeRate[]): string {
  const [first] = rates;
  if (first === undefined) return '';
  const setting = `high_pass_hz=${first.highPassHz} duration_ms=${first.durationMs} threshold_mg=${first.thresholdMg}`;
  return [setting, ...rates.map((r) => `${r.dataset}: adl_hours=${r.adlHours.toFixed(2)} adl_wakes=${r.adlWakes} `
    + `wakes_per_hour=${r.wakesPerHour.toFixed(1)} awake_s_per_wake=${r.adlWakes ? (r.adlAwakeMs / r.adlWakes / 1000).toFixed(2) : '-'} `
    + `falls=${r.falls} falls_waking=${r.fallsWaking} falls_in_time=${r.fallsInTime} `
    + `fall_in_time_pct=${percent(r.fallsInTime, r.falls)} falls_peak_seen=${r.fallsPeakSeen}`)].join(' | ');
}

/** The data set of the pendant's placement (FallAllD, worn on the neck): the battery figures come from it. */
export const PENDANT_DATASET = 'FallAllD';

/** The line that gives battery-life.ts its figures, for the shipped setting and pipeline on the pendant's data set. */
export function formatBatteryLine(rate: WakeRate): string {
  const { wakesPerHour, awakeAfterBootS } = batteryFigures(rate);
  return `battery-life.ts (${rate.dataset} daily activity, IMPACT_WAKE): IMPACT_WAKES_PER_HOUR=${wakesPerHour} `
    + `IMPACT_AWAKE_AFTER_BOOT_S=${awakeAfterBootS}`;
}

function list(text: string): number[] {
  return text.split(',').map(Number).filter((value) => Number.isFinite(value) && value >= 0);
}

function onOff(text: string | undefined): boolean {
  if (text !== 'on' && text !== 'off') throw new RangeError('--capture-history: on or off');
  return text === 'on';
}

async function main(argv: string[]): Promise<void> {
  let every = 1;
  let thresholds = [SHIPPED_SETTING.thresholdMg]; // --threshold 496,744,992 (62 mg steps at ±8 g)
  let durations = [SHIPPED_SETTING.durationMs];
  let highPass: number[] | undefined;
  let sweeping = false;
  let fromMg = 496;
  let pipeline = SHIPPED_PIPELINE;
  let by: Grouping = 'dataset';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--every') every = Math.max(1, Number(argv[++i]));
    else if (arg === '--threshold') thresholds = list(argv[++i] ?? '');
    else if (arg === '--duration') durations = list(argv[++i] ?? '');
    else if (arg === '--high-pass') highPass = list(argv[++i] ?? '');
    else if (arg === '--sweep') sweeping = true;
    else if (arg === '--from') fromMg = Number(argv[++i]);
    else if (arg === '--wake-ms') pipeline = { ...pipeline, wakeMs: Number(argv[++i]) };
    else if (arg === '--sleep-rate') pipeline = { ...pipeline, sleepRateHz: Number(argv[++i]) };
    else if (arg === '--capture-history') pipeline = { ...pipeline, captureHistory: onOff(argv[++i]) };
    else if (arg === '--no-until-judged') pipeline = { ...pipeline, untilJudged: undefined };
    else if (arg === '--by-activity') by = 'activity';
    else if (arg === '--by-subject') by = 'subject';
    else files.push(arg);
  }
  if (!(pipeline.wakeMs >= 0 && pipeline.wakeMs % SAMPLE_MS === 0)) throw new RangeError(`--wake-ms: whole samples of ${SAMPLE_MS} ms`);
  if (!SLEEP_RATES_HZ.includes(pipeline.sleepRateHz)) throw new RangeError(`--sleep-rate: ${SLEEP_RATES_HZ.join(', ')} (Hz: the LIS3DH rates that divide 50)`);
  const recordings = await loadRecordings(files.length > 0 ? files : recordingFiles(), every);
  if (sweeping) {
    const rows: WakeRate[][] = [];
    for (const rates of sweep(recordings, { product: PENDANT_DATASET, fromMg, toMg: 1984, stopAfterLost: 2, highPassHz: highPass }, pipeline)) {
      rows.push(rates);
      console.log(formatRow(rates));
    }
    const chosen = best(rows, PENDANT_DATASET);
    console.log(chosen ? `best: ${formatRow(chosen)}` : `best: none wakes on every ${PENDANT_DATASET} fall`);
    return;
  }
  let shipped: WakeRate | undefined;
  for (const highPassHz of highPass ?? [wakeHighPassHz(pipeline.sleepRateHz)]) {
    for (const thresholdMg of thresholds) {
      for (const durationMs of durations) {
        const setting = { thresholdMg, durationMs, highPassHz };
        const rates = rateOf(recordings, setting, pipeline, by);
        console.log(formatRow(rates));
        const isShipped = every === 1 && pipeline === SHIPPED_PIPELINE && by === 'dataset'
          && (Object.keys(SHIPPED_SETTING) as (keyof WakeSetting)[]).every((key) => setting[key] === SHIPPED_SETTING[key]);
        if (isShipped) shipped = rates.find((rate) => rate.dataset === PENDANT_DATASET);
      }
    }
  }
  if (shipped) console.log(formatBatteryLine(shipped));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2)).catch((error: unknown) => {
    if (!(error instanceof RangeError)) throw error;
    console.error(`impact-wake-rate: ${error.message}`);
    process.exitCode = 2;
  });
}
