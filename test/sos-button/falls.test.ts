// Falls and daily activities played through the simulated LIS3DH into the SOS button: its FIFO, the app's polling
// and the fall detector, the cancel window and the alarm. Real recordings from ../shared/datasets/falls when
// the folder is there; the synthetic traces always.
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { FallDetector } from '../../firmware/sensing/fall-detector.js';
import { INDICATIONS } from '../../firmware/apps/sos-button/index.js';
import { readRecordings, type Recording } from '../../scripts/falls/recordings.js';
import { fallsDataDir, recordingFiles, syntheticActivity, syntheticFall } from '../../simulator/kinds/sos-motion.js';
import { followsPattern, SosButtonDevice, rhythm } from './sos-button-device.js';

const WARM_UP_MS = 5000;
const CANCEL_MS = 30_000; // fallCancelS default
/** After the trace: the detector's 2.5 s look-ahead, the cancel window and a margin. */
const AFTER_MS = 2500 + CANCEL_MS + 10_000;

/** An SOS button resting in the trace's first posture, then the trace through the chip. Returns when it ended. */
function wear(samples: ArrayLike<number>): { p: SosButtonDevice; endsAt: number } {
  const p = new SosButtonDevice({ rest: { x: samples[0]!, y: samples[1]!, z: samples[2]! } }).boot();
  p.advance(WARM_UP_MS);
  const ms = p.chip.play(Array.from(samples));
  return { p, endsAt: p.now + ms };
}

/**
 * A LIS3DH at ±8 g in high-resolution mode reads 4 mg digits and saturates at 12 bits; its FIFO keeps the top
 * 10 bits, so a FIFO sample is a multiple of 16 mg.
 */
function asSensed(mg: number): number {
  const code = Math.max(-2048, Math.min(2047, Math.round(mg / 4)));
  return Math.floor(code / 4) * 16;
}

/**
 * Alerts of the same detector fed what the chip senses directly: the warm-up posture, the trace, then the
 * trace's last sample held (as the chip does when a playback ends) for as long as the SOS button is watched.
 */
function detectorAlerts(samples: ArrayLike<number>): number {
  const detector = new FallDetector();
  const push = (i: number) => detector.push(asSensed(samples[i]!), asSensed(samples[i + 1]!), asSensed(samples[i + 2]!));
  for (let i = 0; i < (WARM_UP_MS / 1000) * 50; i++) push(0);
  for (let i = 0; i + 2 < samples.length; i += 3) push(i);
  for (let i = 0; i < (AFTER_MS / 1000) * 50; i++) push(samples.length - 3);
  return detector.alerts;
}

