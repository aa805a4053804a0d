// Fuzz core for what a VL53L1X sends back (firmware/drivers/vl53l1x): a sensor that identifies itself correctly
// and then answers every other read (data-ready status, result blocks, calibration values, polarity) with the
// input's bytes in order, zeros once they run out, with now and then a transaction not acknowledged (the run
// seed decides). The driver is asked for readings again and again; properties: nothing escapes, each measure()
// gets exactly one reading, each reading is well formed (a whole distance 0–65535 mm with non-negative rates, or
// a known fault), and none comes after close(). Engine-neutral: inside XS on the fake I2C class below; the
// Node target attaches the same chip to the host's virtual I2C bus.
import type { I2C, I2CConstructor, I2COptions } from '../../../hal/contract/io.js';
import type { LevelReading } from '../../../firmware/drivers/level-reading.js';
import { Vl53l1x } from '../../../firmware/drivers/vl53l1x/vl53l1x.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';
import { FakeTimers } from './wiegand.js';

const MODEL_ID = 0x010f;
const BOOT_STATE = 0x00e5;
const MEASUREMENTS = 6;
/** Longer than the driver's slowest deadline (2 × 500 ms budget + 100 ms). */
const WAIT_MS = 1200;
const FAULTS = new Set(['noEcho', 'silent', 'ambient', 'range']);

/** The fuzzed sensor at transaction level: 16-bit index writes, then reads. */
export class FuzzedTof {
  #input: Uint8Array;
  #at = 0;
  #index = 0;
  #rng: Prng;

  constructor(input: Uint8Array, rng: Prng) {
    this.#input = input;
    this.#rng = rng;
  }

  write(bytes: Uint8Array): void {
    this.#nack();
    if (bytes.length >= 2) this.#index = (bytes[0]! << 8) | bytes[1]!;
  }

  read(byteLength: number): Uint8Array {
    this.#nack();
    const out = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) out[i] = this.#next(this.#index + i);
    return out;
  }

  #next(index: number): number {
    if (index === MODEL_ID) return 0xea;
    if (index === MODEL_ID + 1) return 0xcc;
    if (index === BOOT_STATE) return 1;
    return this.#input[this.#at++] ?? 0;
  }

  #nack(): void {
    if (this.#rng.chance(0.02)) throw new Error('I2C: no acknowledge');
  }
}

/** An ECMA-419 I2C class whose only device is `chip`. */
export function fakeI2C(chip: FuzzedTof): I2CConstructor {
  return class FakeI2C implements I2C {
    constructor(_options: I2COptions) {}
    read(byteLength: number): ArrayBuffer {
      return chip.read(byteLength).buffer as ArrayBuffer;
    }
    write(buffer: ArrayBuffer | Uint8Array): void {
      chip.write(buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer));
    }
    close(): void {}
  };
}

export function checkReading(reading: LevelReading): void {
  if ('mm' in reading) {
    const { mm, signal, ambient } = reading;
    check(Number.isInteger(mm) && mm >= 0 && mm <= 0xffff, () => `VL53L1X distance ${mm}`);
    for (const rate of [signal, ambient]) check(rate === undefined || (Number.isFinite(rate) && rate >= 0), () => `VL53L1X rate ${rate}`);
  } else {
    check(FAULTS.has(reading.fault), () => `VL53L1X fault ${JSON.stringify(reading)}`);
  }
}

/** Asks for readings (some joined, some with a new configuration) with `wait(ms)` moving time, and checks them. */
export function exercise(tof: Vl53l1x, readings: LevelReading[], rng: Prng, wait: (ms: number) => void): void {
  let asked = 0;
  for (let i = 0; i < MEASUREMENTS; i++) {
    const calls = rng.chance(0.2) ? 2 : 1;
    for (let c = 0; c < calls; c++) tof.measure();
    asked += calls;
    if (rng.chance(0.3)) {
      try {
        tof.configure({ distanceMode: rng.chance(0.5) ? 'short' : 'long', timingBudgetMs: rng.pick([15, 20, 33, 50, 100, 200]) });
      } catch (error) {
        // A configuration the mode lacks is refused as documented; anything else is a finding.
        check(error instanceof RangeError, () => `VL53L1X configure threw ${String(error)}`);
      }
    }
    wait(WAIT_MS);
    check(readings.length === asked, () => `VL53L1X: ${readings.length} readings for ${asked} measure() calls`);
  }
  for (const reading of readings) checkReading(reading);
}

export function runVl53l1x(input: Uint8Array, runSeed: number): void {
  const rng = new Prng(runSeed);
  const timers = new FakeTimers();
  const readings: LevelReading[] = [];
  let tof: Vl53l1x;
  try {
    tof = new Vl53l1x({ sensor: { data: 21, clock: 22, io: fakeI2C(new FuzzedTof(input, rng)) }, timers, onReading: (r) => readings.push(r) });
  } catch (error) {
    // Not acknowledged while opening: the part is reported missing, as documented.
    check(String(error).includes('no acknowledge'), () => `VL53L1X constructor threw ${String(error)}`);
    return;
  }
  exercise(tof, readings, rng, (ms) => timers.advance(ms));
  closeQuietly(tof, readings, (ms) => timers.advance(ms));
}

/** close() ends it: no reading and no exception afterwards. */
export function closeQuietly(tof: Vl53l1x, readings: LevelReading[], wait: (ms: number) => void): void {
  const count = readings.length;
  tof.close();
  wait(WAIT_MS);
  check(readings.length === count, 'VL53L1X: a reading after close()');
}
