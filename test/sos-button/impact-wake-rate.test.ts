// The wake on impact's rate and awake time (simulator/impact-wake-rate.ts) on top of the device pipeline
// (scripts/falls/device-view.ts): the simulated LIS3DH armed as the SOS button arms it before deep sleep wakes it on
// a fall's impact, not on stillness or a slow turn; each swept setting (threshold, duration, high-pass cut-off)
// reaches the chip; the pendant stays up while its detector judges an impact; which recording samples each wake
// delivered, so what counts as a fall woken in time and a peak the detector sees; and, with the shared data present,
// the figures the battery model uses are what the shipped setting measures on the neck recordings.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IMPACT_DECISION_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import type { DeviceWake } from '../../scripts/falls/device-view.js';
import { IMPACT_AWAKE_AFTER_BOOT_S, IMPACT_WAKES_PER_HOUR } from '../../simulator/battery-life.js';
import {
  batteryFigures, best, deliveredSpans, HIGH_PASS_HZ, highPassChoices, type LoadedRecording, peakSample, peakSeen,
  rateOf, SHIPPED_PIPELINE, SHIPPED_SETTING, sweep, THRESHOLD_STEP_MG, wakesOf, wokeInTime,
} from '../../simulator/impact-wake-rate.js';
import { recordingFiles, syntheticActivity, syntheticFall } from '../../simulator/kinds/sos-motion.js';

const HZ = 50;
const UPRIGHT = [0, 1000, 0];
const still = (seconds: number) => Array.from({ length: seconds * HZ }, () => UPRIGHT).flat();
/** Upright, then a 90° turn taking `seconds`, then lying. */
const turn = (seconds: number) => Array.from({ length: 6 * HZ }, (_, i) => {
  const angle = (Math.PI / 2) * Math.min(1, Math.max(0, (i - HZ) / (seconds * HZ)));
  return [Math.round(1000 * Math.sin(angle)), Math.round(1000 * Math.cos(angle)), 0];
}).flat();
/** Upright for `seconds` with a 1.5 g jolt on z (1.8 g in all: an impact to the detector) on each sample of `at`. */
const jolts = (at: readonly number[], seconds = 12) => Array.from({ length: seconds * HZ }, (_, i) => (at.includes(i) ? [0, 1000, 1500] : UPRIGHT)).flat();
/** Upright with `samples` samples of a 1.5 g jolt on z after 1 s. */
const jolt = (samples: number) => jolts(Array.from({ length: samples }, (_, i) => HZ + i), 4);
/** Upright with an impact rising over three samples (1.2, 1.5, 1.8 g on z) after 1 s: its peak is the third. */
const impact = () => Array.from({ length: 4 * HZ }, (_, i) => [0, 1000, [1200, 1500, 1800][i - HZ] ?? 0]).flat();
const synthetic = (motion: { samples: Int16Array }) => Array.from(motion.samples);
/** The shipped pipeline with the chip at 50 Hz while asleep: one sample per recording sample, for the chip's own terms. */
const AT_50 = { ...SHIPPED_PIPELINE, sleepRateHz: 50 };
const count = (samples: readonly number[], setting = SHIPPED_SETTING, pipeline = SHIPPED_PIPELINE) => wakesOf(samples, setting, pipeline).length;
/** A wake as deviceWakes reports it, for the span arithmetic: `delivered` samples (their values do not matter). */
const wake = (trigger: number, awakeMs: number, delivered: number): DeviceWake => ({
  trigger, awakeMs, lost: 0, samples: new Array<number>(delivered * 3).fill(0), history: [], historyRateHz: 50, afterEnd: 0,
});

