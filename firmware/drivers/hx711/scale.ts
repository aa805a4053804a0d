// Load-cell arithmetic, pure: raw HX711 counts to grams, tare and calibration, and a robust summary of a burst.
//   tare:       offset = settle(rawsEmpty).raw
//   calibrate:  scale = calibrate(settle(rawsWithKnownWeight).raw, offset, knownGrams)   (counts per gram)
//   weigh:      toGrams(settle(raws).raw, { offset, scale }); stable when settled.spread / |scale| is small
// The median and the median absolute deviation ignore a few wild conversions (a knock on the lid, a bag still
// swinging) that a mean and a standard deviation would follow.

export interface ScaleCalibration {
  /** Raw counts at no load (tare). */
  readonly offset: number;
  /** Counts per gram (negative when the cell is wired the other way round). */
  readonly scale: number;
}

export interface Settled {
  /** The burst's median, counts. */
  readonly raw: number;
  /** The median absolute deviation from it, counts: how unsettled the burst was. */
  readonly spread: number;
}

export function toGrams(raw: number, calibration: ScaleCalibration): number {
  return (raw - calibration.offset) / calibration.scale;
}

/** Counts per gram from a reading with `knownGrams` on the cell; undefined when that moved nothing or the weight is not one. */
export function calibrate(rawWithKnown: number, offset: number, knownGrams: number): number | undefined {
  if (!(knownGrams > 0 && Number.isFinite(knownGrams))) return undefined;
  const scale = (rawWithKnown - offset) / knownGrams;
  return scale !== 0 && Number.isFinite(scale) ? scale : undefined;
}

/** Median and median absolute deviation of a burst (at least one conversion). */
export function settle(raws: readonly number[]): Settled {
  if (raws.length === 0) throw new RangeError('settle: no conversions');
  const raw = median(raws.slice());
  const deviations = raws.map((value) => Math.abs(value - raw));
  return { raw, spread: median(deviations) };
}

/** Sorts `values` in place and returns their median. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}
