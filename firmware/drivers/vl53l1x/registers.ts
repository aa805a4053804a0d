// VL53L1X register map and tables, after ST's ultra lite driver (STSW-IMG009, VL53L1X_api.c) and UM2510/UM2356:
// 16-bit register indexes, multi-byte values big-endian. Frozen module data (XS keeps it in flash).

export const Register = Object.freeze({
  VHV_CONFIG__TIMEOUT_MACROP_LOOP_BOUND: 0x0008,
  VHV_CONFIG__INIT: 0x000b,
  /** Start of the block the ULD's SensorInit writes (through SYSTEM__MODE_START). */
  DEFAULT_CONFIG: 0x002d,
  GPIO_HV_MUX__CTRL: 0x0030,
  GPIO__TIO_HV_STATUS: 0x0031,
  PHASECAL_CONFIG__TIMEOUT_MACROP: 0x004b,
  RANGE_CONFIG__TIMEOUT_MACROP_A: 0x005e,
  RANGE_CONFIG__VCSEL_PERIOD_A: 0x0060,
  RANGE_CONFIG__TIMEOUT_MACROP_B: 0x0061,
  RANGE_CONFIG__VCSEL_PERIOD_B: 0x0063,
  RANGE_CONFIG__VALID_PHASE_HIGH: 0x0069,
  SYSTEM__INTERMEASUREMENT_PERIOD: 0x006c,
  SD_CONFIG__WOI_SD0: 0x0078,
  SD_CONFIG__INITIAL_PHASE_SD0: 0x007a,
  SYSTEM__INTERRUPT_CLEAR: 0x0086,
  SYSTEM__MODE_START: 0x0087,
  /** The result block: range status, then the rates and the distance at the offsets below. */
  RESULT__RANGE_STATUS: 0x0089,
  RESULT__OSC_CALIBRATE_VAL: 0x00de,
  FIRMWARE__SYSTEM_STATUS: 0x00e5,
  IDENTIFICATION__MODEL_ID: 0x010f,
});

export const MODEL_ID = 0xeacc;
export const DEFAULT_ADDRESS = 0x29;
export const MODE_START_RANGING = 0x40;
export const MODE_STOP = 0x00;
export const INTERRUPT_CLEAR = 0x01;
/** GPIO_HV_MUX__CTRL bit 4: set = the GPIO is active low. */
export const ACTIVE_LOW = 0x10;

/** Bytes of the result block read from RESULT__RANGE_STATUS (0x0089–0x0099), and where each value sits. */
export const RESULT_BYTES = 17;
export const ResultOffset = Object.freeze({
  status: 0, // 0x0089, low 5 bits
  ambient: 7, // 0x0090 RESULT__AMBIENT_COUNT_RATE_MCPS_SD0, 9.7 fixed point
  distance: 13, // 0x0096 RESULT__FINAL_CROSSTALK_CORRECTED_RANGE_MM_SD0
  signal: 15, // 0x0098 RESULT__PEAK_SIGNAL_COUNT_RATE_CROSSTALK_CORRECTED_MCPS_SD0, 9.7 fixed point
});

/**
 * ST's default configuration, registers 0x2D–0x87 in order (91 bytes). Among them: 0x30 = 0x01 (interrupt active
 * high), 0x31 = 0x02, 0x46 = 0x20 (interrupt on new sample), 0x4B = 0x0A with the rest of long distance mode, a
 * 100 ms timing budget at 0x5E/0x61, the region of interest at 0x7F/0x80, and 0x87 = 0 (not ranging).
 */
