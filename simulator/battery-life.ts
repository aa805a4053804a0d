// Battery life of the SOS button from a current table and a stated daily use (docs/sos-button.md).
// Each figure names its source: /work/shared/design/anchors.md ("anchors") where it has one, else the part's
// datasheet, else a published measurement, else the firmware constant it is, else our simulation of the device
// (named with the command that measures it); anything else is marked as our assumption. `npm run battery:sos --
// --help` for the options.
import { Command, CommanderError, InvalidArgumentError, type OutputConfiguration } from 'commander';
import { pathToFileURL } from 'node:url';
import { IMPACT_WAKE } from '../firmware/sensing/impact-wake.js';

export interface Figure {
  readonly value: number;
  readonly source: string;
}

// The wake on impact, measured together through the device pipeline (scripts/falls/device-view.ts: the simulated
// LIS3DH and the driver armed with IMPACT_WAKE, the ESP32's wake, fall-watch up until its detector has judged) on the
// neck-worn daily-activity recordings (the pendant's placement): `npx tsx simulator/impact-wake-rate.ts
// ../shared/datasets/falls/fallalld-neck.jsonl.gz` prints both in its last line (impact-wake-rate.test.ts checks
// them). The recordings are minutes of deliberate activity (walking, stairs, sitting down hard, ...): an upper bound
// for a resident's moving hours.
/** Wakes per hour of daily activity. */
export const IMPACT_WAKES_PER_HOUR = 100.7;
/** Mean time awake per wake after the ESP32's wake time (bootS), s. */
export const IMPACT_AWAKE_AFTER_BOOT_S = 7.52;

/** Currents (mA) and durations (s) of the SOS button's power states. */
export const CURRENT_TABLE = {
  deepSleepMa: { value: 0.010, source: 'anchors: ESP32 deep sleep ~10 µA (the chip alone: the floor under buttonAsleepMa, which the model uses)' },
  buttonAsleepMa: { value: 0.017, source: 'anchors: battery Wi-Fi buttons ~17 µA asleep (whole board: regulator, pull-ups)' },
  lightSleepMa: { value: 0.8, source: 'ESP32 datasheet: light sleep 0.8 mA (RAM and timers kept, radio off)' },
  accelMa: { value: 0.011, source: 'LIS3DH datasheet: 11 µA at 50 Hz, normal mode' },
  accelAsleepMa: {
    value: 0.006,
    source: 'LIS3DH datasheet: 6 µA at 25 Hz, normal mode (IMPACT_WAKE.sleepRateHz: how it watches while the ESP32 deep-sleeps)',
  },
  cpuMa: { value: 30, source: 'ESP32 datasheet: CPU at 80 MHz, radio off, 20–31 mA (upper end)' },
  pollS: { value: 0.004, source: 'assumption: 4 ms awake per FIFO read (I2C burst + 25 samples through the detector on XS)' },
  connectMa: { value: 100, source: 'anchors: awake per press ~100 mA' },
  connectS: { value: 2, source: 'anchors: 0.75–3 s awake per press (Wi-Fi association, DHCP, TLS resumption, MQTT CONNECT)' },
  transmitMa: { value: 230, source: 'anchors: Wi-Fi transmit 160–260 mA' },
  transmitS: { value: 0.02, source: 'assumption: 20 ms of transmit per message (QoS 1 publish + PUBACK)' },
  connectedMa: { value: 20, source: 'ESP32 datasheet: modem sleep 20–31 mA (connected, radio off between beacons; lower end)' },
  bootS: {
    value: IMPACT_WAKE.wakeMs / 1000,
    source: 'assumption: from a deep-sleep wake to the app\'s first FIFO read, at cpuMa (IMPACT_WAKE.wakeMs, the wake time the '
      + 'fall evaluation assumes). Of it, ROM and bootloader to app_main are measured: 47 ms with '
      + 'CONFIG_BOOTLOADER_SKIP_VALIDATE_IN_DEEP_SLEEP (set in manifests/sdkconfig), 264 ms validating the image, ~36 mA '
      + '(github.com/glenn20/upy-esp32-experiments boot-time/README.md: PPK2, ESP32-S3, 5 V USB line; an ESP32 module '
      + 'woke and slept again in 70 ms); the XS machine and the app up to the first FIFO read are not measured',
  },
  impactWakeS: {
    value: IMPACT_AWAKE_AFTER_BOOT_S,
    source: 'simulation: IMPACT_AWAKE_AFTER_BOOT_S, the mean time awake after the boot per wake on impact, measured with '
      + 'IMPACT_WAKES_PER_HOUR: the detector decides (IMPACT_DECISION_MS at least, longer while an impact waits to be judged), '
      + 'in light sleep between FIFO reads, radio off',
  },
} satisfies Record<string, Figure>;

