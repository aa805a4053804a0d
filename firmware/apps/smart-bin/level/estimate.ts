// One burst of raw level readings → one fill estimate. Engine-neutral (XS and Node), no HAL.
//
//   const e = estimateLevel(readings, { heightMm: 1100, blindMm: 250, sensor: 'ultrasonic' }, 31);
//
// Fill is measured from the floor: 0 % is an empty bin, 100 % is waste up to the sensor's blind zone (the
// highest level it can see; installers mount it so that this is the rim). Why each rule:
// - Ultrasonic modules convert echo time with a fixed speed of sound (58 µs/cm ≈ 344.8 m/s): at −10 °C they read
//   ≈ 6 % long, at 35 °C ≈ 2 % short. Readings are scaled by c(T) / c₀ when the temperature is known.
// - A burst holds the surface, echoes off the walls (shorter), multipath (longer) and dropouts. The estimate is
//   the median of the largest group of readings that agree; readings beyond the floor are multipath. Too few
//   agreeing readings → fault 'spread', never a guess. Readings at a known fixed reflector (a seam, a lip: the
//   pipeline learns them) are set aside when there are others; the nearer of two agreeing groups far apart is
//   returned as nearEchoMm for that learning.
// - A reading inside the blind zone means the waste is at least that high: status 'blind', 100 %, never empty.
// - No echo, a silent sensor, sunlight (ToF) → status 'fault' with the commonest cause: never 0 %.
import type { LevelReading } from '../../../drivers/level-reading.js';

export type LevelSensor = 'ultrasonic' | 'tof';
export const LEVEL_SENSORS: readonly LevelSensor[] = Object.freeze(['ultrasonic', 'tof']);

export interface LevelSetup {
  /** Sensor face to the floor of the compartment. */
  heightMm: number;
  /** The sensor's blind zone, from its face. */
  blindMm: number;
  sensor: LevelSensor;
}

export type LevelStatus = 'ok' | 'blind' | 'fault';

export interface LevelEstimate {
  status: LevelStatus;
  /** Why there is no level: a reading fault ('noEcho', 'silent', 'ambient', 'range'), 'spread', or (from the
   * pipeline) 'reflector': only a known reflector answered, far from the last level. */
  fault?: string;
  /** Sensor face to the waste (temperature-compensated). */
  distanceMm?: number;
  /** Waste height above the floor. */
  fillMm?: number;
  fillPct?: number;
  /** 0–100: the share of the burst that agrees with the estimate, less when those readings scatter. */
  quality: number;
  /** When two groups of readings agreed within themselves: the nearer one's distance (a wall, or a bag's top). */
  nearEchoMm?: number;
  /** Only a known reflector answered: the surface is up at it, or silent below it. */
  atReflector?: true;
}

/** The speed of sound the modules assume (58 µs per cm of distance, there and back), m/s. */
export const FIXED_SPEED_OF_SOUND = 2 / 58e-4;

/** The speed of sound in air at `celsius`, m/s. */
export function speedOfSound(celsius: number): number {
  return 331.3 * Math.sqrt(1 + celsius / 273.15);
}

/** Readings closer than this to each other count as the same reflector. */
function agreementMm(distanceMm: number): number {
  return 20 + 0.03 * distanceMm;
}

/** Two agreeing groups at least this far apart are two reflectors, not one uneven surface. */
const REFLECTOR_GAP_MM = 150;
/** The most quality a level at a known reflector gets (below the pipeline's minQuality). */
const AT_REFLECTOR_QUALITY = 25;
/** Below this share of the burst in agreement, the burst says nothing reliable. */
const MIN_AGREEING_SHARE = 0.34;
/** Temperatures outside this range are a broken sensor, not weather: no compensation then. */
const MIN_CELSIUS = -40;
const MAX_CELSIUS = 85;

const round1 = (x: number) => Math.round(x * 10) / 10;

