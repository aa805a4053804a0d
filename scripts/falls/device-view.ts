// What the SOS pendant's fall detector gets when the ESP32 deep-sleeps and the LIS3DH wakes it on an impact
// (issue 13): a recording is played through the simulated chip (simulator/chips/lis3dh.ts) and read through the
// firmware's driver, armed as the pendant arms it (firmware/sensing/impact-wake.ts). Each time INT1 rises the
// ESP32 takes `wakeMs` to boot, then does what fall-watch's startAfterImpact() does: drains the FIFO (the history,
// sampled at the profile's sleepRateHz and brought up to 50 Hz by upsample(): with captureHistory the 31 samples
// before the trigger and the trigger, the samples after it lost until the release; without it the newest 32),
// releases INT1, sets 50 Hz, streams and drains every pollMs until IMPACT_DECISION_MS after its boot (and, with
// untilJudged, on while an impact waits to be judged), then sets the sleep rate, re-arms the chip and sleeps.
// RAM is lost in deep sleep, so every wake starts a new detector.
import { LIS3DH } from '../../firmware/drivers/lis3dh/lis3dh.js';
import { ACCEL_SETTINGS, FIFO_POLL_MS as POLL_MS, IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import { ImpactFinder, type ImpactFeatures, type ImpactOptions } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE, upsample, type ImpactWakeProfile } from '../../firmware/sensing/impact-wake.js';
import { createHostHal, type SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachLis3dh } from '../../simulator/chips/lis3dh.js';
import type { RecordingCandidates } from './candidates.js';
import { augmented } from './augment.js';
import { lis3dhFifoMg, readRecordings, type Recording } from './recordings.js';

/** The chip samples the recording's first posture this long before it is armed: its filter starts settled. */
const SETTLE_MS = 1000;
const SAMPLE_MS = 1000 / ACCEL_SETTINGS.rateHz;
const FIFO_DEPTH = LIS3DH.FIFO_DEPTH;
/** sleepPosture: the posture kept across a sleep is the mean of this many samples (0.5 s) read last. */
export const POSTURE_SAMPLES = 25;

/** The pipeline evaluated: the chip's wake settings and the ESP32's wake time. */
export type DeviceProfile = Pick<ImpactWakeProfile, 'thresholdMg' | 'durationMs' | 'sleepRateHz' | 'highPassHz' | 'captureHistory' | 'wakeMs'>;

export interface DeviceWake {
  /** Recording sample during which INT1 rose (0-based). */
  trigger: number;
  /** What the detector started by this wake is pushed, in order: x, y, z milli-g as the driver reads them (sleepPosture: the kept posture first). */
  samples: number[];
  /** The FIFO's content at the first read after the boot, as the driver reads it, at `historyRateHz` (not upsampled). */
  history: number[];
  historyRateHz: number;
  /**
   * Samples the chip measured between the oldest delivered and the end of the window that never reached the CPU
   * (counted when the chip sleeps at 50 Hz; 0 otherwise: not counted across a change of rate).
   */
  lost: number;
  /** From INT1 to the re-arm (the wake time included). */
  awakeMs: number;
  /** Samples the wake read after the recording had ended (the chip's held last one): left out of `samples`. */
  afterEnd: number;
  /** With sleepPosture: the posture kept across the sleep after this wake. */
  kept?: number[];
}

export interface DeviceWakeOptions {
  /**
   * Stay up past IMPACT_DECISION_MS, up to IMPACT_JUDGE_MAX_MS, while a detector (these impact options) fed what
   * was delivered still waits to judge an impact, as fall-watch does; without it the CPU sleeps IMPACT_DECISION_MS
   * after its boot (fall-watch before that was measured to lose falls that come seconds after the first jolt).
   */
  untilJudged?: Partial<ImpactOptions>;
  /**
   * An experiment, not what fall-watch does: the posture before the sleep. When it re-arms the chip the CPU keeps
   * the mean of the last POSTURE_SAMPLES it read (3 × int16 of RTC memory); each wake pushes it to its detector
   * before the FIFO, so with primeRing the windows before the peak compare with it rather than with the first FIFO
   * sample. Before a recording's first wake: the mean of its first 0.5 s as the chip delivers it (firstPosture).
   */
  sleepPosture?: boolean;
  /**
   * With sleepPosture, what the first wake of a recording gets: 'settled' (default) the mean of the recording's first
   * 0.5 s — optimistic: a recording starts with the wearer still just before the activity, while a pendant keeps the
   * posture of a re-arm minutes or hours earlier — 'none': nothing kept (as after a power-on), no posture pushed — or
   * 'previous': `keptBefore`, what the wearer's previous recording left kept (loadDeviceCandidates chains a subject's
   * recordings in file order, as if worn through them one after another; settled for the subject's first).
   */
  firstPosture?: 'settled' | 'none' | 'previous';
  /** With firstPosture 'previous': the posture kept before this recording (x, y, z mg); settled when absent. */
  keptBefore?: readonly number[];
  /** With sleepPosture: how many samples the kept posture averages (default POSTURE_SAMPLES; also the first wake's). */
  postureSamples?: number;
  /**
   * With sleepPosture: which of the wake's consecutive blocks of postureSamples (counted back from the last read) is
   * kept: the 'last' (default) or the 'stillest' (least mean absolute deviation of the magnitude; the newest on a tie).
   */
  postureFrom?: 'last' | 'stillest';
}