export type CurrentTable = { readonly [K in keyof typeof CURRENT_TABLE]: Figure };

export interface DailyUse {
  /** Presses per day; each raises an alarm. */
  presses: number;
  /** Minutes the radio stays connected per alarm (open until resolved). */
  alarmMinutes: number;
  /** Check-ins per day (86400 / checkInS). */
  checkIns: number;
  /** Seconds the radio lingers after connecting (awakeS). */
  awakeS: number;
  /** Messages per connection (birth, config/reported, health, events, sleeping status). */
  messagesPerConnection: number;
  /** Fall detection on: the CPU reads the FIFO twice a second, in light sleep between reads. */
  fallDetection: boolean;
  /**
   * Deep sleep between activity (woken by the button or the check-in timer; every wake boots the app again): what
   * the firmware does with fall detection off where the HAL has deep sleep (the ESP32 SOS button build). With fall
   * detection on: the accelerometer watches alone (wake on impact, issue 13) and each impact wake boots the app to
   * decide. False: idling in light sleep between FIFO reads.
   */
  deepSleep: boolean;
  /** Wakes on impact per hour of movement (deep sleep with fall detection on): measured by simulator/impact-wake-rate.ts. */
  impactWakesPerHour: number;
  /** Hours a day of activity that can wake the chip on impact (light and moderate-to-vigorous; not sitting or lying). */
  movingHours: number;
  /** Hours a day without motion (FIFO polling stopped until wake-on-motion). */
  stillHours: number;
  /** Cell capacity, mAh, and the share of it that is usable (cut-off voltage, ageing, self-discharge). */
  capacityMah: number;
  usable: number;
}

/**
 * A typical older resident's hours a day of light or moderate-to-vigorous activity: 35 % of the waking day (hip
 * accelerometry of 1,200 community-dwelling Dutch adults, mean age 71: 65 % sedentary, 33 % light, 2 % MVPA; Longitudinal
 * Aging Study Amsterdam, lasa-vu.nl "Daily sedentary time and physical activity as assessed by accelerometry and their
 * correlates in older adults") of 16 h awake (24 h less the 8 h still of the stated use). Older men in the UK: 27 %
 * (Jefferis et al., Med Sci Sports Exerc 2015;47(2):343, PMC4281510); Swedes 66–90+ on a thigh monitor: 40 %, standing
 * included (Eur Rev Aging Phys Act 2020, s11556-020-00241-x).
 */
export const RESIDENT_MOVING_HOURS = 5.6;

export const STATED_USE: DailyUse = {
  presses: 10,
  alarmMinutes: 10,
  checkIns: 4,
  awakeS: 15,
  messagesPerConnection: 5,
  fallDetection: true,
  deepSleep: false,
  impactWakesPerHour: IMPACT_WAKES_PER_HOUR,
  movingHours: 16, // every hour not still: the upper bound the figures before the resident profile used
  stillHours: 8,
  capacityMah: 1500,
  usable: 0.85,
};