export const DEFAULT_CONFIGURATION = Object.freeze([
  /* 0x2D */ 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x02, 0x08, 0x00, 0x08, 0x10, 0x01, 0x01, 0x00, 0x00, 0x00,
  /* 0x3D */ 0x00, 0xff, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x0b, 0x00, 0x00, 0x02, 0x0a, 0x21,
  /* 0x4D */ 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x00, 0x38, 0xff, 0x01, 0x00, 0x08, 0x00,
  /* 0x5D */ 0x00, 0x01, 0xcc, 0x0f, 0x01, 0xf1, 0x0d, 0x01, 0x68, 0x00, 0x80, 0x08, 0xb8, 0x00, 0x00, 0x00,
  /* 0x6D */ 0x00, 0x0f, 0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x0d, 0x0e, 0x0e, 0x00,
  /* 0x7D */ 0x00, 0x02, 0xc7, 0xff, 0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
]);

export type DistanceMode = 'short' | 'long';

/** What SetDistanceMode writes: PHASECAL timeout, VCSEL periods A and B, valid phase high, WOI and initial phase. */
export interface DistanceModeSettings {
  readonly phasecalTimeout: number;
  readonly vcselPeriodA: number;
  readonly vcselPeriodB: number;
  readonly validPhaseHigh: number;
  readonly woiSd0: number;
  readonly initialPhaseSd0: number;
  /** Timing budget, ms → RANGE_CONFIG__TIMEOUT_MACROP_A and _B (macro-period encoded). */
  readonly budgets: Readonly<Record<number, readonly [number, number]>>;
}

export const DISTANCE_MODES: Readonly<Record<DistanceMode, DistanceModeSettings>> = Object.freeze({
  // Up to about 1.3 m, better in ambient light.
  short: Object.freeze({
    phasecalTimeout: 0x14, vcselPeriodA: 0x07, vcselPeriodB: 0x05, validPhaseHigh: 0x38, woiSd0: 0x0705, initialPhaseSd0: 0x0606,
    budgets: Object.freeze({
      15: [0x001d, 0x0027], 20: [0x0051, 0x006e], 33: [0x00d6, 0x006e], 50: [0x01ae, 0x01e8],
      100: [0x02e1, 0x0388], 200: [0x03e1, 0x0496], 500: [0x0591, 0x05c1],
    } as const),
  }),
  // Up to about 4 m in the dark; the chip's default.
  long: Object.freeze({
    phasecalTimeout: 0x0a, vcselPeriodA: 0x0f, vcselPeriodB: 0x0d, validPhaseHigh: 0xb8, woiSd0: 0x0f0d, initialPhaseSd0: 0x0e0e,
    budgets: Object.freeze({
      20: [0x001e, 0x0022], 33: [0x0060, 0x006e], 50: [0x00ad, 0x00c6],
      100: [0x01cc, 0x01ea], 200: [0x02d9, 0x02f8], 500: [0x048f, 0x04a4],
    } as const),
  }),
});

/**
 * RESULT__RANGE_STATUS (low 5 bits) → the ULD's range status, as its GetRangeStatus maps it; 255: not a result.
 * ULD statuses: 0 valid, 1 sigma fail (noisy), 2 signal fail (too weak), 3 valid but clipped at the minimum range,
 * 4 out of bounds, 5 hardware fail, 6 valid without wraparound check, 7 wraparound, 9 crosstalk signal fail,
 * 10 synchronisation, 11 merged pulse, 12 target present but lacking signal, 13 minimum range fail.
 */
export const RANGE_STATUS = Object.freeze([
  255, 255, 255, 5, 2, 4, 1, 7, 3, 0, 255, 255, 9, 13, 255, 255, 255, 255, 10, 6, 255, 255, 11, 12,
]);

/** ULD range statuses. */
export const RangeStatus = Object.freeze({
  VALID: 0, SIGMA_FAIL: 1, SIGNAL_FAIL: 2, MIN_RANGE_CLIPPED: 3, NO_WRAP_CHECK: 6, SYNCHRONISATION: 10, LACK_OF_SIGNAL: 12,
});

/** VL53L1X_SetInterMeasurementInMs: the oscillator calibration (low 10 bits) times ms, with ST's 1.075 margin. */
export function interMeasurementPeriod(oscCalibrate: number, ms: number): number {
  return Math.floor((oscCalibrate & 0x3ff) * ms * 1.075);
}
