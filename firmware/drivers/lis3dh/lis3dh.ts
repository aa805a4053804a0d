// ST LIS3DH 3-axis accelerometer on I2C, in the ECMA-419 sensor class pattern (after Moddable's
// modules/drivers/sensors/lis3dh): the bus class comes in the options, values are integer milli-g.
//
//   const accel = new LIS3DH({ sensor: { ...board.i2c, io: device.io.SMBus, address: 0x18 } });
//   accel.configure({ rate: 50, range: 8 });
//   const n = accel.readFifo(buffer);          // buffer: Int16Array(3 * LIS3DH.FIFO_DEPTH), x,y,z interleaved
//   accel.enableWakeOnMotion({ thresholdMg: 200, durationMs: 40 });
//   accel.enableWakeOnMotion({ thresholdMg: 1500, durationMs: 0, captureHistory: true }); // wake on impact
//
// The FIFO runs in stream mode: the chip keeps the newest 32 samples; drain it more often than every 32/rate s
// (0.64 s at 50 Hz) or the oldest are overwritten (counted in `overruns`). Note that the chip's FIFO keeps only
// the 10 most significant bits, so in high-resolution mode FIFO samples are 4 digits coarse (16 mg at ±8 g);
// sample() outside FIFO mode reads the full 12 bits. Dropping the two low bits floors every value (toward −∞), so
// readFifo() adds back their mean (1.5 digits, 6 mg at ±8 g): otherwise positive components read small and
// negative ones large, and the magnitude of a still body would depend on how the device hangs (±12 mg).
//
// With captureHistory the FIFO runs in stream-to-FIFO mode: it streams while INT1 is low and the latched wake
// freezes it on the 32 samples up to the trigger, so a CPU woken from deep sleep still reads what came before it;
// the chip collects nothing after them until acknowledgeWake() releases INT1 (then it streams again). The chip
// keeps its registers and FIFO while the MCU deep-sleeps or resets, so a boot woken by INT1 opens the driver with
// keepFifo: it takes the chip as it runs instead of resetting it, and the captured samples are still there.
import type { Digital, DigitalConstructor, I2COptions, PinSpecifier, SMBus, SMBusConstructor } from '../../../hal/contract/io.js';
import {
  AUTO_INCREMENT, CTRL1_LPEN, CTRL1_XYZ, CTRL2_HP_IA1, CTRL2_HPCF_SHIFT, CTRL3_I1_IA1, CTRL4_BDU, CTRL4_HR, CTRL5_FIFO_EN,
  CTRL5_LIR_INT1, DATA_SHIFT, FIFO_BYPASS, FIFO_DEPTH, FIFO_MODE_MASK, FIFO_SRC_FSS, FIFO_SRC_OVRN, FIFO_STREAM, FIFO_STREAM_TO_FIFO, FS_CODE,
  HP_CUTOFF_DIVISOR, INT1_CFG_XYZ_HIGH, INT1_SRC_IA, ODR_CODE, Register, SENSITIVITY_MG, fifoDroppedMeanMg, THRESHOLD_LSB_MG,
  WHO_AM_I_VALUE, type Lis3dhMode,
} from './registers.js';

export type { Lis3dhMode } from './registers.js';

export interface Lis3dhOptions {
  /** Bus options (the board's I2C pins and speed) plus the SMBus class; address defaults to 0x18 (SA0 low). */
  sensor: Omit<I2COptions, 'address' | 'hz'> & { io: SMBusConstructor; address?: number; hz?: number };
  /** The INT1 line, when wired: onAlert runs on its rising edge (wake on motion). */
  alert?: { io: DigitalConstructor; pin: PinSpecifier; mode?: unknown };
  onAlert?: () => void;
  /**
   * Take the chip as it runs (its settings read back, its FIFO and latched INT1 left alone) when it samples into
   * its FIFO: a boot after it woke the MCU, whose captured history must survive the driver's start. A chip that
   * does not sample (power-on, power-down) is reset as without it.
   */
  keepFifo?: boolean;
}

export interface Lis3dhConfiguration {
  /** Output data rate, Hz: 1, 10, 25, 50, 100, 200 or 400. */
  rate?: number;
  /** Full scale, ±g: 2, 4, 8 or 16. */
  range?: number;
  /** Resolution: 12-bit high-resolution (default), 10-bit normal, 8-bit low-power (least current). */
  mode?: Lis3dhMode;
  /** Stream samples through the 32-deep FIFO (default true). With it on, sample() returns the oldest unread. */
  fifo?: boolean;
}

