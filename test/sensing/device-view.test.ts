// The device pipeline's view of a recording (issue 13, scripts/falls/device-view.ts): what a detector started
// by a wake on impact gets, through the simulated LIS3DH and the driver, for each FIFO mode and wake time.
import { describe, expect, test } from '@jest/globals';
import { deviceCandidates, deviceWakes, wakeSummary, type DeviceProfile } from '../../scripts/falls/device-view.js';
import { lis3dhFifoMg, type Recording } from '../../scripts/falls/recordings.js';
import { detectAfterWakes } from '../../scripts/falls/xs-detector.js';
import { fall, walking } from '../../scripts/falls/synthetic.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';

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

const profile = (captureHistory: boolean, wakeMs: number): DeviceProfile => ({ ...IMPACT_WAKE, captureHistory, wakeMs });
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

  test('over the FIFO\'s 0.64 s, streaming loses the trigger itself', () => {
    const [wake] = deviceWakes(samples, profile(false, 800));
    expect(wake!.samples.slice(0, 3)).toEqual(fifo(samples, TRIGGER + 9, TRIGGER + 10));
    expect(wake!.samples).not.toContain(lis3dhFifoMg(3000));
  });
});

test('sleeping at 25 Hz (an experiment): the FIFO holds 1.28 s, repeated up to 50 Hz, then 50 Hz after the wake', () => {
  const samples = impactAt(TRIGGER, TRIGGER + 1); // two samples: the chip at 25 Hz sees every other one
  const [wake] = deviceWakes(samples, profile(false, 300), { sleepRateHz: 25 });
  const history = wake!.samples.slice(0, 64 * 3);
  for (let i = 0; i < 64; i += 2) expect(history.slice(i * 3, i * 3 + 3)).toEqual(history.slice(i * 3 + 3, i * 3 + 6)); // each twice
  const xs = history.filter((_, i) => i % 3 === 0);
  // The chip sampled TRIGGER + 1 (odd samples at 25 Hz); 300 ms on, 7 more were in when the CPU read.
  expect(xs.indexOf(lis3dhFifoMg(3000))).toBe(64 - 2 * 8);
  const live = wake!.samples.slice(64 * 3).filter((_, i) => i % 3 === 1);
  // Back at 50 Hz from the read (TRIGGER + 1 + 15), its first sample one period later: every sample again.
  expect(live.slice(0, 3)).toEqual(fifo(samples, TRIGGER + 17, TRIGGER + 20).filter((_, i) => i % 3 === 1));
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
    const bumps = deviceCandidates(recording('bumps', false, [...impactAt(50), ...impactAt(50)]));
    expect([quiet.wakes, quiet.candidates]).toEqual([0, []]);
    expect(fell.candidates.length).toBeGreaterThanOrEqual(1);
    expect(bumps.wakes).toBe(2);
    expect(walk.wakes).toBeGreaterThan(0);
    const summary = wakeSummary([quiet, fell, bumps, walk]);
    expect(summary.fallsNeverWoke).toBe(1);
    expect(summary.adlWakesPerHour).toBeCloseTo((2 + walk.wakes) / ((1000 + walk.samples) / 50 / 3600), 6);
  });
});