/**
 * The typical resident the last line of `battery:sos` is for (README): an alarm a week of 30 min, 4 check-ins a day,
 * RESIDENT_MOVING_HOURS of activity at the measured wake rate.
 */
export const TYPICAL_RESIDENT: DailyUse = { ...STATED_USE, presses: 1 / 7, alarmMinutes: 30, deepSleep: true, movingHours: RESIDENT_MOVING_HOURS };

export interface Estimate {
  /** mAh per day by cause. */
  breakdown: Record<string, number>;
  mAhPerDay: number;
  averageMa: number;
  days: number;
}

const HOURS = 24;

/** Energy per day (mAh) of each cause, and the days the usable capacity lasts. */
export function estimateBatteryLife(use: DailyUse, table: CurrentTable = CURRENT_TABLE): Estimate {
  const t = (key: keyof CurrentTable) => table[key].value;
  const mAh = (ma: number, seconds: number) => (ma * seconds) / 3600;
  const connection = mAh(t('connectMa'), t('connectS')) + use.messagesPerConnection * mAh(t('transmitMa'), t('transmitS'));
  const connections = use.presses + use.checkIns;
  const breakdown: Record<string, number> = {};
  const movingS = (HOURS - use.stillHours) * 3600;
  if (use.deepSleep) {
    breakdown[use.fallDetection ? 'deep sleep' : 'deep sleep (button only)'] = t('buttonAsleepMa') * HOURS;
    breakdown['boot after each deep-sleep wake'] = connections * mAh(t('cpuMa'), t('bootS'));
  } else {
    breakdown['light sleep between timers'] = t('lightSleepMa') * HOURS;
  }
  if (use.fallDetection && use.deepSleep) {
    const wakes = use.impactWakesPerHour * use.movingHours;
    const wakeS = t('impactWakeS');
    // The accelerometer at the sleep rate while the ESP32 sleeps, at 50 Hz while a wake decides.
    const deciding = Math.min(HOURS, (wakes * (t('bootS') + wakeS)) / 3600);
    breakdown['accelerometer'] = t('accelAsleepMa') * (HOURS - deciding) + t('accelMa') * deciding;
    // Each wake: a boot, then the detector's seconds in light sleep between FIFO reads; the radio stays down.
    breakdown['wakes on impact (boot + decide)'] = wakes * (mAh(t('cpuMa'), t('bootS') + wakeS * 2 * t('pollS')) + mAh(t('lightSleepMa'), wakeS));
  } else if (use.fallDetection) {
    breakdown['accelerometer'] = t('accelMa') * HOURS;
    breakdown['FIFO reads (2/s while moving)'] = mAh(t('cpuMa'), movingS * 2 * t('pollS'));
  }
  breakdown['connect + send'] = connections * connection;
  breakdown['linger after connecting'] = connections * mAh(t('connectedMa'), use.awakeS);
  breakdown['connected while an alarm is open'] = use.presses * mAh(t('connectedMa'), use.alarmMinutes * 60);
  const mAhPerDay = Object.values(breakdown).reduce((sum, value) => sum + value, 0);
  return { breakdown, mAhPerDay, averageMa: mAhPerDay / HOURS, days: (use.capacityMah * use.usable) / mAhPerDay };
}

/** What a running SOS button measured about itself (health telemetry), turned into an estimate. */
export interface MeasuredDuty {
  uptimeS: number;
  radioS: number;
  wakes: number;
  fallDetection: boolean;
  /** Seconds with FIFO polling stopped for stillness (0 when unknown). */
  stillS?: number;
  /** Seconds of uptimeS spent in deep sleep, and the wakes from it (each a boot). */
  deepSleepS?: number;
  deepSleeps?: number;
}

