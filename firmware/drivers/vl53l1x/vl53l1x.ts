// ST VL53L1X time-of-flight distance sensor on I2C (the Moddable SDK has no driver), ECMA-419 sensor class style,
// following the sequences of ST's ultra lite driver (ULD) without blocking:
//
//   const tof = new Vl53l1x({ sensor: { ...board.i2c, io: device.io.SMBus }, timers, onReading(reading) { ... } });
//   tof.configure({ distanceMode: 'short', timingBudgetMs: 50 });
//   tof.measure();                        // exactly one onReading() per call: { mm, signal, ambient } or { fault }
//
// The constructor checks the model id (0xEACC) and that the firmware has booted, and throws otherwise; it writes
// ST's default configuration and starts the ULD's first ranging (the VHV calibration), which ends in the
// background. Each measure() starts ranging, polls data ready every 10 ms, reads the result block, clears the
// interrupt and stops, so the sensor idles between readings. Range statuses map to readings as follows:
//   0 valid, 3 valid but clipped at the minimum range (a very close target), 6 valid without the wraparound check
//     (a bin is far inside a mode's unambiguous range)  → { mm, signal, ambient }
//   10 synchronisation (the first result of a ranging, no range in it): ranging goes on to the next result
//   1 sigma fail, 2 signal fail, 12 lack of signal: with a strong ambient rate (≥ 2 Mcps) at or above the return
//     signal → 'ambient' (blinded: sunlight); otherwise → 'noEcho' (nothing usable came back)
//   anything else (out of bounds, wraparound, hardware fail...)  → 'range'
// No data ready within twice the timing budget plus 100 ms, or the bus failing meanwhile: 'silent'.
import type { I2C, I2CConstructor, I2COptions } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import type { LevelReading } from '../level-reading.js';
import {
  ACTIVE_LOW, DEFAULT_ADDRESS, DEFAULT_CONFIGURATION, DISTANCE_MODES, INTERRUPT_CLEAR, MODE_START_RANGING, MODE_STOP,
  MODEL_ID, RANGE_STATUS, RESULT_BYTES, RangeStatus, Register, ResultOffset, interMeasurementPeriod, type DistanceMode,
} from './registers.js';

export type { DistanceMode } from './registers.js';

export interface Vl53l1xOptions {
  /** Bus options (the board's I2C pins and speed) plus the I2C or SMBus class; address defaults to 0x29. */
  sensor: Omit<I2COptions, 'address' | 'hz'> & { io: I2CConstructor; address?: number; hz?: number };
  timers: Timers;
  onReading(reading: LevelReading): void;
}

export interface Vl53l1xConfiguration {
  /** 'short' (to ~1.3 m, copes better with ambient light) or 'long' (to ~4 m; the default). */
  distanceMode?: DistanceMode;
  /** 15 (short only), 20, 33, 50, 100 (default), 200 or 500 ms: longer is steadier and reaches further. */
  timingBudgetMs?: number;
}

const POLL_MS = 10;
/**
 * Ambient rate (kcps, whole field of view) from which a failed range counts as blinded rather than as no target:
 * indoors the rate stays in the hundreds, direct sunlight gives tens of thousands.
 */
const BLINDING_AMBIENT_KCPS = 2000;
const SILENT: LevelReading = Object.freeze({ fault: 'silent' as const });
const NO_ECHO: LevelReading = Object.freeze({ fault: 'noEcho' as const });
const AMBIENT: LevelReading = Object.freeze({ fault: 'ambient' as const });
const RANGE: LevelReading = Object.freeze({ fault: 'range' as const });

export class Vl53l1x {
  #io: I2C;
  #timers: Timers;
  #onReading: (reading: LevelReading) => void;
  #mode: DistanceMode = 'long';
  #budgetMs = 100;
  /** Settings configure() asked for, written when the sensor next stands still. */
  #pending: Required<Vl53l1xConfiguration> | undefined;
  /** The value of GPIO__TIO_HV_STATUS bit 0 that means data ready (the interrupt polarity). */
  #readyLevel = 1;
  /** The ULD's first ranging (VHV calibration) has ended. */
  #calibrated = false;
  #ranging = false;
  #polls = 0;
  #timer: TimerId | undefined;
  /** measure() calls the ranging under way will answer. */
  #waiting = 0;
  #closed = false;