/** The rounded mean of the `count` x, y, z triples of `samples` that end at triple `end` (all before it if fewer). */
function meanPosture(samples: readonly number[], count: number, end = samples.length / 3): number[] {
  const n = Math.min(count, end);
  const sum = [0, 0, 0];
  for (let i = (end - n) * 3; i < end * 3; i++) sum[i % 3]! += samples[i]!;
  return sum.map((v) => Math.round(v / n));
}

/** Mean absolute deviation of the magnitude of the `count` triples ending at triple `end`. */
function magnitudeDeviation(samples: readonly number[], count: number, end: number): number {
  const mags: number[] = [];
  for (let i = (end - count) * 3; i < end * 3; i += 3) mags.push(Math.hypot(samples[i]!, samples[i + 1]!, samples[i + 2]!));
  const mean = mags.reduce((a, b) => a + b, 0) / count;
  return mags.reduce((a, m) => a + Math.abs(m - mean), 0) / count;
}

/** The posture a wake's samples leave to keep across the next sleep (DeviceWakeOptions.postureFrom). */
function keptPosture(samples: readonly number[], count: number, from: 'last' | 'stillest'): number[] {
  const triples = samples.length / 3;
  let end = triples;
  if (from === 'stillest') {
    let best = Infinity;
    for (let e = triples; e >= count; e -= count) {
      const deviation = magnitudeDeviation(samples, count, e);
      if (deviation < best) { best = deviation; end = e; }
    }
  }
  return meanPosture(samples, count, end);
}

/** With sleepPosture: the posture kept before a recording's first wake (DeviceWakeOptions.firstPosture), if any. */
export function postureBefore(samples: readonly number[], options: DeviceWakeOptions): number[] | undefined {
  const postureSamples = options.postureSamples ?? POSTURE_SAMPLES;
  if (!(Number.isInteger(postureSamples) && postureSamples > 0)) throw new RangeError('device view: postureSamples must be a positive integer');
  if (!options.sleepPosture || options.firstPosture === 'none') return undefined;
  if (options.firstPosture === 'previous' && options.keptBefore) return [...options.keptBefore];
  return meanPosture(samples.slice(0, postureSamples * 3).map(lis3dhFifoMg), postureSamples);
}

