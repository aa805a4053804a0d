// The LIS3DH's interrupt engine and FIFO modes (datasheet DocID17530 §5.1, §8; AN3308), driven through the driver
// and, where the driver has no use for a combination, straight on the bus: wake on impact with the history before
// the trigger kept by stream-to-FIFO, the high-pass filter, the duration filter, the latch, AND/OR, FIFO mode.
import { afterAll, describe, expect, test } from '@jest/globals';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { impactTrace, main } from './xs/lis3dh-capture-scenario.js';
import { lis3dhRig } from './lis3dh-rig.js';

afterAll(() => killAllWorkers());

/** Samples `from` to `to` (exclusive) of a trace, as x, y, z. */
const samples = (trace: number[], from: number, to: number) => trace.slice(3 * from, 3 * to);

describe('LIS3DH wake on impact with the history before it (scenario, Node and XS)', () => {
  const node = main() as Record<string, Record<string, unknown>>;

  test('an impact over threshold raises INT1 and freezes the FIFO on the 32 samples up to the trigger', () => {
    const trace = impactTrace([3008, 3008, 3008]);
    const { frozen, afterRead, released, afterRelease, streamed, overruns } = node.capture!;
    expect(frozen).toEqual({ alerts: 1, line: 1, interrupts: 1, fifo: samples(trace, 61 - 32, 61) }); // 31 before + the trigger
    expect(afterRead).toEqual({ line: 1, fifo: [] }); // 6 s on, nothing after the trigger came in: frozen
    expect([released, afterRelease]).toEqual([true, { line: 0, again: false }]); // the latch, released by INT1_SRC
    expect(streamed).toBe(10); // then the FIFO streams again: 200 ms at 50 Hz
    expect(overruns).toBe(0); // a full captured history is not an overrun
  });

  test('a slow tilt stays under the high-passed threshold (the same threshold fires without the filter)', () => {
    expect(node.tilt).toEqual({ filtered: { alerts: 0, line: 0, newest: [992, 0, 0] }, unfiltered: { alerts: 1, line: 1 } });
  });

  test('the duration filter: 60 ms (3 samples) ignores a 3-sample impact and triggers on the 4th of a longer one', () => {
    const trace = impactTrace([3008, 3024, 3040, 3056, 3072]);
    expect(node.duration).toEqual({ short: 0, long: 1, newest: samples(trace, 63, 64), oldest: samples(trace, 32, 33), samples: 32 });
  });

  test('the boot after the wake: keepFifo reads the history and releases the latch; without it the chip is reset', () => {
    expect(node.boot).toEqual({
      kept: { line: 1, samples: 32, newest: [3008, 0, 1008], released: true, after: 0 },
      // Reset: the FIFO emptied and INT1 routed nowhere (the stale latch in INT1_SRC is dropped when wake is armed again).
      reset: { line: 0, samples: 0, newest: [], released: true, after: 0 },
    });
  });

  test('the same outcome on XS', async () => {
    const xs = await runOnXs({ entry: 'test/drivers/xs/lis3dh-capture-scenario.ts' });
    expect(xs.result).toEqual(node);
  }, 120_000);
});

/** The rig's chip, reached over the bus like the driver does. */
function busRig() {
  const rig = lis3dhRig({ int1: true });
  const bus = new rig.hal.device.io.SMBus!({ ...rig.hal.device.board.i2c!, address: 0x18 });
  const line = () => rig.hal.io.pin(rig.int1).level;
  const fifoCount = () => {
    const source = bus.readUint8(0x2f); // FIFO_SRC_REG: FSS stops at 31, OVRN says 32
    return source & 0x40 ? 32 : source & 0x1f;
  };
  const popX = () => new DataView(bus.readBuffer(0x28 | 0x80, 6)).getInt16(0, true) >> 6; // 10 bits, 16 mg at ±8 g
  return { ...rig, bus, line, fifoCount, popX };
}

