// Real recorded falls and daily activities replayed through the whole sensing path of the SOS button:
// simulated chip (±8 g, 50 Hz, FIFO) → I2C → LIS3DH driver → firmware fall detector, against the detector on
// the raw recording. Skipped when the shared data set is not beside the repository.
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FallDetector } from '../../firmware/sensing/fall-detector.js';
import { readRecordings, type Recording } from '../../scripts/falls/recordings.js';
import { lis3dhRig } from './lis3dh-rig.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = [resolve(HERE, '../../../shared/datasets/falls'), '/work/shared/datasets/falls'].find((dir) => existsSync(dir));
const FILES = ['fallalld-neck.jsonl.gz', 'sisfall.jsonl.gz'];
/** Every EVERY-th recording, until PER_CLASS falls and PER_CLASS activities are in: all kinds, little time. */
const EVERY = 10;
const PER_CLASS = 10;
/** Drain period of the app's FIFO reader. */
const POLL_MS = 320;

async function pick(file: string): Promise<Recording[]> {
  const picked: Recording[] = [];
  const taken = { fall: 0, adl: 0 };
  let line = 0;
  for await (const recording of readRecordings(file)) {
    if (line++ % EVERY !== 0) continue;
    const kind = recording.fall ? 'fall' : 'adl';
    if (taken[kind] === PER_CLASS) continue;
    taken[kind] += 1;
    picked.push(recording);
    if (taken.fall === PER_CLASS && taken.adl === PER_CLASS) break;
  }
  return picked;
}

function alertsOnRaw(samples: readonly number[]): number {
  const detector = new FallDetector();
  for (let i = 0; i < samples.length; i += 3) detector.push(samples[i]!, samples[i + 1]!, samples[i + 2]!);
  return detector.alerts;
}

/** Plays the recording through chip and driver; returns the detector's alerts and what the driver delivered. */
function alertsThroughChip(samples: readonly number[]): { alerts: number; delivered: number[] } {
  const { open, chip, clock } = lis3dhRig();
  const accel = open();
  accel.configure({ rate: 50, range: 8 });
  chip.setStill({ x: samples[0]!, y: samples[1]!, z: samples[2]! });
  clock.advance(100);
  const buffer = new Int16Array(3 * 32);
  accel.readFifo(buffer); // the time before the recording starts
  chip.play(samples);
  const detector = new FallDetector();
  const delivered: number[] = [];
  while (delivered.length < samples.length) {
    clock.advance(POLL_MS);
    const count = accel.readFifo(buffer);
    for (let i = 0; i < count * 3 && delivered.length < samples.length; i += 3) {
      detector.push(buffer[i]!, buffer[i + 1]!, buffer[i + 2]!);
      delivered.push(buffer[i]!, buffer[i + 1]!, buffer[i + 2]!);
    }
  }
  expect(accel.overruns).toBe(0);
  accel.close();
  return { alerts: detector.alerts, delivered };
}

(DATA ? describe : describe.skip)('recorded falls through chip, driver and detector', () => {
  test.each(FILES)('%s: the same alerts as on the raw recording', async (name) => {
    const recordings = await pick(resolve(DATA!, name));
    expect(recordings.filter((r) => r.fall)).toHaveLength(PER_CLASS);
    expect(recordings.filter((r) => !r.fall)).toHaveLength(PER_CLASS);
    let fallAlerts = 0;
    for (const recording of recordings) {
      const raw = alertsOnRaw(recording.samples);
      const { alerts, delivered } = alertsThroughChip(recording.samples);
      // Every sample arrives, in order, within the FIFO's 10-bit step (16 mg at ±8 g) or clipped at full scale.
      expect(delivered).toHaveLength(recording.samples.length);
      delivered.forEach((value, i) => {
        const truth = Math.max(-8192, Math.min(8188, recording.samples[i]!));
        if (Math.abs(value - truth) > 16) throw new Error(`${recording.id}: sample ${i} read ${value} for ${truth}`);
      });
      expect({ id: recording.id, alerts }).toEqual({ id: recording.id, alerts: raw });
      if (recording.fall) fallAlerts += alerts;
    }
    expect(fallAlerts).toBeGreaterThan(0); // the path carries falls, not just silence
  });
});