export function estimateFromMeasured(measured: MeasuredDuty, capacityMah = STATED_USE.capacityMah, table: CurrentTable = CURRENT_TABLE): Estimate {
  const t = (key: keyof CurrentTable) => table[key].value;
  const uptimeS = Math.max(1, measured.uptimeS);
  // Awake, the chip idles in light sleep between timers; in deep sleep only the board's sleep current flows,
  // and every wake from it costs a boot (and a connection: the runtime connects at boot).
  const deepSleepS = Math.min(uptimeS, measured.deepSleepS ?? 0);
  const deepSleeps = measured.deepSleeps ?? 0;
  const floorMa = (t('lightSleepMa') * (uptimeS - deepSleepS) + t('buttonAsleepMa') * deepSleepS) / uptimeS
    + (measured.fallDetection ? (t('accelMa') * (uptimeS - deepSleepS) + t('accelAsleepMa') * deepSleepS) / uptimeS : 0);
  const bootMa = (t('cpuMa') * t('bootS') * deepSleeps) / uptimeS;
  const movingS = Math.max(0, uptimeS - (measured.stillS ?? 0));
  const pollMa = measured.fallDetection ? (t('cpuMa') * movingS * 2 * t('pollS')) / uptimeS : 0;
  const radioMa = (t('connectedMa') * Math.min(measured.radioS, uptimeS)) / uptimeS;
  const connectMa = (t('connectMa') * t('connectS') * (measured.wakes + deepSleeps + 1)) / uptimeS;
  const averageMa = floorMa + bootMa + pollMa + radioMa + connectMa;
  const mAhPerDay = averageMa * HOURS;
  return {
    breakdown: { floor: floorMa * HOURS, boots: bootMa * HOURS, polls: pollMa * HOURS, radio: radioMa * HOURS, connects: connectMa * HOURS },
    mAhPerDay,
    averageMa,
    days: (capacityMah * STATED_USE.usable) / mAhPerDay,
  };
}

export function describeDuration(days: number): string {
  if (!Number.isFinite(days)) return 'unbounded';
  return days >= 730 ? `${(days / 365).toFixed(1)} years` : `${Math.round(days)} days`;
}

export function formatEstimate(use: DailyUse, estimate: Estimate): string {
  const lines = [
    `Daily use: ${use.presses} presses (alarm open ${use.alarmMinutes} min each), ${use.checkIns} check-ins, `
      + `radio up ${use.awakeS} s per connection, fall detection ${use.fallDetection ? `on (${use.stillHours} h still)` : 'off'}`
      + `${use.deepSleep ? (use.fallDetection ? `, deep sleep woken on impact (${use.impactWakesPerHour} wakes per moving hour, ${use.movingHours} h moving)` : ', deep sleep between presses') : ''}, `
      + `${use.capacityMah} mAh × ${use.usable} usable.`,
    '',
    ...Object.entries(estimate.breakdown).map(([cause, value]) => `  ${cause.padEnd(36)} ${value.toFixed(2).padStart(8)} mAh/day`),
    `  ${'total'.padEnd(36)} ${estimate.mAhPerDay.toFixed(2).padStart(8)} mAh/day (average ${estimate.averageMa.toFixed(3)} mA)`,
    '',
    `Estimated battery life: ${describeDuration(estimate.days)}`,
  ];
  return lines.join('\n');
}

export function formatTable(table: CurrentTable = CURRENT_TABLE): string {
  return Object.entries(table).map(([key, figure]) => `  ${key.padEnd(15)} ${String(figure.value).padStart(7)}  ${figure.source}`).join('\n');
}

/**
 * The daily use a `battery:sos` command line describes (and whether to print the current table). `--deep-sleep`
 * and `--light-sleep` choose how the SOS button idles: button only, deep sleep is the default (the firmware's);
 * with fall detection on, light sleep is the default (the detector reading the FIFO) and `--deep-sleep` is the
 * wake on impact (issue 13). `--impact-wakes` only counts with that deep sleep, so elsewhere it is refused.
 * Throws CommanderError on a bad command line (after printing it through `output`), and on --help.
 */
