// How often the SOS button's wake on impact fires (issue 13): every recording of the shared fall data played
// through the simulated LIS3DH (simulator/chips/lis3dh.ts) with the driver armed as the pendant arms it before
// deep sleep (50 Hz, ±8 g, inertial wake-up on high-passed axes, stream-to-FIFO capture). A wake keeps the
// pendant up for WAKE_BUSY_MS (boot, the detector's look-ahead), then it re-arms. Prints, per setting, the wakes
// per hour of daily-activity recording (the battery cost) and the share of falls that wake it at all (a fall
// that does not wake the pendant cannot be detected).
//
//   npx tsx simulator/impact-wake-rate.ts [--every N] [--threshold MG,...] [--duration MS,...] [FILE...]
import { pathToFileURL } from 'node:url';
import { LIS3DH } from '../firmware/drivers/lis3dh/lis3dh.js';
import { SOS_CONFIG } from '../firmware/apps/sos-button/config.js';
import { ACCEL_SETTINGS, IMPACT_HIGH_PASS_HZ } from '../firmware/apps/sos-button/fall-watch.js';
import { createHostHal, type SteppedClock } from '../hal/host/index.js';
import { createHostStorage } from '../hal/host/storage/index.js';
import { readRecordings } from '../scripts/falls/recordings.js';
import { attachLis3dh } from './chips/lis3dh.js';
import { recordingFiles } from './kinds/sos-motion.js';

/** Awake after a wake before the chip is re-armed: boot, the captured history, then the detector's 2.5 s after the peak. */
export const WAKE_BUSY_MS = 3000;
/** The chip runs this long on the recording's first posture before it is armed (its filter then starts settled). */
const SETTLE_MS = 1000;

export interface WakeSetting {
  thresholdMg: number;
  durationMs: number;
}

/** A trace: interleaved x, y, z milli-g at `hz`. */
export interface Trace {
  samples: Int16Array | readonly number[];
  hz: number;
}

/** Wakes a trace causes with the chip armed at `setting`. */
export function wakesOf(recording: Trace, setting: WakeSetting): number {
  const hal = createHostHal({ storage: createHostStorage({}) });
  const clock = hal.clock as SteppedClock;
  const int1 = hal.device.board.pin.accelInterrupt!;
  const chip = attachLis3dh(hal, { int1 });
  const s = recording.samples;
  chip.setStill({ x: s[0]!, y: s[1]!, z: s[2]! });
  const accel = new LIS3DH({ sensor: { ...hal.device.board.i2c!, io: hal.device.io.SMBus! } });
  accel.configure({ rate: ACCEL_SETTINGS.rateHz, range: ACCEL_SETTINGS.rangeG });
  clock.advance(SETTLE_MS);
  const arm = () => accel.enableWakeOnMotion({ ...setting, highPassHz: IMPACT_HIGH_PASS_HZ, captureHistory: true });
  arm();
  const stepMs = 1000 / recording.hz;
  const endMs = clock.now() + chip.play(s, recording.hz);
  const line = hal.io.pin(int1);
  let wakes = 0;
  while (clock.now() < endMs) {
    clock.advance(stepMs);
    if (line.level !== 1) continue;
    wakes++;
    clock.advance(WAKE_BUSY_MS);
    accel.acknowledgeWake();
    arm();
  }
  accel.close();
  return wakes;
}

export interface WakeRate extends WakeSetting {
  adlHours: number;
  adlWakes: number;
  wakesPerHour: number;
  falls: number;
  fallsWaking: number;
}

export async function measureWakeRates(files: readonly string[], settings: readonly WakeSetting[], every = 1): Promise<WakeRate[]> {
  const rates = settings.map((setting) => ({ ...setting, adlHours: 0, adlWakes: 0, wakesPerHour: 0, falls: 0, fallsWaking: 0 }));
  for (const file of files) {
    let n = 0;
    for await (const recording of readRecordings(file)) {
      if (n++ % every !== 0) continue;
      const hours = recording.samples.length / 3 / recording.hz / 3600;
      for (const rate of rates) {
        const wakes = wakesOf(recording, rate);
        if (recording.fall) {
          rate.falls++;
          if (wakes > 0) rate.fallsWaking++;
        } else {
          rate.adlHours += hours;
          rate.adlWakes += wakes;
        }
      }
    }
  }
  for (const rate of rates) rate.wakesPerHour = rate.adlHours > 0 ? rate.adlWakes / rate.adlHours : 0;
  return rates;
}

function list(text: string): number[] {
  return text.split(',').map(Number).filter((value) => Number.isFinite(value) && value >= 0);
}

async function main(argv: string[]): Promise<void> {
  let every = 1;
  let thresholds = [SOS_CONFIG.impactWakeMg.default]; // --threshold 496,744,992 for a sweep (62 mg steps at ±8 g)
  let durations = [SOS_CONFIG.impactWakeMs.default];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--every') every = Math.max(1, Number(argv[++i]));
    else if (arg === '--threshold') thresholds = list(argv[++i] ?? '');
    else if (arg === '--duration') durations = list(argv[++i] ?? '');
    else files.push(arg);
  }
  const settings = thresholds.flatMap((thresholdMg) => durations.map((durationMs) => ({ thresholdMg, durationMs })));
  const rates = await measureWakeRates(files.length > 0 ? files : recordingFiles(), settings, every);
  for (const r of rates) {
    console.log(`threshold_mg=${r.thresholdMg} duration_ms=${r.durationMs} adl_hours=${r.adlHours.toFixed(2)} adl_wakes=${r.adlWakes} `
      + `wakes_per_hour=${r.wakesPerHour.toFixed(1)} falls=${r.falls} falls_waking=${r.fallsWaking} `
      + `fall_wake_pct=${r.falls ? ((100 * r.fallsWaking) / r.falls).toFixed(2) : '-'}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
