// One burst → one fill estimate: the median of the agreeing readings, outliers and multipath set aside,
// temperature compensation for ultrasonic modules, the blind zone as "at least full", no echo as a fault.
import { describe, expect, test } from '@jest/globals';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { estimateLevel, FIXED_SPEED_OF_SOUND, speedOfSound, type LevelSetup } from '../../firmware/apps/smart-bin/level/estimate.js';

const SETUP: LevelSetup = { heightMm: 1100, blindMm: 250, sensor: 'ultrasonic' };
const mm = (...values: number[]): LevelReading[] => values.map((v) => ({ mm: v }));
const noEcho: LevelReading = { fault: 'noEcho' };
/** What a module with a fixed speed of sound reads for a true distance in air at `celsius`. */
const readAt = (trueMm: number, celsius: number) => Math.round((trueMm * FIXED_SPEED_OF_SOUND) / speedOfSound(celsius));

describe('robust estimate', () => {
  test('the median of a clean burst; fill over the depth from the floor to the blind zone', () => {
    const e = estimateLevel(mm(672, 676, 675, 680, 674), SETUP);
    expect(e).toMatchObject({ status: 'ok', distanceMm: 675, fillMm: 425, fillPct: 50 });
    expect(e.quality).toBeGreaterThanOrEqual(90);
  });

  test('a wall echo (shorter) and a dropout do not move the median; they lower the quality', () => {
    const clean = estimateLevel(mm(850, 852, 848, 851, 849), SETUP);
    const noisy = estimateLevel([...mm(500, 850, 852, 848), noEcho], SETUP);
    expect(noisy.distanceMm).toBe(850);
    expect(noisy.quality).toBeLessThan(clean.quality);
  });

  test('two wall echoes out of five still lose to the surface (a plain minimum would say 68 % full)', () => {
    expect(estimateLevel(mm(520, 522, 900, 905, 902), SETUP)).toMatchObject({ status: 'ok', distanceMm: 902 });
  });

  test('multipath (longer, even past the floor) is rejected', () => {
    expect(estimateLevel(mm(700, 702, 1480, 2100, 698), SETUP)).toMatchObject({ status: 'ok', distanceMm: 700 });
    expect(estimateLevel(mm(1600, 1700, 1900), SETUP)).toMatchObject({ status: 'fault', fault: 'range' });
  });

  test('readings that agree on nothing are a spread fault, not an average', () => {
    expect(estimateLevel(mm(400, 600, 800, 1000, 300), SETUP)).toMatchObject({ status: 'fault', fault: 'spread' });
  });

  test('a known fixed reflector is set aside when the surface answers too', () => {
    const burst = mm(520, 522, 519, 900, 905);
    expect(estimateLevel(burst, SETUP).distanceMm).toBe(520);
    expect(estimateLevel(burst, SETUP, undefined, [521])).toMatchObject({ status: 'ok', distanceMm: 903 });
    // Only the reflector answers: the surface may be up at it (the pipeline decides with the last level).
    expect(estimateLevel(mm(520, 522, 519), SETUP, undefined, [521])).toMatchObject({ status: 'ok', distanceMm: 520, atReflector: true, quality: 25 });
    // The reflector and one lone other echo: no level to tell, a spread.
    expect(estimateLevel(mm(520, 522, 519, 900), SETUP, undefined, [521])).toMatchObject({ status: 'fault', fault: 'spread' });
  });

  test('two agreeing groups far apart report the nearer for learning; a heap step does not', () => {
    expect(estimateLevel(mm(520, 522, 900, 905, 902), SETUP).nearEchoMm).toBe(521);
    expect(estimateLevel(mm(820, 822, 900, 905, 902), SETUP).nearEchoMm).toBeUndefined();
  });
});

describe('temperature', () => {
  test('a fixed 58 µs/cm reads about 6 % long at −10 °C; compensated, the true distance comes back', () => {
    const raw = readAt(800, -10);
    expect(raw / 800).toBeGreaterThan(1.055);
    expect(estimateLevel(mm(raw, raw + 1, raw - 1), SETUP).distanceMm).toBe(raw); // uncompensated
    expect(Math.abs(estimateLevel(mm(raw, raw + 1, raw - 1), SETUP, -10).distanceMm! - 800)).toBeLessThanOrEqual(1);
  });

  test('at 35 °C it reads short; compensated it is right', () => {
    const raw = readAt(800, 35);
    expect(raw).toBeLessThan(790);
    expect(Math.abs(estimateLevel(mm(raw, raw, raw), SETUP, 35).distanceMm! - 800)).toBeLessThanOrEqual(1);
  });

  test('a ToF sensor measures light: no compensation; an absurd temperature is ignored', () => {
    expect(estimateLevel(mm(800, 800, 800), { ...SETUP, sensor: 'tof' }, -10).distanceMm).toBe(800);
    expect(estimateLevel(mm(800, 800, 800), SETUP, 400).distanceMm).toBe(800);
  });
});

describe('blind zone and faults', () => {
  test('readings inside the blind zone mean at least full, never empty', () => {
    const e = estimateLevel([...mm(230, 244, 410), noEcho, ...mm(236)], SETUP);
    expect(e).toMatchObject({ status: 'blind', fillPct: 100, distanceMm: 250 });
    // A second echo (twice the distance) beside them does not make the bin look emptier.
    expect(estimateLevel(mm(240, 420, 238, 418, 241), SETUP).status).toBe('blind');
  });

  test('no echo is a fault, never 0 %', () => {
    const e = estimateLevel([noEcho, noEcho, noEcho, noEcho, ...mm(900)], SETUP);
    expect(e).toEqual({ status: 'fault', fault: 'noEcho', quality: 20 });
    expect(e.fillPct).toBeUndefined();
  });

  test('a silent sensor (no readings) and sunlight on a ToF are faults with their cause', () => {
    expect(estimateLevel([], SETUP)).toMatchObject({ status: 'fault', fault: 'silent' });
    const sun: LevelReading = { fault: 'ambient' };
    expect(estimateLevel([sun, sun, sun, ...mm(700)], { ...SETUP, sensor: 'tof' })).toMatchObject({ status: 'fault', fault: 'ambient' });
  });

  test('garbage in a reading is counted as a range fault, not a crash', () => {
    const bad = [{ mm: Number.NaN }, { mm: -5 }, null, { fault: 7 }] as unknown as LevelReading[];
    expect(estimateLevel(bad, SETUP)).toMatchObject({ status: 'fault', fault: 'range', quality: 0 });
    expect(estimateLevel([...bad, ...mm(700, 701, 699, 700, 702)], SETUP)).toMatchObject({ status: 'ok', distanceMm: 700 });
  });
});