describe('LIS3DH chip model on the bus', () => {
  test('without the latch (LIR_INT1 0) INT1 follows the event and stream-to-FIFO streams on over the history', () => {
    const { bus, chip, clock, line, fifoCount, popX } = busRig();
    bus.writeUint8(0x20, 0x47); // 50 Hz, XYZ
    bus.writeUint8(0x23, 0x20); // ±8 g, normal: 62 mg per threshold LSB
    bus.writeUint8(0x24, 0x40); // FIFO_EN, no latch
    bus.writeUint8(0x2e, 0xc0); // stream-to-FIFO, triggered by INT1
    bus.writeUint8(0x32, 16); // 992 mg
    bus.writeUint8(0x30, 0x02); // XH (raw: no high-pass)
    bus.writeUint8(0x22, 0x40); // I1_IA1
    clock.advance(1000);
    chip.play([...Array.from({ length: 40 }, (_, i) => [16 * i, 0, 0]).flat(), 2000, 0, 0, 2000, 0, 0, 0, 0, 0]);
    clock.advance(41 * 20);
    expect(line()).toBe(1); // the impact is on: FIFO mode, history frozen
    clock.advance(100);
    expect(line()).toBe(0); // over: no latch holds it
    expect(fifoCount()).toBe(32);
    expect(popX()).toBe(12); // streaming again once INT1 fell: samples after the event overwrote the oldest (9–11)
    // Latched, the same impact keeps the history: the oldest is 31 samples before the trigger.
    bus.writeUint8(0x2e, 0x00); // bypass resets the FIFO
    bus.writeUint8(0x24, 0x48); // FIFO_EN, LIR_INT1
    bus.writeUint8(0x2e, 0xc0);
    chip.play([...Array.from({ length: 40 }, (_, i) => [16 * i, 0, 0]).flat(), 2000, 0, 0, 2000, 0, 0, 0, 0, 0]);
    clock.advance(2000);
    expect(line()).toBe(1);
    expect(fifoCount()).toBe(32);
    expect(popX()).toBe(9); // sample 9 of the ramp (144 mg): 9..39, then the trigger at 40
    expect(bus.readUint8(0x31) & 0x40).toBe(0x40); // INT1_SRC: IA, and reading it releases INT1
    expect(line()).toBe(0);
  });

  test('AND (AOI 1) needs every enabled axis high; OR (AOI 0) any', () => {
    const { bus, chip, clock, line } = busRig();
    bus.writeUint8(0x20, 0x47);
    bus.writeUint8(0x23, 0x20);
    bus.writeUint8(0x32, 8); // 496 mg
    bus.writeUint8(0x22, 0x40);
    bus.writeUint8(0x30, 0x8a); // AND of XH, YH
    chip.setStill({ x: 800, y: 0, z: 0 });
    clock.advance(100);
    expect(line()).toBe(0);
    chip.setStill({ x: 800, y: -800, z: 0 }); // |a| against the threshold: a negative axis counts
    clock.advance(100);
    expect(line()).toBe(1);
    chip.setStill({ x: 0, y: -800, z: 0 });
    clock.advance(100);
    expect(line()).toBe(0);
    bus.writeUint8(0x30, 0x0a); // OR
    clock.advance(100);
    expect(line()).toBe(1);
  });

  test('FIFO mode fills to 32 and then collects nothing, read or not, until bypass resets it', () => {
    const { bus, chip, clock, fifoCount, popX } = busRig();
    bus.writeUint8(0x20, 0x47);
    bus.writeUint8(0x23, 0x20);
    bus.writeUint8(0x24, 0x40);
    bus.writeUint8(0x2e, 0x40); // FIFO mode
    chip.play(Array.from({ length: 100 }, (_, i) => [16 * i, 0, 0]).flat());
    clock.advance(1000);
    expect(fifoCount()).toBe(32);
    expect(popX()).toBe(0);
    clock.advance(1000);
    expect(fifoCount()).toBe(31); // the read made room, but nothing new came in
    bus.writeUint8(0x2e, 0x00);
    expect(fifoCount()).toBe(0);
    bus.writeUint8(0x2e, 0x40);
    clock.advance(100);
    expect(fifoCount()).toBe(5);
  });

  test('features the model lacks are refused, not silently approximated', () => {
    const { bus } = busRig();
    expect(() => bus.writeUint8(0x30, 0x4a)).toThrow(/6D\/4D detection is not modelled/);
    expect(() => bus.writeUint8(0x22, 0x80)).toThrow(/click/);
    expect(() => bus.writeUint8(0x21, 0x41)).toThrow(/reference mode/);
    expect(() => bus.writeUint8(0x2e, 0xe0)).toThrow(/INT2/);
  });
});

describe('LIS3DH driver: wake-on-motion settings', () => {
  test('INT1_THS is in 16/32/62/186 mg steps at ±2/4/8/16 g; the high-pass cut-off is one of rate/50, /100, /250, /500', () => {
    const { open, hal } = lis3dhRig();
    const accel = open();
    const bus = new hal.device.io.SMBus!({ ...hal.device.board.i2c!, address: 0x18 });
    for (const [range, lsb] of [[2, 16], [4, 32], [8, 62], [16, 186]] as const) {
      accel.configure({ range });
      accel.enableWakeOnMotion({ thresholdMg: 5 * lsb, durationMs: 100 });
      expect([range, bus.readUint8(0x32), bus.readUint8(0x33)]).toEqual([range, 5, 5]); // 100 ms at 50 Hz
    }
    accel.enableWakeOnMotion({ thresholdMg: 300, durationMs: 0, highPassHz: 0.2 });
    expect((bus.readUint8(0x21) >> 4) & 3).toBe(2);
    accel.configure({ rate: 100 }); // the cut-off follows the rate: 0.4 Hz now, the same code
    expect((bus.readUint8(0x21) >> 4) & 3).toBe(2);
    expect(() => accel.enableWakeOnMotion({ thresholdMg: 300, durationMs: 0, highPassHz: 0.3 })).toThrow(/highPassHz must be 2, 1, 0.4, 0.2 at 100 Hz/);
    accel.disableWakeOnMotion();
    accel.configure({ fifo: false });
    expect(() => accel.enableWakeOnMotion({ thresholdMg: 300, durationMs: 0, captureHistory: true })).toThrow(/needs the FIFO/);
  });
});
