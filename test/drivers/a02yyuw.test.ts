// A02YYUW / JSN-SR04T driver on a virtual UART against the simulated module, in both modes: one reading per
// measure(), the datasheet's frame, garbage and bad checksums skipped with resynchronisation, no echo as a fault
// (never 0 mm), a silent module, close().
import { afterAll, describe, expect, test } from '@jest/globals';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { main } from './xs/level-drivers-scenario.js';
import { steppedHal, type SteppedHal } from './io-support.js';
import { A02yyuw, type A02yyuwMode } from '../../firmware/drivers/a02yyuw/a02yyuw.js';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { attachA02yyuw, a02yyuwFrame, STREAM_PERIOD_MS, TRIGGERED_RESPONSE_MS, type A02yyuwChip, type A02yyuwHears } from '../../simulator/chips/a02yyuw.js';

interface Rig {
  hal: SteppedHal;
  chip: A02yyuwChip;
  sensor: A02yyuw;
  readings: LevelReading[];
  /** What the module hears at its next frames (the last one repeats). */
  hears: A02yyuwHears[];
}

function rig(mode: A02yyuwMode, options: { chip?: boolean } = {}): Rig {
  const hal = steppedHal();
  const serial = hal.device.board.serial!.reader!;
  const hears: A02yyuwHears[] = [1234];
  const chip = attachA02yyuw(hal.io, {
    port: serial.port, timers: hal.timers, mode, reading: () => (hears.length > 1 ? hears.shift()! : hears[0]!),
  });
  if (options.chip === false) chip.detach();
  const readings: LevelReading[] = [];
  const sensor = new A02yyuw({ serial: { ...serial, io: hal.device.io.Serial! }, timers: hal.timers, mode, onReading: (r) => readings.push(r) });
  return { hal, chip, sensor, readings, hears };
}

describe('A02YYUW frames', () => {
  test("the datasheet's example frame, 0xFF 0x07 0xA1 0xA7, is 1953 mm", () => {
    expect([...a02yyuwFrame(1953)]).toEqual([0xff, 0x07, 0xa1, 0xa7]);
    const { hal, chip, sensor, readings } = rig('streaming', { chip: false });
    sensor.measure();
    chip.raw([0xff, 0x07, 0xa1, 0xa7]);
    hal.clock.advance(1);
    expect(readings).toEqual([{ mm: 1953 }]);
  });

  test('garbage before and inside frames is skipped; a 0xFF inside a bad frame can start the real one', () => {
    const { hal, chip, sensor, readings } = rig('streaming', { chip: false });
    // Three bytes of garbage, then a header and one byte that a real frame (300 mm = FF 01 2C 2C) interrupts: the
    // candidate FF 01 FF 01 fails its checksum, and the reader resumes at its second 0xFF.
    chip.raw([0x00, 0x55, 0x12, 0xff, 0x01, ...a02yyuwFrame(300)]);
    sensor.measure();
    hal.clock.advance(1);
    expect(readings).toEqual([{ mm: 300 }]);
    expect(sensor.dropped).toBe(5);
    expect(sensor.badChecksums).toBe(1);
  });

  test('a frame split across reads and frames in one chunk are each read', () => {
    const { hal, chip, sensor, readings } = rig('streaming', { chip: false });
    const first = a02yyuwFrame(500);
    sensor.measure();
    chip.raw(first.subarray(0, 2));
    hal.clock.advance(1);
    expect(readings).toEqual([]);
    chip.raw(first.subarray(2));
    hal.clock.advance(1);
    sensor.measure();
    chip.raw([...a02yyuwFrame(30), ...a02yyuwFrame(4500)]);
    hal.clock.advance(1);
    expect(readings).toEqual([{ mm: 500 }, { mm: 30 }]);
    expect(sensor.dropped).toBe(0);
  });
});

