// The device pipeline's view of a recording (issue 13, scripts/falls/device-view.ts): what a detector started
// by a wake on impact gets, through the simulated LIS3DH and the driver, for each FIFO mode and wake time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { deviceCandidates, deviceWakes, loadDeviceCandidates, POSTURE_SAMPLES, wakeSummary, type DeviceProfile } from '../../scripts/falls/device-view.js';
import { lis3dhFifoMg, type Recording } from '../../scripts/falls/recordings.js';
import { detectAfterWakes } from '../../scripts/falls/xs-detector.js';
import { fall, walking } from '../../scripts/falls/synthetic.js';
import { IMPACT_WAKE, wakeHighPassHz } from '../../firmware/sensing/impact-wake.js';
import { deviceSetup } from '../../scripts/falls/device-options.js';

const TRIGGER = 200;
const LENGTH = 500;

/** 1 g on z, y counting up (a different value at every sample, so each sample is recognisable), one impact on x. */
function impactAt(...triggers: number[]): number[] {
  const samples: number[] = [];
  for (let i = 0; i < LENGTH; i++) samples.push(triggers.includes(i) ? 3000 : 0, 16 * (i % 50), 1000);
  return samples;
}

/** Recording samples from..to (exclusive) as the FIFO delivers them. */
function fifo(samples: number[], from: number, to: number): number[] {
  return samples.slice(from * 3, to * 3).map(lis3dhFifoMg);
}

/** 90° in 10 s, then still: under any high-passed threshold. */
function slowTurn(): number[] {
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const a = (Math.PI / 2) * Math.min(1, i / 500);
    samples.push(Math.round(1000 * Math.sin(a)), 0, Math.round(1000 * Math.cos(a)));
  }
  return samples;
}

/** The shipped profile with this FIFO mode and wake time, the chip asleep at `sleepRateHz` (the high-pass at rate/50). */
const profile = (captureHistory: boolean, wakeMs: number, sleepRateHz = 50): DeviceProfile => ({
  ...IMPACT_WAKE, captureHistory, wakeMs, sleepRateHz, highPassHz: wakeHighPassHz(sleepRateHz),
});
/** 4 s after the boot, in samples (fall-watch's IMPACT_DECISION_MS at 50 Hz). */
const DECISION = 200;

describe('device view of one impact', () => {
  const samples = impactAt(TRIGGER);

  test('captureHistory: the 31 samples before the trigger and the trigger, then the wake time is lost', () => {
    const [wake, ...more] = deviceWakes(samples, profile(true, 300));
    expect(more).toHaveLength(0);
    expect(wake!.trigger).toBe(TRIGGER);
    const resumed = TRIGGER + 1 + 15; // 300 ms at 50 Hz: 15 samples the frozen FIFO did not take
    expect(wake!.samples).toEqual([...fifo(samples, TRIGGER - 31, TRIGGER + 1), ...fifo(samples, resumed, TRIGGER + 15 + DECISION + 1)]);
    expect(wake!.lost).toBe(15);
  });

  test('streaming FIFO, 300 ms: the newest 32 at the first read, nothing lost after it', () => {
    const [wake] = deviceWakes(samples, profile(false, 300));
    const firstRead = TRIGGER + 15; // the newest sample when the CPU reads
    expect(wake!.samples).toEqual(fifo(samples, firstRead - 31, firstRead + DECISION + 1));
    expect(wake!.lost).toBe(0);
  });

  test('streaming FIFO, 600 ms: only the sample before the trigger is left of the history', () => {
    const [wake] = deviceWakes(samples, profile(false, 600));
    expect(wake!.samples.slice(0, 6)).toEqual(fifo(samples, TRIGGER - 1, TRIGGER + 1));
    expect(wake!.samples).toEqual(fifo(samples, TRIGGER - 1, TRIGGER + 30 + DECISION + 1));
  });

  test('the recording\'s end: what the chip measured after it (its held last sample) is not delivered', () => {
    const ending = samples.slice(0, (TRIGGER + 60) * 3); // ends 1.2 s after the impact
    const [wake] = deviceWakes(ending, profile(false, 300));
    const firstRead = TRIGGER + 15;
    expect(wake!.samples).toEqual(fifo(ending, firstRead - 31, TRIGGER + 60));
    expect(wake!.afterEnd).toBe(firstRead + DECISION - (TRIGGER + 60 - 1)); // read up to the decision, past the end
  });

  test('the recording\'s end at the 25 Hz sleep rate: the upsampled history and the stream stop at its last sample', () => {
    const both = impactAt(TRIGGER, TRIGGER + 1).slice(0, (TRIGGER + 60) * 3);
    const [wake] = deviceWakes(both, profile(false, 300, 25));
    const live = wake!.samples.slice(64 * 3); // after the history, 50 Hz from the read on
    expect(live.slice(-3)).toEqual(fifo(both, TRIGGER + 59, TRIGGER + 60));
    expect(wake!.afterEnd).toBeGreaterThan(0);
    expect(wake!.samples.length / 3 + wake!.afterEnd).toBe(deviceWakes(impactAt(TRIGGER, TRIGGER + 1), profile(false, 300, 25))[0]!.samples.length / 3);
  });

  test('over the FIFO\'s 0.64 s, streaming loses the trigger itself', () => {
    const [wake] = deviceWakes(samples, profile(false, 800));
    expect(wake!.samples.slice(0, 3)).toEqual(fifo(samples, TRIGGER + 9, TRIGGER + 10));
    expect(wake!.samples).not.toContain(lis3dhFifoMg(3000));
  });
});