describe('wake on impact: how often it fires and how long it keeps the pendant up', () => {
  test('a fall wakes the chip; standing still and a slow 90° turn do not; brisk walking does (a wake is cheap, a lost fall is not)', () => {
    expect(count(synthetic(syntheticFall()))).toBeGreaterThanOrEqual(1);
    expect(count(still(10))).toBe(0);
    expect(count(turn(8))).toBe(0);
    expect(count(synthetic(syntheticActivity()))).toBeGreaterThanOrEqual(1);
    // A threshold above anything in the fall stays asleep: the setting reaches the chip.
    expect(count(synthetic(syntheticFall()), { ...SHIPPED_SETTING, thresholdMg: 7800 })).toBe(0);
  });

  test('the sweep\'s other terms reach the chip: a lower high-pass cut-off lets a quick turn through, a duration ignores a shorter jolt', () => {
    expect(HIGH_PASS_HZ).toEqual([0.5, 0.25, 0.1, 0.05]); // at the sleep rate, 25 Hz
    expect(highPassChoices(50)).toEqual([1, 0.5, 0.2, 0.1]);
    expect(THRESHOLD_STEP_MG).toBe(62);
    const setting = { thresholdMg: 868, durationMs: 0 };
    expect(highPassChoices(50).map((highPassHz) => count(turn(0.5), { ...setting, highPassHz }, AT_50))).toEqual([0, 0, 0, 1]);
    // Duration N samples: the event must last more than N samples (1/rate each).
    const durations = [0, 20, 40, 60];
    expect(durations.map((durationMs) => count(jolt(2), { ...setting, durationMs, highPassHz: 1 }, AT_50))).toEqual([1, 1, 0, 0]);
    expect(durations.map((durationMs) => count(jolt(4), { ...setting, durationMs, highPassHz: 1 }, AT_50))).toEqual([1, 1, 1, 1]);
    // At 25 Hz a sample is 40 ms: a 40 ms duration needs more than one of them.
    expect([0, 40, 80].map((durationMs) => count(jolt(4), { ...setting, durationMs, highPassHz: 0.5 }))).toEqual([1, 1, 0]);
  });

  test('a wake sits on its trigger sample and is up for the wake time and the decision, longer while an impact waits to be judged', () => {
    const decided = SHIPPED_PIPELINE.wakeMs + IMPACT_DECISION_MS;
    expect(wakesOf(jolts([HZ]), SHIPPED_SETTING, AT_50).map((w) => [w.trigger, w.awakeMs])).toEqual([[HZ, decided]]);
    // A second impact 3.5 s after the first is still being judged when the decision time ends: the pendant stays up
    // and a third, 6 s after the first, finds it awake. A pendant that sleeps after its decision time wakes twice.
    const three = jolts([HZ, HZ + 3.5 * HZ, HZ + 6 * HZ]);
    const [held, ...more] = wakesOf(three, SHIPPED_SETTING, AT_50);
    expect(more).toEqual([]);
    expect(held!.trigger).toBe(HZ);
    expect(held!.awakeMs).toBeGreaterThan(decided);
    const fixed = wakesOf(three, SHIPPED_SETTING, { ...AT_50, untilJudged: undefined });
    expect(fixed.map((w) => [w.trigger, w.awakeMs])).toEqual([[HZ, decided], [HZ + 6 * HZ, decided]]);
  });

  test('the samples each wake delivered are placed on the recording: one run streaming, the frozen history and a gap capturing', () => {
    const at = 2 * HZ;
    for (const pipeline of [AT_50, { ...AT_50, captureHistory: true, wakeMs: 600 }, { ...AT_50, wakeMs: 0 }]) {
      const wakes = wakesOf(jolts([at]), SHIPPED_SETTING, pipeline);
      const [spans] = deliveredSpans(wakes, pipeline);
      const runs = spans!.map(([first, last]) => last - first + 1);
      expect(runs.reduce((a, b) => a + b)).toBe(wakes[0]!.samples.length / 3);
      // The jolt's z lands where the spans put sample `at`.
      const index = spans!.reduce((n, [first, last]) => n + (at > last ? last - first + 1 : at >= first ? at - first : 0), 0);
      expect(wakes[0]!.samples[index * 3 + 2]).toBeGreaterThan(1400);
      expect(wakes[0]!.samples.filter((_, i) => i % 3 === 2 && Math.abs(wakes[0]!.samples[i]!) > 1000)).toHaveLength(1);
    }
    const streaming = { ...AT_50, captureHistory: false, wakeMs: 300 };
    expect(deliveredSpans([wake(100, 4300, 232)], streaming)).toEqual([[[84, 315]]]);
    // Capturing (600 ms: 30 samples of boot): the 32 up to the trigger, the boot's gap, then 200 read to the re-arm; a
    // trigger 10 samples after the re-arm froze the FIFO on the first 32 since the re-arm.
    const capturing = { ...AT_50, captureHistory: true, wakeMs: 600 };
    expect(deliveredSpans([wake(100, 4600, 232), wake(340, 4600, 232)], capturing)).toEqual([[[69, 100], [131, 330]], [[331, 362], [371, 570]]]);
    expect(() => deliveredSpans([wake(100, 4610, 232)], { ...capturing, wakeMs: 610 })).toThrow(RangeError);
  });

  test('in time: woken at or before the peak and still up at it; seen: the peak is among the samples delivered', () => {
    const streamed = [wake(100, 4300, 232)];
    expect([99, 100, 315, 316].map((peak) => wokeInTime(streamed, peak, AT_50))).toEqual([false, true, true, false]);
    // At 25 Hz asleep the chip samples every other recording sample: a wake on the one after the peak is in time.
    expect([98, 99, 100].map((peak) => wokeInTime(streamed, peak))).toEqual([false, true, true]);
    expect([83, 84, 315, 316].map((peak) => peakSeen(streamed, peak, { ...AT_50, captureHistory: false, wakeMs: 300 })))
      .toEqual([false, true, true, false]);
    const capturing = { ...AT_50, captureHistory: true, wakeMs: 600 };
    const captured = [wake(100, 4600, 232)];
    expect([68, 69, 100, 115, 130, 131].map((peak) => peakSeen(captured, peak, capturing))).toEqual([false, true, true, false, false, true]);
    expect(wokeInTime(captured, 115, capturing)).toBe(true); // up at the peak, but it fell in the boot's gap
  });

  test('rates per data set with the awake time, and the best setting is the one with the fewest daily-activity wakes that wakes on every fall in time', () => {
    const recording = (dataset: string, fall: boolean, samples: number[], activity = fall ? 'F' : 'D'): LoadedRecording => ({
      dataset, subject: 'S1', activity, fall, samples, peak: peakSample(samples),
    });
    const recordings = [
      recording('neck', true, impact()), recording('neck', false, jolt(1), 'jolt'), recording('neck', false, still(32), 'sit'),
      recording('waist', true, jolt(1)),
    ];
    const setting = { thresholdMg: 868, durationMs: 0, highPassHz: 1 };
    const [neck, waist] = rateOf(recordings, setting, AT_50);
    expect(neck).toMatchObject({ dataset: 'neck', falls: 1, fallsWaking: 1, fallsInTime: 1, fallsPeakSeen: 1, adlWakes: 1 });
    expect(neck!.adlHours).toBeCloseTo(36 / 3600, 9);
    expect(neck!.wakesPerHour).toBeCloseTo(1 / neck!.adlHours, 9);
    expect(neck!.adlAwakeMs).toBe(SHIPPED_PIPELINE.wakeMs + IMPACT_DECISION_MS);
    expect(batteryFigures(neck!)).toEqual({ wakesPerHour: 100, awakeAfterBootS: IMPACT_DECISION_MS / 1000 });
    expect(waist).toMatchObject({ dataset: 'waist', falls: 1, fallsInTime: 1, adlWakes: 0 });
    // Per activity: which daily activities the wakes come from.
    const byActivity = rateOf(recordings, setting, AT_50, 'activity');
    expect(byActivity.map((rate) => [rate.dataset, rate.adlWakes, rate.falls])).toEqual([['neck F', 0, 1], ['neck jolt', 1, 0], ['neck sit', 0, 0], ['waist F', 0, 1]]);
    // 20 ms: the one-sample jolts no longer wake it; the fall's impact still does, on its second sample, before its peak.
    const rows = [...sweep(recordings, { product: 'neck', fromMg: 806, toMg: 930, stopAfterLost: 0, highPassHz: [1] }, AT_50)];
    const longer = rows.find((rates) => rates[0]!.durationMs === 20 && rates[0]!.thresholdMg === 868)!;
    expect(longer.map((rate) => [rate.dataset, rate.adlWakes, rate.fallsInTime])).toEqual([['neck', 0, 1], ['waist', 0, 0]]);
    // Once the neck fall stops waking it, the scan moves on to the next duration.
    expect(rows.filter((rates) => rates[0]!.durationMs === 60).map((rates) => rates[0]!.thresholdMg)).toEqual([806]);
    expect(best(rows, 'neck')![0]).toMatchObject({ dataset: 'neck', adlWakes: 0, fallsInTime: 1 });
    expect(best(rows.map((rates) => rates.map((rate) => ({ ...rate, fallsInTime: 0 }))), 'neck')).toBeUndefined();
  });

  const neck = recordingFiles().filter((file) => file.includes('neck'));
  // The command the battery model names, as it names it: its last line gives the figures, its first the falls.
  (neck.length > 0 ? test : test.skip)('the battery model\'s wake rate and awake time are the shipped setting\'s on the neck recordings; every fall wakes it', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'simulator/impact-wake-rate.ts', ...neck], { cwd: process.cwd() });
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(` IMPACT_WAKES_PER_HOUR=${IMPACT_WAKES_PER_HOUR} IMPACT_AWAKE_AFTER_BOOT_S=${IMPACT_AWAKE_AFTER_BOOT_S}$`));
    const [, falls, waking] = /FallAllD: .* falls=(\d+) falls_waking=(\d+) /.exec(lines[0]!) ?? [];
    expect(Number(falls)).toBeGreaterThan(300);
    expect(waking).toBe(falls);
  }, 20_000);
});
