// A VL53L1X time-of-flight sensor on a virtual I2C bus, at register level with 16-bit big-endian indexes and
// auto-increment, modelled from ST's register use in its ultra lite driver (UM2510) rather than from our driver:
// - IDENTIFICATION__MODEL_ID 0x010F = 0xEACC, FIRMWARE__SYSTEM_STATUS 0x00E5 = 1 (booted),
//   RESULT__OSC_CALIBRATE_VAL 0x00DE; these and the result block are read-only.
// - SYSTEM__MODE_START 0x0087: 0x40 starts ranging, 0x00 stops. A result is ready one timing budget after the
//   start or the last interrupt clear (decoded from RANGE_CONFIG__TIMEOUT_MACROP_A with ST's table; with no clock,
//   at the next read); it shows on GPIO__TIO_HV_STATUS 0x0031 bit 0 at the polarity GPIO_HV_MUX__CTRL 0x0030 bit 4
//   sets (clear: active high), and SYSTEM__INTERRUPT_CLEAR 0x0086 clears it.
// - The result block from 0x0089: the device range status (low 5 bits), ambient rate at 0x0090, distance at
//   0x0096, signal rate at 0x0098 (rates in Mcps, 9.7 fixed point).
// What it sees comes from `reading()` at each result: `{ mm }` (a target: device status 9, range complete, a
// return signal falling with the square of the distance), 'noEcho' (status 4, no target: a few counts of signal)
// or `{ ambient }` in kcps (sunlight: status 6, sigma check failed, with a weak signal).
// Not modelled: the region of interest, thresholds, offsets and crosstalk, the inter-measurement period.
import type { MonotonicClock } from '../../hal/contract/time.js';
import type { I2cTransactionChip, VirtualI2cBus, VirtualIo } from '../../hal/host/io/index.js';

export type Vl53l1xSees = { mm: number; ambient?: number } | 'noEcho' | { ambient: number };

export interface Vl53l1xChipOptions {
  port?: number;
  /** 7-bit address, default 0x29. */
  address?: number;
  /** The device's clock (HostHal.clock): results take one timing budget. Without it they are ready at once. */
  clock?: MonotonicClock;
  /** Default 0xEACC; another value plays a different chip at the address. */
  modelId?: number;
  /** Default true; false plays a chip still in its boot. */
  booted?: boolean;
  reading(): Vl53l1xSees;
}

const R = {
  GPIO_HV_MUX__CTRL: 0x0030, GPIO__TIO_HV_STATUS: 0x0031, RANGE_CONFIG__TIMEOUT_MACROP_A: 0x005e,
  SYSTEM__INTERRUPT_CLEAR: 0x0086, SYSTEM__MODE_START: 0x0087, RESULT__RANGE_STATUS: 0x0089,
  RESULT__AMBIENT_RATE: 0x0090, RESULT__DISTANCE: 0x0096, RESULT__SIGNAL_RATE: 0x0098,
  RESULT__OSC_CALIBRATE_VAL: 0x00de, FIRMWARE__SYSTEM_STATUS: 0x00e5, IDENTIFICATION__MODEL_ID: 0x010f,
} as const;

/** Device range statuses the chip reports. */
export const DEVICE_STATUS = Object.freeze({ MSRC_NO_TARGET: 4, PHASE_CHECK: 5, SIGMA_CHECK: 6, WRAP: 7, RANGE_COMPLETE: 9, SYNC: 18 });

/** RANGE_CONFIG__TIMEOUT_MACROP_A → timing budget, ms (both distance modes, UM2510's settings). */
const BUDGET_MS: ReadonlyMap<number, number> = new Map([
  [0x001d, 15], [0x0051, 20], [0x001e, 20], [0x00d6, 33], [0x0060, 33], [0x01ae, 50], [0x00ad, 50],
  [0x02e1, 100], [0x01cc, 100], [0x03e1, 200], [0x02d9, 200], [0x0591, 500], [0x048f, 500],
]);

const REGISTER_SPACE = 0x200;
const RESULT_END = 0x0099;
const OSC_CALIBRATE = 0x0178;
/** Return signal at 1 m, kcps: a light target filling the field of view. */
const SIGNAL_AT_1M_KCPS = 4000;
const NO_TARGET_SIGNAL_KCPS = 20;
const SUNLIT_SIGNAL_KCPS = 300;
const INDOOR_AMBIENT_KCPS = 60;

export class Vl53l1xChip implements I2cTransactionChip {
  readonly address: number;
  #regs = new Uint8Array(REGISTER_SPACE);
  #pointer = 0;
  #clock: MonotonicClock | undefined;
  #reading: () => Vl53l1xSees;
  #ranging = false;
  #ready = false;
  #dueAt = 0;
  #forced: number[] = [];
  #bus: VirtualI2cBus;
  #starts = 0;
  #results = 0;