test('sleeping at 25 Hz (shipped): the FIFO holds 1.28 s, interpolated up to 50 Hz, then 50 Hz after the wake', () => {
  const samples = impactAt(TRIGGER, TRIGGER + 1); // two samples: the chip at 25 Hz sees every other one
  const [wake] = deviceWakes(samples, profile(false, 300, 25));
  expect(wake!.historyRateHz).toBe(25);
  const history = wake!.history;
  expect(history).toHaveLength(32 * 3);
  const up = wake!.samples.slice(0, 64 * 3);
  for (let i = 0; i < 32; i++) {
    const next = Math.min(i + 1, 31); // the newest is held
    expect(up.slice(i * 6, i * 6 + 3)).toEqual(history.slice(i * 3, i * 3 + 3)); // the chip's own sample
    expect(up.slice(i * 6 + 3, i * 6 + 6)).toEqual([0, 1, 2].map((a) => Math.round((history[i * 3 + a]! + history[next * 3 + a]!) / 2)));
  }
  const xs = up.filter((_, i) => i % 3 === 0);
  // The chip sampled TRIGGER + 1 (odd samples at 25 Hz); 300 ms on, 7 more were in when the CPU read.
  expect(xs.indexOf(lis3dhFifoMg(3000))).toBe(64 - 2 * 8);
  const live = wake!.samples.slice(64 * 3).filter((_, i) => i % 3 === 1);
  // Back at 50 Hz from the read (TRIGGER + 1 + 15), its first sample one period later: every sample again.
  expect(live.slice(0, 3)).toEqual(fifo(samples, TRIGGER + 17, TRIGGER + 20).filter((_, i) => i % 3 === 1));
});

test('the shipped profile sleeps at 25 Hz with the high-pass at rate/50', () => {
  expect([IMPACT_WAKE.sleepRateHz, IMPACT_WAKE.highPassHz]).toEqual([25, 0.5]);
  const [shipped] = deviceWakes(impactAt(TRIGGER, TRIGGER + 1));
  expect(shipped!.historyRateHz).toBe(25);
  // A 20 ms spike falls between two of its samples half the time: this one (an even sample) is never seen.
  expect(deviceWakes(impactAt(TRIGGER))).toHaveLength(0);
});