describe('SOS button: falls through the simulated accelerometer', () => {
  test('a synthetic fall sounds and vibrates for the cancel window, then raises exactly one alarm with the detector figures', () => {
    const { samples } = syntheticFall();
    const { p, endsAt } = wear(samples);
    let windowAt: number | undefined;
    while (p.now < endsAt && windowAt === undefined) {
      p.advance(100);
      if (p.app.alarms.window) windowAt = p.now;
    }
    expect(windowAt).toBeDefined();
    expect(p.app.showing).toBe('fallWindow');
    for (const name of ['led', 'buzzer', 'vibration'] as const) {
      p.advance(2500);
      const seen = rhythm(p.pin(name), windowAt!, p.now);
      expect({ name, ok: followsPattern(seen, INDICATIONS.fallWindow[name]!.pattern) }).toEqual({ name, ok: true });
    }
    p.advance(CANCEL_MS - 8000);
    expect(p.events('alarm.raised')).toHaveLength(0); // still inside the window
    p.advance(5000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.data).toMatchObject({ cause: 'fall', detector: { score: expect.any(Number), peakMg: expect.any(Number) } });
    p.advance(120_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.app.health().fallsDetected).toBe(1);
  });

  test('a long press in the cancel window: no alarm, and a fall.cancelled event with the detector figures', () => {
    const { samples } = syntheticFall(3);
    const { p, endsAt } = wear(samples);
    p.advance(endsAt - p.now + 2600);
    expect(p.app.alarms.window?.cause).toBe('fall');
    p.advance(10_000);
    p.press(2500);
    expect(p.app.alarms.window).toBeUndefined();
    expect(p.app.showing).toBe('aborted');
    p.advance(120_000);
    expect(p.events('alarm.raised')).toHaveLength(0);
    const cancelled = p.events('fall.cancelled');
    expect(cancelled).toHaveLength(1);
    const data = cancelled[0]!.data as { afterMs: number; detector: Record<string, number> };
    expect(data.detector.score).toEqual(expect.any(Number));
    expect(data.detector.score).toBeGreaterThan(0);
    expect(data.afterMs).toBeGreaterThanOrEqual(10_000);
    expect(data.afterMs).toBeLessThan(CANCEL_MS);
  });

  test('a short press in the cancel window raises the alarm at once', () => {
    const { samples } = syntheticFall(5);
    const { p, endsAt } = wear(samples);
    p.advance(endsAt - p.now + 2600);
    expect(p.app.alarms.window?.cause).toBe('fall');
    p.press();
    expect(p.events('alarm.raised').map((e) => e.data.cause)).toEqual(['fall']);
  });

  test('synthetic daily activity (brisk walking past the impact threshold, sitting down hard) raises nothing', () => {
    const { samples } = syntheticActivity();
    const { p, endsAt } = wear(samples);
    p.advance(endsAt - p.now + AFTER_MS);
    expect(p.app.health().fallsDetected).toBe(0);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(p.app.alarms.busy).toBe(false);
  });

  test('with fallDetection off the accelerometer is not polled and a fall raises nothing', () => {
    const { samples } = syntheticFall();
    const p = new SosButtonDevice({ config: { fallDetection: false } }).boot();
    expect(p.app.status().fallDetection).toBe(false);
    p.chip.play(Array.from(samples));
    p.advance(60_000);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(p.app.health().fallsDetected).toBe(0);
  });

  test('still for stillS: polling stops; the wake-on-motion interrupt brings it back in time to catch a fall', () => {
    const { samples } = syntheticFall(9);
    const p = new SosButtonDevice({ rest: { x: samples[0]!, y: samples[1]!, z: samples[2]! }, config: { stillS: 60 } }).boot();
    p.advance(30_000);
    expect(p.app.status().still).toBe(false);
    const polled = p.chip.lost;
    p.advance(10_000);
    expect(p.chip.lost).toBe(polled); // drained in time while polling
    p.advance(50_000);
    expect(p.app.status().still).toBe(true);
    const lost = p.chip.lost;
    p.advance(30_000);
    // The chip samples on, but nobody drains its FIFO twice a second: the stream overwrites unread samples.
    expect(p.chip.lost - lost).toBeGreaterThan(1000);
    const ms = p.chip.play(Array.from(samples));
    p.advance(ms + 2600);
    expect(p.app.status().still).toBe(false);
    expect(p.app.alarms.window?.cause).toBe('fall');
    p.advance(CANCEL_MS);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.app.health().stillPeriods).toBe(1);
  });
});

const FILES = recordingFiles(fallsDataDir());
/** Recordings per file and label, spread over the file (all subjects and activities). */
const PER_KIND = 6;

async function pick(file: string): Promise<Recording[]> {
  const all: Recording[] = [];
  for await (const recording of readRecordings(file)) all.push(recording);
  const chosen: Recording[] = [];
  for (const fall of [true, false]) {
    const ofKind = all.filter((r) => r.fall === fall);
    for (let i = 0; i < PER_KIND; i++) chosen.push(ofKind[Math.floor(((i + 0.5) * ofKind.length) / PER_KIND)]!);
  }
  return chosen;
}

(FILES.length > 0 && existsSync(fallsDataDir()) ? describe : describe.skip)('SOS button: real recordings through the simulated accelerometer', () => {
  test.each(FILES)('%s: one alarm per fall, none per daily activity, as the detector judges them', async (file) => {
    const recordings = await pick(file);
    const rows: { id: string; fall: boolean; detector: number; alarms: number }[] = [];
    for (const recording of recordings) {
      const { p, endsAt } = wear(recording.samples);
      p.advance(endsAt - p.now + AFTER_MS);
      rows.push({ id: recording.id, fall: recording.fall, detector: Math.min(1, detectorAlerts(recording.samples)), alarms: p.events('alarm.raised').length });
    }
    // The SOS button is faithful to its detector: one alarm where it finds a fall, none where it finds none.
    for (const row of rows) expect(row).toEqual({ ...row, alarms: row.detector });
    // And the picks exercise both outcomes: most falls alarm, most activities stay quiet.
    const falls = rows.filter((r) => r.fall);
    const adls = rows.filter((r) => !r.fall);
    expect(falls.filter((r) => r.alarms === 1).length).toBeGreaterThanOrEqual(PER_KIND - 1);
    expect(adls.filter((r) => r.alarms === 0).length).toBeGreaterThanOrEqual(PER_KIND - 1);
  }, 120_000);
});