/** Plays `samples` (x, y, z milli-g at 50 Hz) through the armed chip; returns every wake and what each delivered. */
export function deviceWakes(samples: readonly number[], profile: DeviceProfile = IMPACT_WAKE, options: DeviceWakeOptions = {}): DeviceWake[] {
  if (samples.length < 3) return [];
  const hal = createHostHal({ storage: createHostStorage({}) });
  const clock = hal.clock as SteppedClock;
  const int1 = hal.device.board.pin.accelInterrupt!;
  const chip = attachLis3dh(hal, { int1 });
  chip.setStill({ x: samples[0]!, y: samples[1]!, z: samples[2]! });
  const accel = new LIS3DH({ sensor: { ...hal.device.board.i2c!, io: hal.device.io.SMBus! } });
  const { thresholdMg, durationMs, sleepRateHz, highPassHz, captureHistory } = profile;
  const repeat = ACCEL_SETTINGS.rateHz / sleepRateHz;
  if (!Number.isInteger(repeat)) throw new RangeError('device view: sleepRateHz must divide 50 Hz');
  accel.configure({ rate: ACCEL_SETTINGS.rateHz, range: ACCEL_SETTINGS.rangeG });
  clock.advance(SETTLE_MS);
  // As fall-watch's armImpactWake(): the sleep rate, then the wake at once.
  const arm = () => {
    accel.configure({ rate: sleepRateHz });
    accel.enableWakeOnMotion({ thresholdMg, durationMs, highPassHz, captureHistory });
  };
  arm();
  const buffer = new Int16Array(FIFO_DEPTH * 3);
  const upsampled = new Int16Array(FIFO_DEPTH * 3 * repeat);
  const line = hal.io.pin(int1);
  const produced0 = chip.produced;
  const start = clock.now();
  const end = start + chip.play(samples, ACCEL_SETTINGS.rateHz);
  const wakes: DeviceWake[] = [];
  // sleepPosture: what the CPU kept across the sleep (none: nothing to push).
  let kept = postureBefore(samples, options);
  const postureSamples = options.postureSamples ?? POSTURE_SAMPLES;
  while (clock.now() < end) {
    clock.advance(SAMPLE_MS);
    if (line.level !== 1) continue;
    const trigger = repeat === 1 ? chip.produced - produced0 - 1 : Math.round((clock.now() - start) / SAMPLE_MS) - 1;
    const first = chip.produced; // the trigger is the newest sample measured
    const rise = clock.now();
    clock.advance(profile.wakeMs);
    const boot = clock.now();
    const delivered: number[] = [];
    let lastReadAt = boot;
    const judge = options.untilJudged && new ImpactFinder(options.untilJudged);
    if (kept) judge?.push(kept[0]!, kept[1]!, kept[2]!);
    const drain = () => {
      lastReadAt = clock.now();
      const count = accel.readFifo(buffer);
      for (let i = 0; i < count * 3; i++) delivered.push(buffer[i]!);
      for (let i = 0; judge && i < count * 3; i += 3) judge.push(buffer[i]!, buffer[i + 1]!, buffer[i + 2]!);
    };
    const measuredBeforeRead = chip.produced;
    // The history, before anything resets the FIFO.
    const read = accel.readFifo(buffer);
    const history = Array.from(buffer.subarray(0, read * 3));
    const count = upsample(buffer, read, repeat, upsampled);
    for (let i = 0; i < count * 3; i++) delivered.push(upsampled[i]!);
    for (let i = 0; judge && i < count * 3; i += 3) judge.push(upsampled[i]!, upsampled[i + 1]!, upsampled[i + 2]!);
    accel.acknowledgeWake();
    accel.disableWakeOnMotion();
    if (repeat !== 1) accel.configure({ rate: ACCEL_SETTINGS.rateHz });
    while (clock.now() < boot + IMPACT_DECISION_MS) {
      clock.advance(Math.min(POLL_MS, boot + IMPACT_DECISION_MS - clock.now()));
      drain();
    }
    while (judge?.pending && clock.now() < Math.min(boot + IMPACT_JUDGE_MAX_MS, end + IMPACT_DECISION_MS)) {
      clock.advance(POLL_MS);
      drain();
    }
    const oldest = (captureHistory ? first : measuredBeforeRead) - FIFO_DEPTH;
    const lost = repeat === 1 ? Math.max(0, chip.produced - oldest - delivered.length / 3) : 0; // (not counted across rates)
    // After the recording the chip holds its last sample: not data. The detector gets what was measured up to the
    // end, as a detector fed the recording itself would (a short recording's held tail looked like a fall's stillness).
    const madeUp = Math.max(0, Math.floor((lastReadAt - end) / SAMPLE_MS));
    if (madeUp > 0) delivered.length = Math.max(0, delivered.length - madeUp * 3);
    const pushed = kept ? [...kept, ...delivered] : delivered;
    if (options.sleepPosture && delivered.length > 0) kept = keptPosture(delivered, postureSamples, options.postureFrom ?? 'last');
    wakes.push({
      trigger, samples: pushed, history, historyRateHz: sleepRateHz, lost, awakeMs: clock.now() - rise, afterEnd: madeUp, ...(kept ? { kept } : {}),
    });
    arm();
  }
  accel.close();
  return wakes;
}

/** A recording's labels with its device-view candidates, its wakes and the time it kept the CPU awake. */
export interface DeviceCandidates extends RecordingCandidates {
  wakes: number;
  awakeMs: number;
  /** A training copy (augment.ts), not a recording. */
  augmented?: boolean;
  /** With sleepPosture: the posture kept when the recording ends (its last wake's, else the one before it). */
  keptAfter?: number[];
}

