// Target `vl53l1x-result`: what a VL53L1X answers (data-ready status, result blocks with any range status,
// distance and rates, calibration values), with transactions now and then not acknowledged, as the driver reads
// it on the host's virtual I2C bus (input format and properties in cores/vl53l1x.ts). Seeds: result blocks for a
// valid range, sunlight, no target, wraparound, a synchronisation first, all ones, and nothing (zeros).
import { createHostHal, SteppedClock } from '../../../hal/host/index.js';
import { createHostStorage } from '../../../hal/host/storage/index.js';
import { simBoard } from '../../../hal/boards/sim.js';
import type { LevelReading } from '../../../firmware/drivers/level-reading.js';
import { Vl53l1x } from '../../../firmware/drivers/vl53l1x/vl53l1x.js';
import { check } from '../cores/invariant.js';
import { closeQuietly, exercise, FuzzedTof } from '../cores/vl53l1x.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';

const ADDRESS = 0x29;

/** What the driver reads after identifying the chip, in order: polarity, calibration ready, then ready and a result. */
function answers(...results: number[][]): Uint8Array {
  const ready = [0x03];
  return Uint8Array.from([0x01, ...ready, ...results.flatMap((result) => [...ready, ...result])]);
}

/** A result block from 0x0089: device status, ambient (0x0090), distance (0x0096), signal (0x0098). */
function result(status: number, ambient: number, mm: number, signal: number): number[] {
  const block = new Array<number>(17).fill(0);
  block[0] = status;
  [block[7], block[8]] = [ambient >> 8, ambient & 0xff];
  [block[13], block[14]] = [mm >> 8, mm & 0xff];
  [block[15], block[16]] = [signal >> 8, signal & 0xff];
  return block;
}

export function vl53l1xSeeds(): Uint8Array[] {
  return [
    answers(result(9, 8, 700, 500)),
    answers(result(6, 2560, 0, 38), result(4, 8, 0, 2)),
    answers(result(7, 8, 30, 900), result(5, 8, 6000, 1)),
    answers(result(18, 0, 0, 0), result(9, 8, 420, 900), result(8, 8, 10, 20000)),
    new Uint8Array(200).fill(0xff),
    new Uint8Array(0),
  ];
}

export function vl53l1xTarget(): FuzzTarget {
  let hal: ReturnType<typeof createHostHal> | undefined;
  return {
    name: 'vl53l1x-result',
    format: 'bytes',
    weight: 1,
    seeds: vl53l1xSeeds,
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      hal ??= createHostHal({ storage: createHostStorage(), board: simBoard, clock: new SteppedClock() });
      const clock = hal.clock as SteppedClock;
      const bus = hal.io.i2c(simBoard.i2c.port);
      bus.attach(ADDRESS, new FuzzedTof(input, rng));
      const readings: LevelReading[] = [];
      try {
        let tof: Vl53l1x;
        try {
          tof = new Vl53l1x({ sensor: { ...simBoard.i2c, io: hal.device.io.SMBus! }, timers: hal.timers, onReading: (r) => readings.push(r) });
        } catch (error) {
          check(String(error).includes('no acknowledge'), () => `VL53L1X constructor threw ${String(error)}`);
          return;
        }
        exercise(tof, readings, rng, (ms) => clock.advance(ms));
        closeQuietly(tof, readings, (ms) => clock.advance(ms));
        check(clock.pendingTimers === 0, () => `VL53L1X: ${clock.pendingTimers} timers left after close()`);
      } finally {
        bus.detach(ADDRESS);
      }
    },
    close() {
      hal?.dispose();
      hal = undefined;
    },
    xsCore: 'vl53l1x-result',
    xsBudget: 50_000_000,
  };
}