  constructor(bus: VirtualI2cBus, options: Vl53l1xChipOptions) {
    this.address = options.address ?? 0x29;
    this.#bus = bus;
    this.#clock = options.clock;
    this.#reading = options.reading;
    this.#set16(R.IDENTIFICATION__MODEL_ID, options.modelId ?? 0xeacc);
    this.#regs[R.FIRMWARE__SYSTEM_STATUS] = options.booted === false ? 0 : 1;
    this.#set16(R.RESULT__OSC_CALIBRATE_VAL, OSC_CALIBRATE);
    this.#set16(R.RANGE_CONFIG__TIMEOUT_MACROP_A, 0x01cc);
    bus.attach(this.address, this);
  }

  // ---- the physical side (simulator, tests) ----

  /** A register as the chip holds it (what the driver wrote). */
  register(index: number): number {
    return this.#regs[index]!;
  }

  /** Times ranging was started since attached. */
  get starts(): number {
    return this.#starts;
  }

  /** Results produced since attached. */
  get results(): number {
    return this.#results;
  }

  get ranging(): boolean {
    return this.#ranging;
  }

  /** The next results carry these device range statuses (distance and rates as `reading()` says). */
  forceStatus(...statuses: number[]): void {
    this.#forced.push(...statuses);
  }

  /** Leaves the bus (unplugged): transactions are not acknowledged. */
  detach(): void {
    this.#bus.detach(this.address);
  }

  // ---- the bus side ----

  write(bytes: Uint8Array): void {
    if (bytes.length < 2) return; // an address probe, or half an index: nothing to do
    this.#update();
    let index = (bytes[0]! << 8) | bytes[1]!;
    for (let i = 2; i < bytes.length; i++) this.#writeRegister(index++, bytes[i]!);
    this.#pointer = index;
  }

  read(byteLength: number): Uint8Array {
    this.#update();
    const out = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) out[i] = this.#readRegister(this.#pointer++);
    return out;
  }

  #readRegister(index: number): number {
    if (index >= REGISTER_SPACE) return 0;
    if (index === R.GPIO__TIO_HV_STATUS) {
      const activeHigh = (this.#regs[R.GPIO_HV_MUX__CTRL]! & 0x10) === 0;
      return (this.#regs[index]! & 0xfe) | (this.#ready === activeHigh ? 1 : 0);
    }
    return this.#regs[index]!;
  }

  #writeRegister(index: number, value: number): void {
    if ((index >= R.RESULT__RANGE_STATUS && index <= RESULT_END) || index >= R.RESULT__OSC_CALIBRATE_VAL) return; // read-only
    if (index === R.SYSTEM__MODE_START) {
      if (value === 0x40) {
        this.#ranging = true;
        this.#starts++;
        this.#ready = false;
        this.#dueAt = this.#now() + this.#budgetMs();
      } else if (value === 0x00) {
        this.#ranging = false;
      }
    } else if (index === R.SYSTEM__INTERRUPT_CLEAR && (value & 1) === 1) {
      this.#ready = false;
      this.#dueAt = this.#now() + this.#budgetMs();
      return;
    }
    this.#regs[index] = value;
  }

  #now(): number {
    return this.#clock?.now() ?? 0;
  }

  #budgetMs(): number {
    if (!this.#clock) return 0;
    return BUDGET_MS.get((this.#regs[R.RANGE_CONFIG__TIMEOUT_MACROP_A]! << 8) | this.#regs[R.RANGE_CONFIG__TIMEOUT_MACROP_A + 1]!) ?? 100;
  }

  /** Produces the result due by now, if ranging. */
  #update(): void {
    if (!this.#ranging || this.#ready || this.#now() < this.#dueAt) return;
    const sees = this.#reading();
    let status: number;
    let mm = 0;
    let signal: number;
    let ambient = INDOOR_AMBIENT_KCPS;
    if (sees === 'noEcho') {
      status = DEVICE_STATUS.MSRC_NO_TARGET;
      signal = NO_TARGET_SIGNAL_KCPS;
    } else if ('mm' in sees) {
      status = DEVICE_STATUS.RANGE_COMPLETE;
      mm = Math.max(0, Math.min(0xffff, Math.round(sees.mm)));
      signal = (SIGNAL_AT_1M_KCPS * 1e6) / Math.max(mm, 40) ** 2;
      ambient = sees.ambient ?? INDOOR_AMBIENT_KCPS;
    } else {
      status = DEVICE_STATUS.SIGMA_CHECK;
      signal = SUNLIT_SIGNAL_KCPS;
      ambient = sees.ambient;
    }
    this.#regs[R.RESULT__RANGE_STATUS] = this.#forced.shift() ?? status;
    this.#set16(R.RESULT__AMBIENT_RATE, rate(ambient));
    this.#set16(R.RESULT__DISTANCE, mm);
    this.#set16(R.RESULT__SIGNAL_RATE, rate(signal));
    this.#ready = true;
    this.#results++;
  }

  #set16(index: number, value: number): void {
    this.#regs[index] = (value >> 8) & 0xff;
    this.#regs[index + 1] = value & 0xff;
  }
}

/** kcps → Mcps in 9.7 fixed point, saturating. */
function rate(kcps: number): number {
  return Math.max(0, Math.min(0xffff, Math.round((kcps * 128) / 1000)));
}

export function attachVl53l1x(io: VirtualIo, options: Vl53l1xChipOptions): Vl53l1xChip {
  return new Vl53l1xChip(io.i2c(options.port ?? 0), options);
}
