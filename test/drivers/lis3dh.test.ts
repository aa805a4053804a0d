// The LIS3DH driver against the register-level simulated chip: identification, scaling at every range and
// mode, FIFO streaming without loss or duplication, overrun, configuration errors.
import { describe, expect, test } from '@jest/globals';
import { LIS3DH, type Lis3dhMode } from '../../firmware/drivers/lis3dh/lis3dh.js';
import type { I2cRegisterChip } from '../../hal/host/index.js';
import { drain, lcg, lis3dhRig } from './lis3dh-rig.js';

/** Datasheet table 4: mg per digit, and the output's significant bits, by mode. */
const SPEC: Record<Lis3dhMode, { bits: number; mgPerDigit: Record<number, number> }> = {
  'high-resolution': { bits: 12, mgPerDigit: { 2: 1, 4: 2, 8: 4, 16: 12 } },
  normal: { bits: 10, mgPerDigit: { 2: 4, 8: 16, 4: 8, 16: 48 } },
  'low-power': { bits: 8, mgPerDigit: { 2: 16, 4: 32, 8: 64, 16: 192 } },
};
const VALUES = [0, 1, -1, 7, -9, 250, 1000, -1000, 1234, -567, 1999, -2001, 2600, -3000, 4100, 7999, -8300, 15000, -16500, 30000];

/** Checks one reading of `actual` for the true value `truth`: on the digit grid, rounded or saturated. */
function expectReading(actual: number, truth: number, mgPerDigit: number, bits: number): void {
  expect(Number.isInteger(actual / mgPerDigit)).toBe(true);
  const most = 2 ** (bits - 1);
  const code = Math.round(truth / mgPerDigit);
  if (code > most - 1) expect(actual).toBe((most - 1) * mgPerDigit);
  else if (code < -most) expect(actual).toBe(-most * mgPerDigit);
  else expect(Math.abs(actual - truth)).toBeLessThanOrEqual(mgPerDigit / 2);
}

describe('LIS3DH identification', () => {
  test('opens the chip at 0x18 and reads 1 g at rest', () => {
    const { open, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8, fifo: false });
    clock.advance(40);
    expect(accel.sample()).toEqual({ x: 0, y: 0, z: 1000 });
    accel.close();
  });

  test('refuses a chip whose WHO_AM_I is not 0x33, and an empty bus', () => {
    const { hal } = lis3dhRig();
    const impostor: I2cRegisterChip = { readRegister: (r) => (r === 0x0f ? 0x44 : 0), writeRegister: () => {} };
    hal.io.i2c(0).attach(0x19, impostor);
    const sensor = { ...hal.device.board.i2c!, io: hal.device.io.SMBus! };
    expect(() => new LIS3DH({ sensor: { ...sensor, address: 0x19 } })).toThrow(/WHO_AM_I 0x44/);
    expect(() => new LIS3DH({ sensor: { ...sensor, address: 0x1a } })).toThrow(/no device at 0x1a/);
  });

  test('rejects unsupported settings and use after close', () => {
    const { open } = lis3dhRig();
    const accel = open();
    expect(() => accel.configure({ rate: 60 })).toThrow(RangeError);
    expect(() => accel.configure({ range: 6 })).toThrow(RangeError);
    expect(() => accel.configure({ mode: 'turbo' as Lis3dhMode })).toThrow(RangeError);
    expect(() => accel.enableWakeOnMotion({ thresholdMg: 0, durationMs: 0 })).toThrow(RangeError);
    expect(() => accel.enableWakeOnMotion({ thresholdMg: 100, durationMs: -1 })).toThrow(RangeError);
    expect(accel.range).toBe(8); // a refused configuration changes nothing
    accel.close();
    expect(() => accel.sample()).toThrow(/closed/);
  });
});

describe('LIS3DH scaling', () => {
  for (const mode of Object.keys(SPEC) as Lis3dhMode[]) {
    test.each([2, 4, 8, 16])(`${mode} at ±%i g: milli-g on the datasheet grid, saturating`, (range) => {
      const { open, chip, clock } = lis3dhRig();
      const accel = open();
      accel.configure({ rate: 100, range, mode, fifo: false });
      const { bits, mgPerDigit } = SPEC[mode];
      for (const v of VALUES) {
        const truth = { x: v, y: -v, z: Math.round(v / 3) };
        chip.setStill(truth);
        clock.advance(10);
        const reading = accel.sample();
        expectReading(reading.x, truth.x, mgPerDigit[range]!, bits);
        expectReading(reading.y, truth.y, mgPerDigit[range]!, bits);
        expectReading(reading.z, truth.z, mgPerDigit[range]!, bits);
      }
    });
  }

  test('FIFO samples keep the 10 most significant bits: 16 mg steps at ±8 g, plus the dropped bits\' mean (6 mg)', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    const buffer = new Int16Array(3);
    for (const v of [1000, 1003, 1010, -1000, -1010, 333]) {
      chip.setStill({ x: v, y: 0, z: 0 });
      drain(accel, []);
      clock.advance(20);
      expect(accel.readFifo(buffer)).toBe(1);
      expect(Number.isInteger((buffer[0]! - 6) / 16)).toBe(true);
      // Truncation of the 12-bit code (never above the 4 mg reading, less than one 16 mg step below it), then + 6.
      expect(buffer[0]! - 6).toBeLessThanOrEqual(Math.round(v / 4) * 4);
      expect(buffer[0]! - 6).toBeGreaterThan(Math.round(v / 4) * 4 - 16);
    }
  });

  test('FIFO readings are unbiased: the mean error over a sweep is under 1 mg (flooring alone gives −6 mg)', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    const sweep = Array.from({ length: 160 }, (_, i) => -1000 + 13 * i); // not aligned to the 16 mg steps
    drain(accel, []);
    chip.play(sweep.flatMap((v) => [v, -v, 0]));
    const received: number[] = [];
    for (let t = 0; t < 160 * 20 + 200; t += 200) {
      clock.advance(200);
      drain(accel, received);
    }
    const errors = sweep.flatMap((v, i) => [received[3 * i]! - v, received[3 * i + 1]! + v]);
    expect(errors).toHaveLength(320);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(Math.abs(mean)).toBeLessThan(1);
    expect(Math.max(...errors.map(Math.abs))).toBeLessThanOrEqual(10);
  });
});