  constructor(options: Vl53l1xOptions) {
    const { io: Bus, ...bus } = options.sensor;
    const io = new Bus({ hz: 400_000, address: DEFAULT_ADDRESS, ...bus });
    this.#io = io;
    this.#timers = options.timers;
    this.#onReading = options.onReading;
    try {
      const id = this.#read16(Register.IDENTIFICATION__MODEL_ID);
      if (id !== MODEL_ID) throw new Error(`VL53L1X: unexpected model id 0x${id.toString(16)} (expected 0xeacc)`);
      if (this.#read(Register.FIRMWARE__SYSTEM_STATUS, 1)[0] === 0) throw new Error('VL53L1X: firmware not booted');
      this.#write(Register.DEFAULT_CONFIG, DEFAULT_CONFIGURATION);
      this.#readyLevel = this.#read(Register.GPIO_HV_MUX__CTRL, 1)[0]! & ACTIVE_LOW ? 0 : 1;
    } catch (error) {
      io.close();
      throw error;
    }
    this.#start();
  }

  get distanceMode(): DistanceMode {
    return this.#pending?.distanceMode ?? this.#mode;
  }

  get timingBudgetMs(): number {
    return this.#pending?.timingBudgetMs ?? this.#budgetMs;
  }

  /** Throws a RangeError for a mode or budget the ULD has no setting for. Applied between rangings. */
  configure(options: Vl53l1xConfiguration): void {
    const distanceMode = options.distanceMode ?? this.distanceMode;
    const timingBudgetMs = options.timingBudgetMs ?? this.timingBudgetMs;
    if (distanceMode !== 'short' && distanceMode !== 'long') throw new RangeError(`VL53L1X: distance mode must be 'short' or 'long', got ${String(distanceMode)}`);
    const settings = DISTANCE_MODES[distanceMode];
    if (settings.budgets[timingBudgetMs] === undefined) {
      throw new RangeError(`VL53L1X: no ${String(timingBudgetMs)} ms timing budget in ${distanceMode} mode (${Object.keys(settings.budgets).join(', ')})`);
    }
    this.#pending = { distanceMode, timingBudgetMs };
    if (!this.#ranging) this.#applyPending();
  }

  /** Asks for one reading; a call while one is under way is answered by that same reading. */
  measure(): void {
    if (this.#closed) throw new Error('VL53L1X: closed');
    if (this.#waiting++ > 0 || this.#ranging) return; // a calibration ranging under way starts ours when it ends
    this.#start();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#waiting = 0;
    try {
      if (this.#ranging) this.#write(Register.SYSTEM__MODE_START, [MODE_STOP]);
    } catch {
      // A sensor gone from the bus is closed all the same.
    }
    this.#io.close();
  }

  #start(): void {
    this.#ranging = true;
    this.#polls = 0;
    try {
      this.#write(Register.SYSTEM__INTERRUPT_CLEAR, [INTERRUPT_CLEAR]);
      this.#write(Register.SYSTEM__MODE_START, [MODE_START_RANGING]);
    } catch {
      // Polling finds nothing ready and the reading ends 'silent'.
    }
    this.#timer = this.#timers.repeat(() => this.#poll(), POLL_MS);
  }

  #poll(): void {
    let outcome: LevelReading | 'calibrated' | undefined;
    try {
      if ((this.#read(Register.GPIO__TIO_HV_STATUS, 1)[0]! & 1) === this.#readyLevel) outcome = this.#collect();
    } catch {
      // A bus error: try again until the deadline.
    }
    if (outcome === undefined && ++this.#polls < (2 * this.#budgetMs + 100) / POLL_MS) return;
    if (outcome === undefined) {
      try {
        this.#write(Register.SYSTEM__MODE_START, [MODE_STOP]);
      } catch {
        // Not answering: nothing to stop.
      }
    }
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#ranging = false;
    this.#applyPending();
    if (outcome === 'calibrated') {
      if (this.#waiting > 0) this.#start();
      return;
    }
    // Callers waiting through a failed calibration hear 'silent' too; the next measure() calibrates again.
    if (this.#waiting > 0) this.#deliver(outcome ?? SILENT);
  }

  /**
   * Data is ready: the result (none after the calibration ranging), the interrupt cleared, ranging stopped.
   * Undefined when the result is only the synchronisation of a new ranging: the range itself follows.
   */
  #collect(): LevelReading | 'calibrated' | undefined {
    const result = this.#calibrated ? this.#read(Register.RESULT__RANGE_STATUS, RESULT_BYTES) : undefined;
    this.#write(Register.SYSTEM__INTERRUPT_CLEAR, [INTERRUPT_CLEAR]);
    if (result !== undefined && rangeStatus(result) === RangeStatus.SYNCHRONISATION) return undefined;
    this.#write(Register.SYSTEM__MODE_START, [MODE_STOP]);
    if (result !== undefined) return readingOf(result);
    // The rest of the ULD's SensorInit after its first ranging: VHV from two loop bounds, from the last value.
    this.#write(Register.VHV_CONFIG__TIMEOUT_MACROP_LOOP_BOUND, [0x09]);
    this.#write(Register.VHV_CONFIG__INIT, [0x00]);
    this.#calibrated = true;
    return 'calibrated';
  }

  #deliver(reading: LevelReading): void {
    let callers = this.#waiting;
    this.#waiting = 0; // before the callbacks: one of them may measure again
    while (callers-- > 0) this.#onReading(reading);
  }

  #applyPending(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    const settings = DISTANCE_MODES[pending.distanceMode];
    const [timeoutA, timeoutB] = settings.budgets[pending.timingBudgetMs]!;
    try {
      this.#write(Register.PHASECAL_CONFIG__TIMEOUT_MACROP, [settings.phasecalTimeout]);
      this.#write(Register.RANGE_CONFIG__VCSEL_PERIOD_A, [settings.vcselPeriodA]);
      this.#write(Register.RANGE_CONFIG__VCSEL_PERIOD_B, [settings.vcselPeriodB]);
      this.#write(Register.RANGE_CONFIG__VALID_PHASE_HIGH, [settings.validPhaseHigh]);
      this.#write(Register.SD_CONFIG__WOI_SD0, bytes16(settings.woiSd0));
      this.#write(Register.SD_CONFIG__INITIAL_PHASE_SD0, bytes16(settings.initialPhaseSd0));
      this.#write(Register.RANGE_CONFIG__TIMEOUT_MACROP_A, bytes16(timeoutA));
      this.#write(Register.RANGE_CONFIG__TIMEOUT_MACROP_B, bytes16(timeoutB));
      // The ULD wants the inter-measurement period at least the timing budget.
      const period = interMeasurementPeriod(this.#read16(Register.RESULT__OSC_CALIBRATE_VAL), pending.timingBudgetMs);
      this.#write(Register.SYSTEM__INTERMEASUREMENT_PERIOD, [period >>> 24, (period >>> 16) & 0xff, (period >>> 8) & 0xff, period & 0xff]);
    } catch {
      // The sensor left the bus: readings will say so ('silent'); the settings are kept for the next try.
      this.#pending = pending;
      return;
    }
    this.#mode = pending.distanceMode;
    this.#budgetMs = pending.timingBudgetMs;
  }

  #read(index: number, count: number): Uint8Array {
    this.#io.write(Uint8Array.of(index >> 8, index & 0xff), false);
    return new Uint8Array(this.#io.read(count));
  }

  #read16(index: number): number {
    const bytes = this.#read(index, 2);
    return (bytes[0]! << 8) | bytes[1]!;
  }

  #write(index: number, values: ArrayLike<number>): void {
    const bytes = new Uint8Array(values.length + 2);
    bytes[0] = index >> 8;
    bytes[1] = index & 0xff;
    for (let i = 0; i < values.length; i++) bytes[i + 2] = values[i]!;
    this.#io.write(bytes);
  }
}

function bytes16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

/** Mcps in 9.7 fixed point → kcps. */
function kcps(result: Uint8Array, offset: number): number {
  return Math.round((((result[offset]! << 8) | result[offset + 1]!) * 1000) / 128);
}

/** The ULD's range status of a result block. */
function rangeStatus(result: Uint8Array): number {
  return RANGE_STATUS[result[ResultOffset.status]! & 0x1f] ?? 255;
}

function readingOf(result: Uint8Array): LevelReading {
  const status = rangeStatus(result);
  const signal = kcps(result, ResultOffset.signal);
  const ambient = kcps(result, ResultOffset.ambient);
  switch (status) {
    case RangeStatus.VALID:
    case RangeStatus.MIN_RANGE_CLIPPED:
    case RangeStatus.NO_WRAP_CHECK:
      return { mm: (result[ResultOffset.distance]! << 8) | result[ResultOffset.distance + 1]!, signal, ambient };
    case RangeStatus.SIGMA_FAIL:
    case RangeStatus.SIGNAL_FAIL:
    case RangeStatus.LACK_OF_SIGNAL:
      return ambient >= BLINDING_AMBIENT_KCPS && ambient >= signal ? AMBIENT : NO_ECHO;
    default:
      return RANGE;
  }
}
