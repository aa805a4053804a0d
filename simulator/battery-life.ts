// Battery life of the SOS button from a current table and a stated daily use (docs/sos-button.md).
// Each figure names its source: /work/shared/design/anchors.md ("anchors") where it has one, else the part's
// datasheet, else it is marked as our assumption. `npm run battery:sos -- --help` for the options.
import { Command, CommanderError, InvalidArgumentError, type OutputConfiguration } from 'commander';
import { pathToFileURL } from 'node:url';

export interface Figure {
  readonly value: number;
  readonly source: string;
}

/** Currents (mA) and durations (s) of the SOS button's power states. */
export const CURRENT_TABLE = {
  deepSleepMa: { value: 0.010, source: 'anchors: ESP32 deep sleep ~10 µA (the chip alone: the floor under buttonAsleepMa, which the model uses)' },
  buttonAsleepMa: { value: 0.017, source: 'anchors: battery Wi-Fi buttons ~17 µA asleep (whole board: regulator, pull-ups)' },
  lightSleepMa: { value: 0.8, source: 'ESP32 datasheet: light sleep 0.8 mA (RAM and timers kept, radio off)' },
  accelMa: { value: 0.011, source: 'LIS3DH datasheet: 11 µA at 50 Hz, normal mode' },
  cpuMa: { value: 30, source: 'ESP32 datasheet: CPU at 80 MHz, radio off, 20–31 mA (upper end)' },
  pollS: { value: 0.004, source: 'assumption: 4 ms awake per FIFO read (I2C burst + 25 samples through the detector on XS)' },
  connectMa: { value: 100, source: 'anchors: awake per press ~100 mA' },
  connectS: { value: 2, source: 'anchors: 0.75–3 s awake per press (Wi-Fi association, DHCP, TLS resumption, MQTT CONNECT)' },
  transmitMa: { value: 230, source: 'anchors: Wi-Fi transmit 160–260 mA' },
  transmitS: { value: 0.02, source: 'assumption: 20 ms of transmit per message (QoS 1 publish + PUBACK)' },
  connectedMa: { value: 20, source: 'ESP32 datasheet: modem sleep 20–31 mA (connected, radio off between beacons; lower end)' },
  bootS: { value: 0.6, source: 'assumption: 0.6 s from deep-sleep wake to a running XS app, at cpuMa' },
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
   * Button only, in deep sleep between presses (woken by the button or the check-in timer; every wake boots the
   * app again): what the firmware does with fall detection off where the HAL has deep sleep (the ESP32 SOS button
   * build). False: a build without it, idling in light sleep.
   */
  deepSleep: boolean;
  /** Hours a day without motion (FIFO polling stopped until wake-on-motion). */
  stillHours: number;
  /** Cell capacity, mAh, and the share of it that is usable (cut-off voltage, ageing, self-discharge). */
  capacityMah: number;
  usable: number;
}

export const STATED_USE: DailyUse = {
  presses: 10,
  alarmMinutes: 10,
  checkIns: 4,
  awakeS: 15,
  messagesPerConnection: 5,
  fallDetection: true,
  deepSleep: false,
  stillHours: 8,
  capacityMah: 1500,
  usable: 0.85,
};

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
  if (use.deepSleep && use.fallDetection) throw new RangeError('deep sleep needs fall detection off');
  if (use.deepSleep) {
    breakdown['deep sleep (button only)'] = t('buttonAsleepMa') * HOURS;
    breakdown['boot after each deep-sleep wake'] = connections * mAh(t('cpuMa'), t('bootS'));
  } else {
    breakdown['light sleep between timers'] = t('lightSleepMa') * HOURS;
  }
  if (use.fallDetection) {
    const movingS = (HOURS - use.stillHours) * 3600;
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
    + (measured.fallDetection ? t('accelMa') : 0);
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
      + `${use.deepSleep ? ', deep sleep between presses' : ''}, `
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
 * The daily use a `battery:sos` command line describes (and whether to print the current table). Every sleep flag
 * must change something or be refused: `--deep-sleep` and `--light-sleep` choose how a button-only SOS button
 * idles, so both need `--no-fall-detection` (with the detector on, the CPU idles in light sleep: there is no choice).
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
    .option('--deep-sleep', 'with --no-fall-detection: deep sleep between activity (the default there; the ESP32 build)')
    .option('--light-sleep', 'with --no-fall-detection: a build without deep sleep, idling in light sleep')
    .option('--table', 'print the current table with sources');
  program.parse(argv as string[], { from: 'user' });
  const o = program.opts<{ presses: number; alarmMinutes: number; checkIns: number; awake: number; stillHours: number; capacity: number; fallDetection: boolean; deepSleep?: boolean; lightSleep?: boolean; table?: boolean }>();
  for (const [flag, given] of [['--deep-sleep', o.deepSleep], ['--light-sleep', o.lightSleep]] as const) {
    if (given && o.fallDetection) program.error(`error: ${flag} needs --no-fall-detection (the fall detector keeps the CPU in light sleep)`);
  }
  if (o.deepSleep && o.lightSleep) program.error('error: --deep-sleep and --light-sleep exclude each other');
  const use: DailyUse = {
    ...STATED_USE, presses: o.presses, alarmMinutes: o.alarmMinutes, checkIns: o.checkIns, awakeS: o.awake,
    stillHours: o.stillHours, capacityMah: o.capacity, fallDetection: o.fallDetection, deepSleep: !o.fallDetection && o.lightSleep !== true,
  };
  return { use, table: o.table === true };
}

function main(argv: readonly string[]): void {
  try {
    const { use, table } = parseBatteryCommand(argv);
    if (table) console.log(`Current table:\n${formatTable()}\n`);
    console.log(formatEstimate(use, estimateBatteryLife(use)));
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