describe('LIS3DH FIFO', () => {
  test('a minute of signal drained in irregular batches arrives whole: nothing lost, nothing twice', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    const random = lcg(419);
    const count = 3000;
    // Multiples of 16 mg within ±8 g pass the FIFO's 10 bits exactly, so every value can be compared.
    const signal = Array.from({ length: count * 3 }, () => 16 * random(-500, 500));
    chip.setStill({ x: 0, y: 0, z: 992 });
    clock.advance(100);
    drain(accel, []);
    chip.play(signal);
    const received: number[] = [];
    const batches = [1, 5, 13, 32];
    for (let poll = 0; received.length < count * 3; poll++) {
      clock.advance(random(1, 30) * 20 - random(0, 19)); // 1 … 600 ms: always before the FIFO fills
      drain(accel, received, batches[poll % batches.length]);
    }
    expect(received.slice(0, count * 3)).toEqual(signal.map((v) => v + 6)); // + the dropped bits' mean
    expect(accel.overruns).toBe(0);
    expect(chip.lost).toBe(0);
  });

  test('exactly 32 waiting samples are all read (FSS 31 with the full flag)', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    const ramp = Array.from({ length: 40 }, (_, i) => [16 * i, 0 - 16 * i, 1008]).flat();
    drain(accel, []);
    chip.play(ramp);
    clock.advance(32 * 20);
    const buffer = new Int16Array(3 * 40);
    expect(accel.readFifo(buffer)).toBe(32);
    expect(Array.from(buffer.subarray(0, 96))).toEqual(ramp.slice(0, 96).map((v) => v + 6));
    expect(chip.lost).toBe(0);
  });

  test('an undrained FIFO overruns like the chip: the newest 32 remain, the stream continues after them', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    const ramp = Array.from({ length: 200 }, (_, i) => [16 * i, 0, 0 - 16 * i]).flat();
    drain(accel, []);
    chip.play(ramp);
    clock.advance(2000); // 100 samples into a 32-deep FIFO
    const buffer = new Int16Array(3 * 64);
    expect(accel.readFifo(buffer)).toBe(32);
    const read = ramp.map((v) => v + 6); // + the dropped bits' mean
    expect(Array.from(buffer.subarray(0, 96))).toEqual(read.slice(68 * 3, 100 * 3));
    expect(accel.overruns).toBe(1);
    expect(chip.lost).toBe(68);
    clock.advance(100);
    expect(accel.readFifo(buffer)).toBe(5);
    expect(Array.from(buffer.subarray(0, 15))).toEqual(read.slice(100 * 3, 105 * 3));
    expect(accel.overruns).toBe(1);
  });

  test('reconfiguring empties the FIFO; sample() then takes the oldest unread sample', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    chip.play([16, 0, 0, 32, 0, 0, 48, 0, 0]);
    clock.advance(60);
    expect(accel.sample().x).toBe(16);
    accel.configure({ range: 4 });
    expect(accel.readFifo(new Int16Array(96))).toBe(0);
    clock.advance(20);
    expect(accel.readFifo(new Int16Array(96))).toBe(1);
  });
});

describe('LIS3DH chip model, seen from the bus', () => {
  test('auto-increment needs bit 7 of the sub-address; BLE swaps the output bytes; read-only registers stay', () => {
    const { hal, clock } = lis3dhRig();
    const bus = new hal.device.io.SMBus!({ ...hal.device.board.i2c!, address: 0x18 });
    bus.writeUint8(0x20, 0x47); // 50 Hz, normal mode, XYZ
    bus.writeUint8(0x23, 0x08); // ±2 g, high resolution: 1 mg per digit
    clock.advance(20);
    expect(Array.from(new Uint8Array(bus.readBuffer(0x2c, 2)))).toEqual([0x80, 0x80]); // OUT_Z_L twice (16000 = 0x3e80)
    expect(new DataView(bus.readBuffer(0x2c | 0x80, 2)).getInt16(0, true)).toBe(1000 * 16);
    bus.writeUint8(0x23, 0x48); // BLE: big-endian
    expect(new DataView(bus.readBuffer(0x2c | 0x80, 2)).getInt16(0, false)).toBe(1000 * 16);
    bus.writeUint8(0x0f, 0x00);
    expect(bus.readUint8(0x0f)).toBe(0x33);
    bus.close();
  });
});

describe('LIS3DH power-down', () => {
  test('powerDown() stops sampling and empties the FIFO; configure() starts it again with the last settings', () => {
    const { open, chip, clock } = lis3dhRig();
    const accel = open();
    accel.configure({ rate: 50, range: 8 });
    clock.advance(200);
    expect(chip.produced).toBeGreaterThanOrEqual(9);
    accel.powerDown();
    expect(accel.poweredDown).toBe(true);
    const produced = chip.produced;
    clock.advance(10_000);
    expect(chip.produced).toBe(produced);
    expect(accel.readFifo(new Int16Array(96))).toBe(0);
    accel.configure({});
    expect(accel.poweredDown).toBe(false);
    expect([accel.rate, accel.range]).toEqual([50, 8]);
    clock.advance(200);
    expect(chip.produced).toBeGreaterThan(produced + 8);
  });
});