export interface WakeOnMotionOptions {
  /** Change of acceleration (gravity filtered out) on any axis that counts as motion, mg. */
  thresholdMg: number;
  /** How long it must last, ms (0: one sample). */
  durationMs: number;
  /**
   * Cut-off of the chip's high-pass filter, Hz: rate/50 (the default), rate/100, rate/250 or rate/500. Lower
   * lets slower movements through.
   */
  highPassHz?: number;
  /** Freeze the FIFO on the samples up to the trigger (stream-to-FIFO) until acknowledgeWake(); needs the FIFO on. */
  captureHistory?: boolean;
}

export interface Acceleration {
  x: number;
  y: number;
  z: number;
}

export class LIS3DH {
  static readonly FIFO_DEPTH = FIFO_DEPTH;

  #io: SMBus | undefined;
  #monitor: Digital | undefined;
  #rate = 50;
  #poweredDown = false;
  #range = 8;
  #mode: Lis3dhMode = 'high-resolution';
  #fifo = true;
  /** The wake-on-motion setting, kept in rate-independent terms so configure() can reprogram it. */
  #wake: { thresholdMg: number; durationMs: number; captureHistory: boolean; highPassDivisor: number } | undefined;
  #overruns = 0;
  /** Decoding of the current mode and range: right shift of the 32-bit-aligned value, mg per digit. */
  #shift = 20;
  #scale = 4;
  /** What readFifo() adds back for the low bits the FIFO drops (high-resolution mode only), mg. */
  #fifoBias = 6;

