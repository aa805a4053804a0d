// What the SOS pendant's fall detector gets when the ESP32 deep-sleeps and the LIS3DH wakes it on an impact
// (issue 13): a recording is played through the simulated chip (simulator/chips/lis3dh.ts) and read through the
// firmware's driver, armed as the pendant arms it (firmware/sensing/impact-wake.ts). Each time INT1 rises the
// ESP32 takes `wakeMs` to boot, then does what fall-watch's startAfterImpact() does: drains the FIFO (the history:
// with captureHistory the 31 samples before the trigger and the trigger, the samples after it lost until the
// release; without it the newest 32), releases INT1, streams and drains every pollMs until IMPACT_DECISION_MS
// after its boot (and, with untilJudged, on while an impact waits to be judged), then re-arms the chip and
// sleeps. RAM is lost in deep sleep, so every wake starts a new detector.
import { LIS3DH } from '../../firmware/drivers/lis3dh/lis3dh.js';
import { ACCEL_SETTINGS, IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import { ImpactFinder, type ImpactFeatures, type ImpactOptions } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE, type ImpactWakeProfile } from '../../firmware/sensing/impact-wake.js';
import { createHostHal, type SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachLis3dh } from '../../simulator/chips/lis3dh.js';
import type { RecordingCandidates } from './candidates.js';
import { augmented } from './augment.js';
import { readRecordings, type Recording } from './recordings.js';

/** The chip samples the recording's first posture this long before it is armed: its filter starts settled. */
const SETTLE_MS = 1000;
/** fall-watch's FIFO drain period while awake (its default pollMs). */
export const POLL_MS = 500;
const SAMPLE_MS = 1000 / ACCEL_SETTINGS.rateHz;
const FIFO_DEPTH = LIS3DH.FIFO_DEPTH;

/** The pipeline evaluated: the chip's wake settings and the ESP32's wake time. */
export type DeviceProfile = Pick<ImpactWakeProfile, 'thresholdMg' | 'durationMs' | 'highPassHz' | 'captureHistory' | 'wakeMs'>;

export interface DeviceWake {
  /** Recording sample during which INT1 rose (0-based). */
  trigger: number;
  /** What the detector started by this wake is pushed, in order: x, y, z milli-g as the driver reads them. */
  samples: number[];
  /** Samples the chip measured between the oldest delivered and the end of the window that never reached the CPU. */
  lost: number;
  /** From INT1 to the re-arm (the wake time included). */
  awakeMs: number;
}

export interface DeviceWakeOptions {
  /**
   * Stay up past IMPACT_DECISION_MS, up to IMPACT_JUDGE_MAX_MS, while a detector (these impact options) fed what
   * was delivered still waits to judge an impact, as fall-watch does; without it the CPU sleeps IMPACT_DECISION_MS
   * after its boot (fall-watch before that was measured to lose falls that come seconds after the first jolt).
   */
  untilJudged?: Partial<ImpactOptions>;
  /**
   * An experiment, not what fall-watch does: the chip samples at this rate while the ESP32 sleeps (its 32-deep
   * FIFO then holds 32/rate s), the history is repeated up to 50 Hz for the detector and the chip goes back to
   * 50 Hz on the wake. Default: 50 Hz throughout.
   */
  sleepRateHz?: number;
  /** With sleepRateHz: the history is interpolated up to 50 Hz (linearly) rather than each sample repeated. */
  interpolate?: boolean;
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
  const sleepRate = options.sleepRateHz ?? ACCEL_SETTINGS.rateHz;
  const repeat = ACCEL_SETTINGS.rateHz / sleepRate;
  if (!Number.isInteger(repeat)) throw new RangeError('device view: sleepRateHz must divide 50 Hz');
  accel.configure({ rate: sleepRate, range: ACCEL_SETTINGS.rangeG });
  clock.advance(SETTLE_MS);
  const { thresholdMg, durationMs, highPassHz, captureHistory } = profile;
  const arm = () => accel.enableWakeOnMotion({ thresholdMg, durationMs, highPassHz: (highPassHz * sleepRate) / ACCEL_SETTINGS.rateHz, captureHistory });
  arm();
  const buffer = new Int16Array(FIFO_DEPTH * 3);
  const line = hal.io.pin(int1);
  const produced0 = chip.produced;
  const start = clock.now();
  const end = start + chip.play(samples, ACCEL_SETTINGS.rateHz);
  const wakes: DeviceWake[] = [];
  while (clock.now() < end) {
    clock.advance(SAMPLE_MS);
    if (line.level !== 1) continue;
    const trigger = repeat === 1 ? chip.produced - produced0 - 1 : Math.round((clock.now() - start) / SAMPLE_MS) - 1;
    const first = chip.produced; // the trigger is the newest sample measured
    const rise = clock.now();
    clock.advance(profile.wakeMs);
    const boot = clock.now();
    const delivered: number[] = [];
    const judge = options.untilJudged && new ImpactFinder(options.untilJudged);
    const drain = () => {
      const count = accel.readFifo(buffer);
      for (let i = 0; i < count * 3; i++) delivered.push(buffer[i]!);
      for (let i = 0; judge && i < count * 3; i += 3) judge.push(buffer[i]!, buffer[i + 1]!, buffer[i + 2]!);
    };
    const measuredBeforeRead = chip.produced;
    if (repeat === 1) {
      drain(); // the history, before anything resets the FIFO
    } else {
      const count = accel.readFifo(buffer);
      for (let i = 0; i < count * 3; i += 3) {
        const next = i + 3 < count * 3 ? i + 3 : i; // the newest is held
        for (let k = 0; k < repeat; k++) {
          const f = options.interpolate ? k / repeat : 0;
          const x = Math.round(buffer[i]! + (buffer[next]! - buffer[i]!) * f);
          const y = Math.round(buffer[i + 1]! + (buffer[next + 1]! - buffer[i + 1]!) * f);
          const z = Math.round(buffer[i + 2]! + (buffer[next + 2]! - buffer[i + 2]!) * f);
          delivered.push(x, y, z);
          judge?.push(x, y, z);
        }
      }
    }
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
    wakes.push({ trigger, samples: delivered, lost, awakeMs: clock.now() - rise });
    if (repeat !== 1) {
      accel.configure({ rate: sleepRate });
      clock.advance(1000 / sleepRate); // the filter must not see the first sample as a jump from zero
    }
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
  return { id, dataset, subject, activity, fall, placement, samples: recording.samples.length / 3, candidates, wakes: wakes.length, awakeMs };
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
  for (const path of paths) {
    for await (const recording of readRecordings(path)) {
      out.push(deviceCandidates(recording, profile, options, wakeOptions));
      for (let k = 1; k <= copies; k++) {
        const copy = augmented(recording, k);
        extra.push({ ...deviceCandidates(copy.recording, { ...profile, wakeMs: copy.wakeMs }, options, wakeOptions), augmented: true });
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