describe('device view of a whole recording', () => {
  test('the chip re-arms after the decision window: an impact 10 s later wakes it again, one 2 s later does not', () => {
    expect(deviceWakes(impactAt(50, 150), profile(false, 300)).map((w) => w.trigger)).toEqual([50]); // within the first window
    const long = [...impactAt(50), ...impactAt(50)]; // 10 s apart
    expect(deviceWakes(long, profile(false, 300)).map((w) => w.trigger)).toEqual([50, LENGTH + 50]);
  });

  test('untilJudged: an impact late in a wake keeps the CPU up until the detector has judged it', () => {
    const samples = impactAt(50, 230); // the second impact 3.3 s after the boot of the first wake
    const [plain, ...others] = deviceWakes(samples, profile(false, 300));
    expect(others).toHaveLength(0); // the second impact came while awake: no second wake
    const lastPlain = 50 + 15 + DECISION; // the newest sample at the last read, 4 s after the boot
    expect(plain!.samples.length / 3).toBe(lastPlain - (50 + 15 - 31) + 1);
    const [judged] = deviceWakes(samples, profile(false, 300), { untilJudged: {} });
    const judgedAt = 230 + 125; // the impact's peak plus the detector's postSamples
    const lastRead = 50 + 15 + Math.ceil((judgedAt - 50 - 15) / 25) * 25; // reads every 500 ms
    expect(judged!.samples.length / 3).toBe(lastRead - (50 + 15 - 31) + 1);
    expect(judged!.awakeMs).toBe((lastRead - 50) * 20);
  });

  test('a slow turn never wakes it; a synthetic fall does, and its wake alerts once', () => {
    expect(deviceWakes(slowTurn())).toHaveLength(0);
    const wakes = deviceWakes(fall(2));
    expect(wakes.length).toBeGreaterThanOrEqual(1);
    expect(detectAfterWakes(wakes.map((w) => w.samples), 'neck')).toBe(1);
  });

  test('a recording\'s candidates come from its wakes only; the wake summary counts activity hours and silent falls', () => {
    const recording = (id: string, isFall: boolean, samples: number[]): Recording =>
      ({ id, dataset: 'Synthetic', subject: 'A', activity: 'X', fall: isFall, placement: 'neck', hz: 50, unit: 'mg', samples });
    const quiet = deviceCandidates(recording('quiet', true, slowTurn()));
    const walk = deviceCandidates(recording('walk', false, walking(1, 20))); // heel strikes over 868 mg wake it
    const fell = deviceCandidates(recording('fell', true, fall(2)));
    const bumps = deviceCandidates(recording('bumps', false, [...impactAt(50, 51), ...impactAt(50, 51)])); // 40 ms each: seen at 25 Hz
    expect([quiet.wakes, quiet.candidates]).toEqual([0, []]);
    expect(fell.candidates.length).toBeGreaterThanOrEqual(1);
    expect(bumps.wakes).toBe(2);
    expect(walk.wakes).toBeGreaterThan(0);
    const summary = wakeSummary([quiet, fell, bumps, walk]);
    expect(summary.fallsNeverWoke).toBe(1);
    expect(summary.adlWakesPerHour).toBeCloseTo((2 + walk.wakes) / ((1000 + walk.samples) / 50 / 3600), 6);
  });
});