describe('A02YYUW triggered', () => {
  test('measure() writes 0x55 and gets exactly one reading from the answer', () => {
    const { hal, chip, sensor, readings, hears } = rig('triggered');
    hears.splice(0, hears.length, 812, 640);
    sensor.measure();
    expect(hal.io.serial(hal.device.board.serial!.reader!.port).takeWritten()).toEqual(Uint8Array.of(0x55));
    hal.clock.advance(TRIGGERED_RESPONSE_MS + 5);
    expect(readings).toEqual([{ mm: 812 }]);
    hal.clock.advance(1000);
    expect(readings).toEqual([{ mm: 812 }]); // nothing unasked
    sensor.measure();
    hal.clock.advance(TRIGGERED_RESPONSE_MS + 5);
    expect(readings).toEqual([{ mm: 812 }, { mm: 640 }]);
    expect(chip.triggers).toBe(2);
  });

  test('a measure() while one is under way is answered by the same reading, once each', () => {
    const { hal, chip, sensor, readings } = rig('triggered');
    sensor.measure();
    sensor.measure();
    hal.clock.advance(1000);
    expect(readings).toEqual([{ mm: 1234 }, { mm: 1234 }]);
    expect(chip.triggers).toBe(1);
  });

  test("no echo: the module's 0 and a distance beyond its range are noEcho, never a distance", () => {
    const { hal, sensor, readings, hears } = rig('triggered');
    hears.splice(0, hears.length, 'noEcho', 5500, 4500, 25);
    for (let i = 0; i < 4; i++) {
      sensor.measure();
      hal.clock.advance(TRIGGERED_RESPONSE_MS + 5);
    }
    expect(readings).toEqual([{ fault: 'noEcho' }, { fault: 'noEcho' }, { mm: 4500 }, { mm: 25 }]);
  });

  test('a bad checksum is dropped: the reading waits for a valid frame and is silent without one', () => {
    const { hal, chip, sensor, readings } = rig('triggered');
    chip.badChecksum();
    sensor.measure();
    hal.clock.advance(199);
    expect(readings).toEqual([]);
    hal.clock.advance(1);
    expect(readings).toEqual([{ fault: 'silent' }]);
    expect(sensor.badChecksums).toBe(1);
    expect(sensor.dropped).toBe(4); // the whole frame: no other 0xFF in it to resume at
    sensor.measure();
    hal.clock.advance(TRIGGERED_RESPONSE_MS + 5);
    expect(readings).toEqual([{ fault: 'silent' }, { mm: 1234 }]);
  });

  test('a silent module: one silent reading per measure() after 200 ms, and a late answer is not taken', () => {
    const { hal, chip, sensor, readings, hears } = rig('triggered');
    hears.splice(0, hears.length, 'silent');
    sensor.measure();
    hal.clock.advance(200);
    expect(readings).toEqual([{ fault: 'silent' }]);
    hal.clock.advance(1000);
    expect(readings).toHaveLength(1);
    chip.raw(a02yyuwFrame(700)); // an answer nobody asked for
    hal.clock.advance(1);
    expect(readings).toHaveLength(1);
  });
});

describe('A02YYUW streaming', () => {
  test('measure() takes the next frame, writes nothing, and ignores frames between measurements', () => {
    const { hal, chip, sensor, readings, hears } = rig('streaming');
    hears.splice(0, hears.length, 100, 200, 300, 400);
    hal.clock.advance(STREAM_PERIOD_MS * 2 + 10); // frames 100 and 200 go by unasked
    sensor.measure();
    hal.clock.advance(STREAM_PERIOD_MS);
    expect(readings).toEqual([{ mm: 300 }]);
    expect(hal.io.serial(hal.device.board.serial!.reader!.port).written).toEqual(new Uint8Array(0));
    expect(chip.sent).toBe(3);
  });

  test('garbage on the line and a bad checksum: the next good frame is the reading', () => {
    const { hal, chip, sensor, readings, hears } = rig('streaming');
    hears.splice(0, hears.length, 900, 901);
    sensor.measure();
    chip.raw([0xff, 0xff, 0x00]);
    chip.badChecksum();
    hal.clock.advance(STREAM_PERIOD_MS * 2);
    expect(readings).toEqual([{ mm: 901 }]);
    expect(sensor.badChecksums).toBeGreaterThanOrEqual(1);
  });

  test('a silent module reads silent after its timeout; a module that stops streaming too', () => {
    const { hal, chip, sensor, readings } = rig('streaming');
    sensor.measure();
    hal.clock.advance(STREAM_PERIOD_MS);
    expect(readings).toEqual([{ mm: 1234 }]);
    chip.detach();
    sensor.measure();
    hal.clock.advance(399);
    expect(readings).toHaveLength(1);
    hal.clock.advance(1);
    expect(readings).toEqual([{ mm: 1234 }, { fault: 'silent' }]);
  });
});

describe('A02YYUW close()', () => {
  test('releases the port and drops a pending measurement: no reading, no timer left', () => {
    const { hal, chip, sensor, readings } = rig('triggered');
    sensor.measure();
    sensor.close();
    hal.clock.advance(1000);
    expect(readings).toEqual([]);
    chip.detach();
    expect(hal.clock.pendingTimers).toBe(0);
    expect(() => sensor.measure()).toThrow('closed');
    sensor.close();
  });

  test('an unknown mode is refused at construction', () => {
    const hal = steppedHal();
    const serial = hal.device.board.serial!.reader!;
    expect(() => new A02yyuw({ serial: { ...serial, io: hal.device.io.Serial! }, timers: hal.timers, mode: 'polled' as A02yyuwMode, onReading: () => {} })).toThrow('unknown mode');
  });
});

describe('level sensors on XS', () => {
  afterAll(() => killAllWorkers());

  test('A02YYUW and VL53L1X give the same, expected readings on XS and on Node', async () => {
    const node = main();
    expect(node).toEqual({
      readings: [
        '50 sonar 812', '300 sonar noEcho', '700 sonar silent', '800 sonar noEcho',
        // Garbage, then a bad frame whose 0xFF is tried again: no valid frame, so silent after 200 ms.
        '1200 sonar silent',
        // Opened at 1250: the calibration ranging (100 ms budget), then each ranging takes 33 ms and ends on a 10 ms poll.
        '1390 tof 700 s8164 a63', '1490 tof ambient', '1690 tof noEcho', '1890 tof 45 s511992 a63',
        // The sensor gone: silent after twice the budget and 100 ms.
        '2220 tof silent',
      ],
      dropped: 7, badChecksums: 2, tofStarts: 5, timersLeft: 0, // calibration and four rangings; the fifth found no sensor
    });
    const xs = await runOnXs({ entry: 'test/drivers/xs/level-drivers-scenario.ts' });
    expect(xs.result).toEqual(node);
  }, 120_000);
});
