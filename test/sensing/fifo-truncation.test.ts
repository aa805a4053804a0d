// The trainer's model of what the SOS button reads (scripts/falls/recordings.ts lis3dhFifoMg) must match the
// simulated LIS3DH read through the driver's FIFO at ±8 g, or validation "on FIFO samples" would be fiction.
import { describe, expect, test } from '@jest/globals';
import { asFifo, lis3dhFifoMg, type Recording } from '../../scripts/falls/recordings.js';
import { drain, lcg, lis3dhRig } from '../drivers/lis3dh-rig.js';

describe('LIS3DH FIFO truncation used for training and validation', () => {
  test('keeps 16 mg steps, floored, plus 6 mg: 1 g reads 998 mg, −1 g reads −1002 mg, full scale saturates', () => {
    expect(lis3dhFifoMg(1000)).toBe(998);
    expect(lis3dhFifoMg(-1000)).toBe(-1002);
    expect(lis3dhFifoMg(13)).toBe(6); // 3 digits of 4 mg
    expect(lis3dhFifoMg(14)).toBe(22); // rounds to 4 digits first
    expect(lis3dhFifoMg(20000)).toBe(8182);
    expect(lis3dhFifoMg(-20000)).toBe(-8186);
  });

  test('equals what the simulated chip delivers through the driver FIFO', () => {
    const random = lcg(7);
    const samples: number[] = [];
    for (let i = 0; i < 3 * 30; i++) samples.push(random(-9000, 9000));
    samples.push(1000, -1000, 2, -2, 8190, -8194); // edges: rounding at zero, saturation
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    clock.advance(100);
    drain(accel, []);
    chip.play(samples);
    const delivered: number[] = [];
    clock.advance(640);
    drain(accel, delivered);
    expect(delivered.slice(0, samples.length)).toEqual(samples.map(lis3dhFifoMg));
  });

  test('asFifo converts every sample and leaves the recording itself unchanged', () => {
    const recording: Recording = {
      id: 'r', dataset: 'd', subject: 's', activity: 'a', fall: true, hz: 50, unit: 'mg', samples: [1000, 0, -1000],
    };
    expect(asFifo(recording).samples).toEqual([998, 6, -1002]);
    expect(recording.samples).toEqual([1000, 0, -1000]);
  });
});