/** Every candidate a detector started by each wake measures (impact options: the detector's, e.g. IMPACT_WAKE's). */
export function deviceCandidates(recording: Recording, profile: DeviceProfile = IMPACT_WAKE,
  options: Partial<ImpactOptions> = IMPACT_WAKE.detectorOptions, wakeOptions: DeviceWakeOptions = {}): DeviceCandidates {
  const wakes = deviceWakes(recording.samples, profile, wakeOptions);
  const candidates: ImpactFeatures[] = [];
  for (const wake of wakes) {
    const finder = new ImpactFinder(options);
    const s = wake.samples;
    for (let i = 0; i + 2 < s.length; i += 3) {
      const f = finder.push(s[i]!, s[i + 1]!, s[i + 2]!);
      if (f) candidates.push({ ...f });
    }
  }
  const { id, dataset, subject, activity, fall, placement } = recording;
  const awakeMs = wakes.reduce((n, w) => n + w.awakeMs, 0);
  const keptAfter = wakes.at(-1)?.kept ?? postureBefore(recording.samples, wakeOptions);
  return {
    id, dataset, subject, activity, fall, placement, samples: recording.samples.length / 3, candidates, wakes: wakes.length, awakeMs,
    ...(keptAfter ? { keptAfter } : {}),
  };
}

/**
 * Every recording's device-view candidates (and wakes), as loadCandidates gives the continuous stream's; with
 * `copies`, also that many augmented copies of each (augment.ts, each with its own wake time), for training only.
 */
export async function loadDeviceCandidates(paths: readonly string[], profile: DeviceProfile = IMPACT_WAKE,
  options: Partial<ImpactOptions> = IMPACT_WAKE.detectorOptions, wakeOptions: DeviceWakeOptions = {}, copies = 0,
): Promise<{ recordings: DeviceCandidates[]; copies: DeviceCandidates[] }> {
  const out: DeviceCandidates[] = [];
  const extra: DeviceCandidates[] = [];
  // firstPosture 'previous': what each subject's last recording left kept (copies, each turned its own way: settled).
  const keptBy = new Map<string, number[]>();
  const chained = wakeOptions.firstPosture === 'previous';
  const copyOptions: DeviceWakeOptions = chained ? { ...wakeOptions, firstPosture: 'settled' } : wakeOptions;
  for (const path of paths) {
    for await (const recording of readRecordings(path)) {
      const keptBefore = keptBy.get(`${recording.dataset}/${recording.subject}`);
      const result = deviceCandidates(recording, profile, options, chained && keptBefore ? { ...wakeOptions, keptBefore } : wakeOptions);
      if (chained && result.keptAfter) keptBy.set(`${recording.dataset}/${recording.subject}`, result.keptAfter);
      out.push(result);
      for (let k = 1; k <= copies; k++) {
        const copy = augmented(recording, k);
        extra.push({ ...deviceCandidates(copy.recording, { ...profile, wakeMs: copy.wakeMs }, options, copyOptions), augmented: true });
      }
    }
  }
  return { recordings: out, copies: extra };
}

/** What the wake summary needs of a recording. */
export type WakeRecord = Pick<DeviceCandidates, 'fall' | 'samples' | 'wakes' | 'awakeMs'>;

/** Wakes per hour of daily-activity recording (the battery cost) and the falls that never woke the chip. */
export function wakeSummary(recordings: readonly WakeRecord[]): WakeSummary {
  let wakes = 0, samples = 0, awakeMs = 0, fallsNeverWoke = 0;
  for (const r of recordings) {
    if (r.fall) { if (r.wakes === 0) fallsNeverWoke++; }
    else { wakes += r.wakes; samples += r.samples; awakeMs += r.awakeMs; }
  }
  return {
    adlWakesPerHour: samples > 0 ? wakes / (samples / ACCEL_SETTINGS.rateHz / 3600) : 0,
    adlAwakePercent: samples > 0 ? (100 * awakeMs) / (samples * SAMPLE_MS) : 0,
    fallsNeverWoke,
  };
}

export interface WakeSummary {
  adlWakesPerHour: number;
  /** Share of the activity recordings' time the CPU spent awake after wakes (the wake time included). */
  adlAwakePercent: number;
  fallsNeverWoke: number;
}