  constructor(options: Lis3dhOptions) {
    const { io: Bus, ...bus } = options.sensor;
    const io = new Bus({ hz: 400_000, address: 0x18, ...bus });
    const id = io.readUint8(Register.WHO_AM_I);
    if (id !== WHO_AM_I_VALUE) {
      io.close();
      throw new Error(`LIS3DH: unexpected WHO_AM_I 0x${id.toString(16)} (expected 0x33)`);
    }
    this.#io = io;
    if (!(options.keepFifo && this.#adopt())) {
      // The chip keeps its registers across a reset of the MCU: start from a known state.
      io.writeUint8(Register.CTRL_REG3, 0);
      io.writeUint8(Register.INT1_CFG, 0);
      io.writeUint8(Register.CTRL_REG6, 0); // INT1 active high
      this.configure({});
    }
    const { alert, onAlert } = options;
    if (alert && onAlert) {
      const { io: Input, ...pin } = alert;
      this.#monitor = new Input({ mode: Input.Input, ...pin, edge: Input.Rising, onReadable: () => onAlert() });
    }
  }

  get rate(): number {
    return this.#rate;
  }

  get range(): number {
    return this.#range;
  }

  get mode(): Lis3dhMode {
    return this.#mode;
  }

  /** FIFO reads that found it full: samples may have been overwritten before them. */
  get overruns(): number {
    return this.#overruns;
  }

  /**
   * Stops sampling (power-down mode, ~0.5 µA instead of ~11 µA at 50 Hz) and empties the FIFO; wake on motion
   * stops too, since it needs samples. configure() starts it again with the last settings.
   */
  powerDown(): void {
    const io = this.#bus();
    this.#poweredDown = true;
    io.writeUint8(Register.FIFO_CTRL_REG, FIFO_BYPASS);
    io.writeUint8(Register.CTRL_REG1, CTRL1_XYZ); // ODR code 0: power-down
  }

  /** True after powerDown() until the next configure(). */
  get poweredDown(): boolean {
    return this.#poweredDown;
  }

  configure(options: Lis3dhConfiguration): void {
    const io = this.#bus();
    const rate = options.rate ?? this.#rate;
    const range = options.range ?? this.#range;
    const mode = options.mode ?? this.#mode;
    const fifo = options.fifo ?? this.#fifo;
    if (ODR_CODE[rate] === undefined) throw new RangeError(`LIS3DH: rate must be 1, 10, 25, 50, 100, 200 or 400 Hz, got ${String(rate)}`);
    if (FS_CODE[range] === undefined) throw new RangeError(`LIS3DH: range must be 2, 4, 8 or 16 g, got ${String(range)}`);
    if (DATA_SHIFT[mode] === undefined) throw new RangeError(`LIS3DH: unknown mode ${String(mode)}`);
    if (!fifo && this.#wake?.captureHistory) throw new Error('LIS3DH: captureHistory needs the FIFO: disableWakeOnMotion() first');
    this.#poweredDown = false;
    this.#take(rate, range, mode, fifo);
    io.writeUint8(Register.FIFO_CTRL_REG, FIFO_BYPASS); // empties the FIFO
    io.writeUint8(Register.CTRL_REG1, (ODR_CODE[rate]! << 4) | (mode === 'low-power' ? CTRL1_LPEN : 0) | CTRL1_XYZ);
    io.writeUint8(Register.CTRL_REG4, CTRL4_BDU | (FS_CODE[range]! << 4) | (mode === 'high-resolution' ? CTRL4_HR : 0));
    io.writeUint8(Register.CTRL_REG5, this.#ctrl5());
    if (fifo) io.writeUint8(Register.FIFO_CTRL_REG, FIFO_STREAM);
    // Threshold and duration are in range- and rate-dependent units.
    if (this.#wake) this.enableWakeOnMotion({ ...this.#wake, highPassHz: rate / this.#wake.highPassDivisor });
  }

  /** The current acceleration (with the FIFO on: the oldest unread sample, which this consumes). */
  sample(): Acceleration {
    const bytes = new Uint8Array(this.#bus().readBuffer(Register.OUT_X_L | AUTO_INCREMENT, 6));
    return { x: this.#decode(bytes, 0), y: this.#decode(bytes, 2), z: this.#decode(bytes, 4) };
  }

  /**
   * Moves the unread FIFO samples (as many as fit) into `into` as interleaved x, y, z milli-g and returns how
   * many samples that was. Samples that did not fit stay in the FIFO for the next call.
   */
  readFifo(into: Int16Array): number {
    const io = this.#bus();
    if (!this.#fifo) throw new Error('LIS3DH: the FIFO is off (configure({ fifo: true }))');
    const source = io.readUint8(Register.FIFO_SRC_REG);
    const full = (source & FIFO_SRC_OVRN) !== 0;
    if (full && !this.#wake?.captureHistory) this.#overruns += 1; // a captured history is full on purpose
    const count = Math.min(full ? FIFO_DEPTH : source & FIFO_SRC_FSS, Math.floor(into.length / 3));
    if (count === 0) return 0;
    // One burst: in FIFO mode the chip's register pointer wraps from OUT_Z_H back to OUT_X_L, one sample per turn.
    const bytes = new Uint8Array(io.readBuffer(Register.OUT_X_L | AUTO_INCREMENT, count * 6));
    const bias = this.#fifoBias;
    for (let i = 0; i < count * 3; i++) into[i] = this.#decode(bytes, i * 2) + bias;
    return count;
  }

  /**
   * Raises INT1 (latched until acknowledgeWake()) when the acceleration, with gravity removed by the chip's
   * high-pass filter, exceeds thresholdMg on any axis for durationMs. Units follow range and rate. The filter is
   * reset to the current sample, so after configure() from power-down or reset call it at least one sample later
   * (1/rate s), or the filter sees the first sample as a jump from zero. A running chip keeps its newest sample
   * across a change of rate, so the pendant arms it right after setting its sleep rate (the datasheet does not say
   * so in as many words: docs/installing.md lists it among the checks on hardware).
   */
  enableWakeOnMotion(options: WakeOnMotionOptions): void {
    const io = this.#bus();
    const { thresholdMg, durationMs, captureHistory = false } = options;
    if (!(typeof thresholdMg === 'number' && thresholdMg > 0 && Number.isFinite(thresholdMg))) {
      throw new RangeError(`LIS3DH: thresholdMg must be a positive number, got ${String(thresholdMg)}`);
    }
    if (!(typeof durationMs === 'number' && durationMs >= 0 && Number.isFinite(durationMs))) {
      throw new RangeError(`LIS3DH: durationMs must be a number ≥ 0, got ${String(durationMs)}`);
    }
    if (captureHistory && !this.#fifo) throw new Error('LIS3DH: captureHistory needs the FIFO (configure({ fifo: true }))');
    const highPassHz = options.highPassHz ?? this.#rate / HP_CUTOFF_DIVISOR[0]!;
    const cutoff = HP_CUTOFF_DIVISOR.findIndex((divisor) => Math.abs(highPassHz * divisor - this.#rate) < 1e-6 * this.#rate);
    if (cutoff < 0) {
      throw new RangeError(`LIS3DH: highPassHz must be ${HP_CUTOFF_DIVISOR.map((divisor) => this.#rate / divisor).join(', ')} at ${this.#rate} Hz, got ${String(highPassHz)}`);
    }
    this.#wake = { thresholdMg, durationMs, captureHistory, highPassDivisor: HP_CUTOFF_DIVISOR[cutoff]! };
    const threshold = clamp(Math.round(thresholdMg / THRESHOLD_LSB_MG[this.#range]!), 1, 127);
    const duration = clamp(Math.round((durationMs * this.#rate) / 1000), 0, 127);
    io.writeUint8(Register.CTRL_REG2, CTRL2_HP_IA1 | (cutoff << CTRL2_HPCF_SHIFT));
    io.writeUint8(Register.INT1_THS, threshold);
    io.writeUint8(Register.INT1_DURATION, duration);
    io.writeUint8(Register.CTRL_REG5, this.#ctrl5());
    io.readUint8(Register.REFERENCE); // resets the high-pass filter: gravity now reads as zero
    io.writeUint8(Register.INT1_CFG, INT1_CFG_XYZ_HIGH);
    io.readUint8(Register.INT1_SRC); // drops a stale latched event
    io.writeUint8(Register.CTRL_REG3, CTRL3_I1_IA1);
    if (this.#fifo) io.writeUint8(Register.FIFO_CTRL_REG, captureHistory ? FIFO_STREAM_TO_FIFO : FIFO_STREAM);
  }

  disableWakeOnMotion(): void {
    const io = this.#bus();
    this.#wake = undefined;
    io.writeUint8(Register.CTRL_REG3, 0);
    io.writeUint8(Register.INT1_CFG, 0);
    io.writeUint8(Register.CTRL_REG2, 0);
    io.writeUint8(Register.CTRL_REG5, this.#ctrl5());
    io.readUint8(Register.INT1_SRC);
    if (this.#fifo) io.writeUint8(Register.FIFO_CTRL_REG, FIFO_STREAM); // from stream-to-FIFO, keeping what it holds
  }

  /** Reads INT1_SRC, which releases a latched INT1 (and a captured history: the FIFO streams again). True when motion had been detected. */
  acknowledgeWake(): boolean {
    return (this.#bus().readUint8(Register.INT1_SRC) & INT1_SRC_IA) !== 0;
  }

  /** Releases the bus and the INT1 line; the chip keeps sampling as configured. */
  close(): void {
    this.#monitor?.close();
    this.#monitor = undefined;
    this.#io?.close();
    this.#io = undefined;
  }

  /**
   * Reads back the settings of a chip that samples into its FIFO, touching nothing (INT1_SRC is not read: that
   * would release the latch and the captured history). False when it does not run in a way this driver sets.
   */
  #adopt(): boolean {
    const io = this.#bus();
    const ctrl1 = io.readUint8(Register.CTRL_REG1);
    const ctrl4 = io.readUint8(Register.CTRL_REG4);
    const ctrl5 = io.readUint8(Register.CTRL_REG5);
    const fifoMode = io.readUint8(Register.FIFO_CTRL_REG) & FIFO_MODE_MASK;
    const rate = codeOf(ODR_CODE, ctrl1 >> 4);
    const range = codeOf(FS_CODE, (ctrl4 >> 4) & 3);
    const mode: Lis3dhMode = ctrl1 & CTRL1_LPEN ? 'low-power' : ctrl4 & CTRL4_HR ? 'high-resolution' : 'normal';
    const streaming = fifoMode === FIFO_STREAM || fifoMode === FIFO_STREAM_TO_FIFO;
    if (rate === undefined || range === undefined || !(ctrl5 & CTRL5_FIFO_EN) || !streaming) return false;
    this.#take(rate, range, mode, true);
    if (io.readUint8(Register.CTRL_REG3) & CTRL3_I1_IA1) {
      const divisor = HP_CUTOFF_DIVISOR[(io.readUint8(Register.CTRL_REG2) >> CTRL2_HPCF_SHIFT) & 3]!;
      this.#wake = {
        thresholdMg: (io.readUint8(Register.INT1_THS) & 0x7f) * THRESHOLD_LSB_MG[range]!,
        durationMs: ((io.readUint8(Register.INT1_DURATION) & 0x7f) * 1000) / rate,
        captureHistory: fifoMode === FIFO_STREAM_TO_FIFO,
        highPassDivisor: divisor,
      };
    }
    return true;
  }

  /** The settings the chip runs with, and the decoding they imply. */
  #take(rate: number, range: number, mode: Lis3dhMode, fifo: boolean): void {
    this.#rate = rate;
    this.#range = range;
    this.#mode = mode;
    this.#fifo = fifo;
    this.#shift = 16 + DATA_SHIFT[mode];
    this.#scale = SENSITIVITY_MG[mode][range]!;
    this.#fifoBias = fifoDroppedMeanMg(mode, range);
  }

  #bus(): SMBus {
    if (this.#io === undefined) throw new Error('LIS3DH: closed');
    return this.#io;
  }

  #ctrl5(): number {
    return (this.#fifo ? CTRL5_FIFO_EN : 0) | (this.#wake ? CTRL5_LIR_INT1 : 0);
  }

  /** Little-endian, left-justified two's complement → milli-g. */
  #decode(bytes: Uint8Array, offset: number): number {
    const raw = ((bytes[offset + 1]! << 8) | bytes[offset]!) << 16; // sign lands in bit 31
    return (raw >> this.#shift) * this.#scale;
  }
}

/** The key whose code is `code` in a frozen code table (ODR_CODE, FS_CODE). */
function codeOf(table: Readonly<Record<number, number>>, code: number): number | undefined {
  for (const key of Object.keys(table)) if (table[Number(key)] === code) return Number(key);
  return undefined;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