export function parseBatteryCommand(argv: readonly string[], output: OutputConfiguration = {}): { use: DailyUse; table: boolean } {
  const number = (min: number, max: number) => (text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new InvalidArgumentError(`a number from ${min} to ${max}`);
    return value;
  };
  const program = new Command()
    .name('battery:sos')
    .description('Estimated battery life of the SOS button for a stated daily use')
    .exitOverride()
    .configureOutput(output)
    .option('--presses <n>', 'presses (alarms) per day', number(0, 1000), STATED_USE.presses)
    .option('--alarm-minutes <n>', 'minutes the radio stays connected per alarm', number(0, 1440), STATED_USE.alarmMinutes)
    .option('--check-ins <n>', 'check-ins per day', number(0, 1440), STATED_USE.checkIns)
    .option('--awake <s>', 'seconds the radio lingers per connection', number(0, 3600), STATED_USE.awakeS)
    .option('--still-hours <h>', 'hours a day without motion', number(0, 24), STATED_USE.stillHours)
    .option('--capacity <mAh>', 'cell capacity', number(1, 100_000), STATED_USE.capacityMah)
    .option('--no-fall-detection', 'button only (the accelerometer off): the firmware deep-sleeps between activity')
    .option('--deep-sleep', 'deep sleep between activity (button only: the default, the ESP32 build; fall detection on: woken on impact)')
    .option('--light-sleep', 'idle in light sleep (fall detection on: the default, the CPU reads the FIFO; button only: a build without deep sleep)')
    .option('--impact-wakes <n>', 'with fall detection and --deep-sleep: wakes on impact per moving hour', number(0, 100_000))
    .option('--moving-hours <h>', 'with fall detection and --deep-sleep: hours a day of activity that can wake it', number(0, 24))
    .option('--table', 'print the current table with sources');
  program.parse(argv as string[], { from: 'user' });
  const o = program.opts<{ presses: number; alarmMinutes: number; checkIns: number; awake: number; stillHours: number; capacity: number; fallDetection: boolean; deepSleep?: boolean; lightSleep?: boolean; impactWakes?: number; movingHours?: number; table?: boolean }>();
  if (o.deepSleep && o.lightSleep) program.error('error: --deep-sleep and --light-sleep exclude each other');
  const deepSleep = o.fallDetection ? o.deepSleep === true : o.lightSleep !== true;
  for (const [flag, value] of [['--impact-wakes', o.impactWakes], ['--moving-hours', o.movingHours]] as const) {
    if (value !== undefined && !(o.fallDetection && deepSleep)) program.error(`error: ${flag} needs fall detection on and --deep-sleep (the only mode woken on impact)`);
  }
  const use: DailyUse = {
    ...STATED_USE, presses: o.presses, alarmMinutes: o.alarmMinutes, checkIns: o.checkIns, awakeS: o.awake,
    stillHours: o.stillHours, capacityMah: o.capacity, fallDetection: o.fallDetection, deepSleep,
    impactWakesPerHour: o.impactWakes ?? STATED_USE.impactWakesPerHour, movingHours: o.movingHours ?? STATED_USE.movingHours,
  };
  return { use, table: o.table === true };
}

/** The issue 13 summary for the typical resident (README), whatever the flags: with the detector on (woken on impact) and button only. */
export function residentLine(): string {
  const days = (use: DailyUse) => estimateBatteryLife(use).days.toFixed(0);
  return `fall_detection_on_days=${days(TYPICAL_RESIDENT)} button_only_days=${days({ ...TYPICAL_RESIDENT, fallDetection: false })}`;
}

function main(argv: readonly string[]): void {
  try {
    const { use, table } = parseBatteryCommand(argv);
    if (table) console.log(`Current table:\n${formatTable()}\n`);
    console.log(formatEstimate(use, estimateBatteryLife(use)));
    console.log(`\n${residentLine()}`);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
