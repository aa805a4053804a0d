// The command-line options that describe a device pipeline (device-view.ts), shared by eval, cross-validate
// and train: every one defaults to the shipped profile (firmware/sensing/impact-wake.ts).
import type { Command } from 'commander';
import type { ImpactOptions } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import type { DeviceProfile, DeviceWakeOptions } from './device-view.js';

export interface DeviceOptionValues {
  wakeMs?: number;
  thresholdMg?: number;
  captureHistory?: string;
  primeRing?: string;
  untilJudged?: boolean;
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
    .option('--capture-history <on|off>', 'with --device: the FIFO freezes on the samples up to the trigger (default IMPACT_WAKE\'s)')
    .option('--prime-ring <on|off>', 'with --device: the detector\'s ring starts filled with its first sample (default IMPACT_WAKE\'s)')
    .option('--no-until-judged', 'with --device: the CPU sleeps IMPACT_DECISION_MS after its boot even while an impact waits to be judged');
}

export function deviceSetup(o: DeviceOptionValues, fail: (message: string) => never): DeviceSetup {
  const onOff = (value: string | undefined, fallback: boolean, name: string): boolean => {
    if (value === undefined) return fallback;
    if (value !== 'on' && value !== 'off') fail(`--${name} must be "on" or "off"`);
    return value === 'on';
  };
  if (o.wakeMs !== undefined && !(o.wakeMs >= 0)) fail('--wake-ms must be a number of ms ≥ 0');
  if (o.thresholdMg !== undefined && !(o.thresholdMg > 0)) fail('--threshold-mg must be a positive number of mg');
  const profile: DeviceProfile = {
    ...IMPACT_WAKE,
    wakeMs: o.wakeMs ?? IMPACT_WAKE.wakeMs,
    thresholdMg: o.thresholdMg ?? IMPACT_WAKE.thresholdMg,
    captureHistory: onOff(o.captureHistory, IMPACT_WAKE.captureHistory, 'capture-history'),
  };
  const primeRing = onOff(o.primeRing, IMPACT_WAKE.detectorOptions.primeRing ?? false, 'prime-ring');
  const detectorOptions = { ...IMPACT_WAKE.detectorOptions, primeRing };
  const untilJudged = o.untilJudged !== false; // as fall-watch does
  return {
    profile, detectorOptions, wakeOptions: untilJudged ? { untilJudged: detectorOptions } : {},
    describe: `wake_ms=${profile.wakeMs} threshold_mg=${profile.thresholdMg} capture_history=${profile.captureHistory} `
      + `prime_ring=${primeRing} until_judged=${untilJudged}`,
  };
}