describe('the posture before the sleep (an experiment)', () => {
  const long = [...impactAt(50), ...impactAt(50)]; // two wakes, 10 s apart
  /** Mean of x, y, z over the triples of `samples`, rounded. */
  const mean = (samples: number[]) => [0, 1, 2].map((axis) =>
    Math.round(samples.filter((_, i) => i % 3 === axis).reduce((a, b) => a + b, 0) / (samples.length / 3)));

  test('each wake first pushes the posture kept from the last re-arm; the first wake the recording\'s first 0.5 s', () => {
    const [plain1, plain2] = deviceWakes(long, profile(false, 300));
    const [wake1, wake2, ...more] = deviceWakes(long, profile(false, 300), { sleepPosture: true });
    expect(more).toHaveLength(0);
    const settled = mean(fifo(long, 0, 25)); // y counts up: the mean of 0.5 s, not its first sample
    expect(settled[1]).not.toBe(lis3dhFifoMg(0));
    expect(wake1!.samples).toEqual([...settled, ...plain1!.samples]);
    const lastRead = plain1!.samples.slice(-POSTURE_SAMPLES * 3);
    expect(wake2!.samples).toEqual([...mean(lastRead), ...plain2!.samples]);
    expect(wake2!.samples.slice(0, 3)).not.toEqual(settled);
  });

  test('firstPosture none: the first wake gets nothing kept, the later ones their re-arm posture', () => {
    const [plain1, plain2] = deviceWakes(long, profile(false, 300));
    const [wake1, wake2] = deviceWakes(long, profile(false, 300), { sleepPosture: true, firstPosture: 'none' });
    expect(wake1!.samples).toEqual(plain1!.samples);
    expect(wake2!.samples).toEqual([...mean(plain1!.samples.slice(-POSTURE_SAMPLES * 3)), ...plain2!.samples]);
  });

  test('--sleep-posture and --first-posture reach the wake options, checked; the shipped setup has neither', () => {
    const fail = (message: string): never => { throw new Error(message); };
    expect(deviceSetup({}, fail).wakeOptions.sleepPosture).toBeUndefined();
    expect(deviceSetup({ sleepPosture: true }, fail).wakeOptions).toMatchObject({ sleepPosture: true, firstPosture: 'settled' });
    expect(deviceSetup({ sleepPosture: true, firstPosture: 'none', postureSamples: 125, postureFrom: 'stillest' }, fail).describe)
      .toMatch(/sleep_posture=true first_posture=none posture_samples=125 posture_from=stillest$/);
    expect(() => deviceSetup({ sleepPosture: true, firstPosture: 'later' }, fail)).toThrow('--first-posture');
    expect(() => deviceSetup({ sleepPosture: true, postureSamples: 0 }, fail)).toThrow('--posture-samples');
    expect(() => deviceSetup({ sleepPosture: true, postureFrom: 'first' }, fail)).toThrow('--posture-from');
    expect(() => deviceSetup({ firstPosture: 'none' }, fail)).toThrow('--sleep-posture');
    expect(() => deviceSetup({ postureSamples: 50 }, fail)).toThrow('--sleep-posture');
  });

  test('postureSamples: the kept posture averages that many samples, for the first wake too', () => {
    const [plain1, plain2] = deviceWakes(long, profile(false, 300));
    const [wake1, wake2] = deviceWakes(long, profile(false, 300), { sleepPosture: true, postureSamples: 10 });
    expect(wake1!.samples.slice(0, 3)).toEqual(mean(fifo(long, 0, 10)));
    expect(wake2!.samples).toEqual([...mean(plain1!.samples.slice(-10 * 3)), ...plain2!.samples]);
  });

  test('postureFrom stillest: the block of the wake whose magnitude varies least, not the last one', () => {
    // One wake: still, 1 s at 2 g on x (still too, the newest still block), then swinging on y until the wake ends.
    const samples: number[] = [];
    for (let i = 0; i < 400; i++) {
      const swinging = i > 150 && i % 2 === 0;
      samples.push(i === 50 ? 3000 : i >= 100 && i < 150 ? 2000 : 0, swinging ? 600 : 0, 1000);
    }
    const [plain] = deviceWakes(samples, profile(false, 300));
    const [wake, second] = deviceWakes([...samples, ...impactAt(50)], profile(false, 300), { sleepPosture: true, postureFrom: 'stillest' });
    const reads = plain!.samples.length / 3;
    const blocks = Array.from({ length: Math.floor(reads / 25) }, (_, b) => plain!.samples.slice((reads - 25 * (b + 1)) * 3, (reads - 25 * b) * 3));
    const still = blocks.filter((block) => block.every((v, i) => i % 3 !== 1 || v === block[1]));
    expect(still.length).toBeGreaterThan(0);
    expect(wake!.trigger).toBe(50);
    expect(second!.samples.slice(0, 3)).toEqual(mean(still[0]!));
    expect(second!.samples.slice(0, 3)).not.toEqual(mean(plain!.samples.slice(-25 * 3)));
  });

  test('firstPosture previous: the first wake gets keptBefore; loadDeviceCandidates chains each subject\'s recordings', async () => {
    const [plain] = deviceWakes(long, profile(false, 300));
    const [wake] = deviceWakes(long, profile(false, 300), { sleepPosture: true, firstPosture: 'previous', keptBefore: [10, 20, 990] });
    expect(wake!.samples).toEqual([10, 20, 990, ...plain!.samples]);
    // A still recording never wakes the chip: it leaves kept what its subject's previous recording left.
    const still = (x: number) => Array.from({ length: 300 }, () => [x, 0, 1000]).flat();
    const leaning = impactAt(50).map((v, i) => (i % 3 === 0 && v === 0 ? 500 : v)); // ends leaning on x
    const line = (id: string, subject: string, samples: number[]) =>
      JSON.stringify({ id, dataset: 'Synthetic', subject, activity: 'D01', fall: false, placement: 'neck', hz: 50, unit: 'mg', samples });
    const path = join(mkdtempSync(join(tmpdir(), 'posture-')), 'chain.jsonl.gz');
    writeFileSync(path, gzipSync([line('A1', 'A', long), line('B1', 'B', leaning), line('A2', 'A', still(-300)), line('B2', 'B', still(-300))].join('\n') + '\n'));
    const options = { sleepPosture: true, firstPosture: 'previous' as const };
    const [a1, b1, a2, b2] = (await loadDeviceCandidates([path], IMPACT_WAKE, IMPACT_WAKE.detectorOptions, options)).recordings;
    expect([a2!.wakes, b2!.wakes]).toEqual([0, 0]);
    expect(a1!.keptAfter).not.toEqual(b1!.keptAfter);
    expect(a2!.keptAfter).toEqual(a1!.keptAfter);
    expect(b2!.keptAfter).toEqual(b1!.keptAfter);
    const settled = (await loadDeviceCandidates([path], IMPACT_WAKE, IMPACT_WAKE.detectorOptions, { sleepPosture: true })).recordings;
    expect(settled[2]!.keptAfter).toEqual(mean(fifo(still(-300), 0, 25)));
  });
});