export function estimateLevel(readings: readonly LevelReading[], setup: LevelSetup, celsius?: number, reflectorsMm: readonly number[] = []): LevelEstimate {
  const total = readings.length;
  if (total === 0) return { status: 'fault', fault: 'silent', quality: 0 };
  const scale = setup.sensor === 'ultrasonic' && celsius !== undefined && celsius >= MIN_CELSIUS && celsius <= MAX_CELSIUS
    ? speedOfSound(celsius) / FIXED_SPEED_OF_SOUND
    : 1;
  const floorMm = setup.heightMm + agreementMm(setup.heightMm);
  const distances: number[] = [];
  const faults: Record<string, number> = {};
  let blind = 0;
  for (const reading of readings) {
    const cause = rejection(reading);
    if (cause !== undefined) {
      faults[cause] = (faults[cause] ?? 0) + 1;
      continue;
    }
    const raw = (reading as { mm: number }).mm;
    // The blind zone is a time after the ping (the transducer still rings): compare before compensation.
    if (raw <= setup.blindMm) {
      blind++;
      continue;
    }
    const mm = raw * scale;
    if (mm > floorMm) faults.range = (faults.range ?? 0) + 1; // past the floor: a multipath echo
    else distances.push(mm);
  }
  const echoes = distances.length;
  setAsideReflectors(distances, reflectorsMm);
  distances.sort((a, b) => a - b);
  const group = largestAgreeingGroup(distances, 0, distances.length);
  const agreeing = group.end - group.start;
  const needed = Math.min(2, total);
  if (blind >= needed && blind >= agreeing) {
    return { status: 'blind', distanceMm: setup.blindMm, fillMm: setup.heightMm - setup.blindMm, fillPct: 100, quality: Math.round((100 * blind) / total) };
  }
  if (agreeing < needed || agreeing < MIN_AGREEING_SHARE * total) {
    // Echoes that disagree are a spread; mostly no echoes, the commonest cause.
    const failed = total - blind - echoes;
    return { status: 'fault', fault: echoes > failed ? 'spread' : commonest(faults), quality: Math.round((100 * agreeing) / total) };
  }
  const distanceMm = median(distances, group.start, group.end);
  const scatter = (distances[group.end - 1]! - distances[group.start]!) / agreementMm(distanceMm);
  const usableMm = setup.heightMm - setup.blindMm;
  const fillMm = Math.min(usableMm, Math.max(0, setup.heightMm - distanceMm));
  const estimate: LevelEstimate = {
    status: 'ok',
    distanceMm: Math.round(distanceMm),
    fillMm: Math.round(fillMm),
    fillPct: round1((100 * fillMm) / usableMm),
    quality: Math.round((100 * agreeing * (1 - 0.5 * scatter)) / total),
  };
  // Two groups far apart: two reflectors (a bag's top or a heap's side would be closer), so the burst is a vote
  // and its quality the margin; the nearer may be a fixed one, for the pipeline to learn.
  const before = largestAgreeingGroup(distances, 0, group.start);
  const after = largestAgreeingGroup(distances, group.end, distances.length);
  if (before.end - before.start >= 2 && distanceMm - median(distances, before.start, before.end) >= REFLECTOR_GAP_MM) {
    estimate.nearEchoMm = Math.round(median(distances, before.start, before.end));
    estimate.quality = Math.round((100 * (agreeing - (before.end - before.start))) / total);
  } else if (after.end - after.start >= 2 && median(distances, after.start, after.end) - distanceMm >= REFLECTOR_GAP_MM) {
    estimate.nearEchoMm = Math.round(distanceMm);
    estimate.quality = Math.round((100 * (agreeing - (after.end - after.start))) / total);
  }
  // Only the reflector answered: the surface may be up at it, or silent below it. No flag moves on that.
  if (reflectorsMm.some((r) => Math.abs(distanceMm - r) <= agreementMm(r) / 2)) {
    estimate.quality = Math.min(estimate.quality, AT_REFLECTOR_QUALITY);
    estimate.atReflector = true;
  }
  return estimate;
}

/**
 * Drops the readings at a known reflector when there are others: then the surface is elsewhere, and too few of
 * them make a 'spread' fault rather than the wall's level. With none, the surface may be at the reflector.
 */
function setAsideReflectors(distances: number[], reflectorsMm: readonly number[]): void {
  if (reflectorsMm.length === 0) return;
  const atReflector = (mm: number) => reflectorsMm.some((r) => Math.abs(mm - r) <= agreementMm(r) / 2);
  let others = 0;
  for (const mm of distances) if (!atReflector(mm)) others++;
  if (others === 0) return;
  let kept = 0;
  for (const mm of distances) if (!atReflector(mm)) distances[kept++] = mm;
  distances.length = kept;
}

function rejection(reading: LevelReading): string | undefined {
  if (reading === null || typeof reading !== 'object') return 'range';
  if ('fault' in reading) return typeof reading.fault === 'string' ? reading.fault : 'range';
  const mm = (reading as { mm: unknown }).mm;
  return typeof mm === 'number' && Number.isFinite(mm) && mm > 0 ? undefined : 'range';
}

/** The widest run of sorted[from, to) that agrees; among equals, the one nearest the run's median. */
function largestAgreeingGroup(sorted: readonly number[], from: number, to: number): { start: number; end: number } {
  const middle = to > from ? median(sorted, from, to) : 0;
  let best = { start: from, end: from };
  let bestOff = Infinity;
  let end = from;
  for (let start = from; start < to; start++) {
    if (end < start) end = start;
    while (end < to && sorted[end]! - sorted[start]! <= agreementMm(sorted[start]!)) end++;
    const size = end - start;
    const off = Math.abs(median(sorted, start, end) - middle);
    if (size > best.end - best.start || (size === best.end - best.start && off < bestOff)) {
      best = { start, end };
      bestOff = off;
    }
  }
  return best;
}

function median(sorted: readonly number[], start: number, end: number): number {
  const mid = (start + end - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

function commonest(counts: Record<string, number>): string {
  let best = 'silent';
  let most = 0;
  for (const cause in counts) {
    if (counts[cause]! > most) {
      best = cause;
      most = counts[cause]!;
    }
  }
  return best;
}
