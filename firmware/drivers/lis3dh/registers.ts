// LIS3DH register map and bit fields used by the driver (ST datasheet DocID17530, application note AN3308).

export const Register = Object.freeze({
  WHO_AM_I: 0x0f,
  CTRL_REG1: 0x20,
  CTRL_REG2: 0x21,
  CTRL_REG3: 0x22,
  CTRL_REG4: 0x23,
  CTRL_REG5: 0x24,
  CTRL_REG6: 0x25,
  REFERENCE: 0x26,
  OUT_X_L: 0x28,
  FIFO_CTRL_REG: 0x2e,
  FIFO_SRC_REG: 0x2f,
  INT1_CFG: 0x30,
  INT1_SRC: 0x31,
  INT1_THS: 0x32,
  INT1_DURATION: 0x33,
});

export const WHO_AM_I_VALUE = 0x33;

/** Set on a register address to make a multi-byte access auto-increment. */
export const AUTO_INCREMENT = 0x80;

/** CTRL_REG1: ODR in bits 7:4, low-power enable, axis enables. */
export const ODR_CODE: Readonly<Record<number, number>> = Object.freeze({ 1: 1, 10: 2, 25: 3, 50: 4, 100: 5, 200: 6, 400: 7 });
export const CTRL1_LPEN = 0x08;
export const CTRL1_XYZ = 0x07;

/**
 * CTRL_REG2: high-pass filter on the data of interrupt generator 1, in normal mode (HPM 00: reading REFERENCE
 * resets it); the cut-off code HPCF in bits 5:4 gives rate / HP_CUTOFF_DIVISOR[code] (AN3308: 1, 0.5, 0.2, 0.1 Hz
 * at 50 Hz).
 */
export const CTRL2_HP_IA1 = 0x01;
export const CTRL2_HPCF_SHIFT = 4;
export const HP_CUTOFF_DIVISOR: readonly number[] = Object.freeze([50, 100, 250, 500]);

/** CTRL_REG3: interrupt generator 1 drives INT1. */
export const CTRL3_I1_IA1 = 0x40;

/** CTRL_REG4: block data update, full scale in bits 5:4, high resolution. */
export const CTRL4_BDU = 0x80;
export const CTRL4_HR = 0x08;
export const FS_CODE: Readonly<Record<number, number>> = Object.freeze({ 2: 0, 4: 1, 8: 2, 16: 3 });

/** CTRL_REG5: FIFO enable, latch INT1 until INT1_SRC is read. */
export const CTRL5_FIFO_EN = 0x40;
export const CTRL5_LIR_INT1 = 0x08;

/** FIFO_CTRL_REG mode bits 7:6. */
export const FIFO_MODE_MASK = 0xc0;
export const FIFO_BYPASS = 0x00;
export const FIFO_STREAM = 0x80;
/** Stream until the INT1 pin value is 1, then FIFO mode (TR 0: triggered by INT1): the history before the trigger. */
export const FIFO_STREAM_TO_FIFO = 0xc0;

/** FIFO_SRC_REG: full (32 unread samples, the oldest about to be overwritten), unread count. */
export const FIFO_SRC_OVRN = 0x40;
export const FIFO_SRC_FSS = 0x1f;
export const FIFO_DEPTH = 32;

/** INT1_CFG: OR of the X, Y and Z high events (|a| above threshold). */
export const INT1_CFG_XYZ_HIGH = 0x2a;
/** INT1_SRC: an interrupt is active. */
export const INT1_SRC_IA = 0x40;

/** Output data: 16-bit two's complement, left-justified; resolution and mg per digit depend on mode and range. */
export type Lis3dhMode = 'high-resolution' | 'normal' | 'low-power';

/** Right shift that turns the 16-bit register value into the mode's digits. */
export const DATA_SHIFT: Readonly<Record<Lis3dhMode, number>> = Object.freeze({ 'high-resolution': 4, normal: 6, 'low-power': 8 });

/** mg per digit by mode and full scale (datasheet table 4, "So"). */
export const SENSITIVITY_MG: Readonly<Record<Lis3dhMode, Readonly<Record<number, number>>>> = Object.freeze({
  'high-resolution': Object.freeze({ 2: 1, 4: 2, 8: 4, 16: 12 }),
  normal: Object.freeze({ 2: 4, 4: 8, 8: 16, 16: 48 }),
  'low-power': Object.freeze({ 2: 16, 4: 32, 8: 64, 16: 192 }),
});

/**
 * The mean of what the FIFO drops, mg: it keeps 10 bits, so in high-resolution mode (12 bits) every value is
 * floored by 0–3 digits (1.5 on average); readFifo() adds this back so readings are unbiased.
 */
export function fifoDroppedMeanMg(mode: Lis3dhMode, range: number): number {
  return mode === 'high-resolution' ? Math.round(1.5 * SENSITIVITY_MG[mode][range]!) : 0;
}

/** mg per LSB of INT1_THS by full scale (datasheet INT1_THS description). */
export const THRESHOLD_LSB_MG: Readonly<Record<number, number>> = Object.freeze({ 2: 16, 4: 32, 8: 62, 16: 186 });
