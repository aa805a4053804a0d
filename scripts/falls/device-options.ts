// The command-line options that describe a device pipeline (device-view.ts), shared by eval, cross-validate
// and train: every one defaults to the shipped profile (firmware/sensing/impact-wake.ts).
import type { Command } from 'commander';
import type { ImpactOptions } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE, SLEEP_RATES_HZ, wakeHighPassHz } from '../../firmware/sensing/impact-wake.js';
import { POSTURE_SAMPLES, type DeviceProfile, type DeviceWakeOptions } from './device-view.js';

export interface DeviceOptionValues {
  wakeMs?: number;
  thresholdMg?: number;
  sleepRate?: number;
  captureHistory?: string;
  primeRing?: string;
  untilJudged?: boolean;
  sleepPosture?: boolean;
  firstPosture?: string;
  postureSamples?: number;
  postureFrom?: string;
}

export interface DeviceSetup {
  profile: DeviceProfile;
  /** The impact options of a detector started by a wake (IMPACT_WAKE.detectorOptions, primeRing as asked). */
  detectorOptions: Partial<ImpactOptions>;
  wakeOptions: DeviceWakeOptions;
  /** One line saying what was assumed, for the output. */
  describe: string;
}

const integer = (v: string) => Number.parseInt(v, 10);

export function addDeviceOptions(command: Command): Command {
  return command
    .option('--wake-ms <ms>', 'with --device: the ESP32\'s wake time assumed (default IMPACT_WAKE.wakeMs)', integer)
    .option('--threshold-mg <mg>', 'with --device: the chip\'s wake threshold (default IMPACT_WAKE.thresholdMg)', integer)
    .option('--sleep-rate <hz>', 'with --device: the chip\'s rate while the ESP32 sleeps, a divisor of 50 (default IMPACT_WAKE.sleepRateHz; the high-pass keeps its ratio to it)', integer)
    .option('--capture-history <on|off>', 'with --device: the FIFO freezes on the samples up to the trigger (default IMPACT_WAKE\'s)')
    .option('--prime-ring <on|off>', 'with --device: the detector\'s ring starts filled with its first sample (default IMPACT_WAKE\'s)')
    .option('--no-until-judged', 'with --device: the CPU sleeps IMPACT_DECISION_MS after its boot even while an impact waits to be judged')
    .option('--sleep-posture', 'with --device, an experiment: each wake first pushes the posture kept from the last re-arm (device-view.ts)')
    .option('--first-posture <settled|none|previous>', 'with --sleep-posture: the first wake gets the recording\'s settled posture (default), none, or what the subject\'s previous recording left')
    .option('--posture-samples <n>', 'with --sleep-posture: samples the kept posture averages (default 25: 0.5 s)', integer)
    .option('--posture-from <last|stillest>', 'with --sleep-posture: keep the last block of samples read (default) or the stillest');
}

export function deviceSetup(o: DeviceOptionValues, fail: (message: string) => never): DeviceSetup {
  const onOff = (value: string | undefined, fallback: boolean, name: string): boolean => {
    if (value === undefined) return fallback;
    if (value !== 'on' && value !== 'off') fail(`--${name} must be "on" or "off"`);
    return value === 'on';
  };
  if (o.wakeMs !== undefined && !(o.wakeMs >= 0)) fail('--wake-ms must be a number of ms ≥ 0');
  if (o.thresholdMg !== undefined && !(o.thresholdMg > 0)) fail('--threshold-mg must be a positive number of mg');
  if (o.sleepRate !== undefined && !SLEEP_RATES_HZ.includes(o.sleepRate)) fail(`--sleep-rate must be ${SLEEP_RATES_HZ.join(', ')} (Hz: the LIS3DH rates that divide 50)`);
  const sleepRateHz = o.sleepRate ?? IMPACT_WAKE.sleepRateHz;
  const profile: DeviceProfile = {
    ...IMPACT_WAKE,
    wakeMs: o.wakeMs ?? IMPACT_WAKE.wakeMs,
    thresholdMg: o.thresholdMg ?? IMPACT_WAKE.thresholdMg,
    sleepRateHz,
    highPassHz: wakeHighPassHz(sleepRateHz),
    captureHistory: onOff(o.captureHistory, IMPACT_WAKE.captureHistory, 'capture-history'),
  };
  const primeRing = onOff(o.primeRing, IMPACT_WAKE.detectorOptions.primeRing ?? false, 'prime-ring');
  const detectorOptions = { ...IMPACT_WAKE.detectorOptions, primeRing };
  const untilJudged = o.untilJudged !== false; // as fall-watch does
  if (o.firstPosture !== undefined && !['settled', 'none', 'previous'].includes(o.firstPosture)) fail('--first-posture must be "settled", "none" or "previous"');
  if (o.postureSamples !== undefined && !(Number.isInteger(o.postureSamples) && o.postureSamples > 0)) fail('--posture-samples must be a positive integer');
  if (o.postureFrom !== undefined && o.postureFrom !== 'last' && o.postureFrom !== 'stillest') fail('--posture-from must be "last" or "stillest"');
  if ((o.firstPosture ?? o.postureSamples ?? o.postureFrom) !== undefined && !o.sleepPosture) {
    fail('--first-posture, --posture-samples and --posture-from need --sleep-posture');
  }
  const wakeOptions: DeviceWakeOptions = untilJudged ? { untilJudged: detectorOptions } : {};
  const postureSamples = o.postureSamples ?? POSTURE_SAMPLES;
  const postureFrom = o.postureFrom === 'stillest' ? 'stillest' : 'last';
  if (o.sleepPosture) Object.assign(wakeOptions, { sleepPosture: true, firstPosture: o.firstPosture ?? 'settled', postureSamples, postureFrom });
  return {
    profile, detectorOptions, wakeOptions,
    describe: `wake_ms=${profile.wakeMs} threshold_mg=${profile.thresholdMg} sleep_rate_hz=${sleepRateHz} capture_history=${profile.captureHistory} `
      + `prime_ring=${primeRing} until_judged=${untilJudged}`
      + (o.sleepPosture ? ` sleep_posture=true first_posture=${o.firstPosture ?? 'settled'} posture_samples=${postureSamples} posture_from=${postureFrom}` : ''),
  };
}
