// A boot woken by the LIS3DH's INT1 (wake on impact, issue 13): the chip has its own power and kept its registers,
// latched INT1 and its FIFO: frozen on the samples before the trigger (captureHistory), or streaming the newest 32
// (the shipped profile, IMPACT_WAKE). Opened with keepFifo the driver takes it as it runs; without it (or on a chip
// that does not sample) it resets the chip as ever. Also the chip model's side: it runs on while the MCU sleeps
// and moves to the next boot's IO.
import { describe, expect, test } from '@jest/globals';
import { ACCEL_SETTINGS } from '../../firmware/apps/sos-button/fall-watch.js';
import { LIS3DH } from '../../firmware/drivers/lis3dh/lis3dh.js';
import { FIFO_MODE_MASK, FIFO_STREAM, FIFO_STREAM_TO_FIFO, Register, SENSITIVITY_MG } from '../../firmware/drivers/lis3dh/registers.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import { createHostHal } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { drain, lis3dhRig } from './lis3dh-rig.js';

/** Standing still (1 g on y) for 2 s, a 3-sample knock of 3 g on x, then still again. */
function knock(): number[] {
  const still = (n: number) => Array.from({ length: n }, () => [0, 1000, 0]).flat();
  return [...still(100), 3000, 1000, 0, 3000, 1000, 0, 1500, 1000, 0, ...still(100)];
}

/** The driver armed for deep sleep, then a knock while nothing reads the chip: INT1 latched, the FIFO frozen. */
function captured() {
  const rig = lis3dhRig({ int1: true });
  rig.chip.setStill({ x: 0, y: 1000, z: 0 });
  const before = rig.open();
  before.configure({ rate: 25, range: 4, mode: 'normal' });
  rig.clock.advance(100);
  before.enableWakeOnMotion({ thresholdMg: 800, durationMs: 0, highPassHz: 0.25, captureHistory: true });
  before.close(); // the MCU goes down; the chip watches alone
  rig.chip.play(knock(), 25);
  rig.clock.advance(12_000); // the knock comes 4 s in; the whole trace lasts 8 s
  expect(rig.hal.io.pin(rig.int1).level).toBe(1);
  return rig;
}

describe('LIS3DH keepFifo: the boot after a wake on impact', () => {
  test('keeps the captured history and the latch, and reads the chip\'s settings back', () => {
    const rig = captured();
    const registers = [0x20, 0x21, 0x22, 0x23, 0x24, 0x2e, 0x30, 0x32, 0x33].map((r) => rig.chip.readRegister(r));
    const accel = rig.open({ keepFifo: true });
    expect([0x20, 0x21, 0x22, 0x23, 0x24, 0x2e, 0x30, 0x32, 0x33].map((r) => rig.chip.readRegister(r))).toEqual(registers); // nothing written
    expect([accel.rate, accel.range, accel.mode]).toEqual([25, 4, 'normal']);
    expect(rig.hal.io.pin(rig.int1).level).toBe(1); // still latched: INT1_SRC was not read
    const history: number[] = [];
    drain(accel, history);
    expect(history).toHaveLength(32 * 3); // 31 samples before the trigger and the trigger, 8 mg steps at ±4 g
    expect(history.slice(-3)).toEqual([3000, 1000, 0]);
    expect(history.slice(0, 3)).toEqual([0, 1000, 0]);
    expect(accel.overruns).toBe(0); // a captured history is full on purpose: the adopted wake says so
    expect(accel.acknowledgeWake()).toBe(true);
    expect(rig.hal.io.pin(rig.int1).level).toBe(0);
    // The adopted settings reprogram as the driver's own: the wake setting survives a new rate.
    accel.configure({ rate: 50 });
    expect(rig.chip.readRegister(0x32)).toBe(Math.round(800 / 32)); // INT1_THS at ±4 g: 32 mg per LSB
    expect(rig.chip.readRegister(0x2e) >> 6).toBe(3); // stream-to-FIFO again
  });

  test('the shipped profile (IMPACT_WAKE): after the wake time the FIFO holds the knock, and the samples after it when streaming', () => {
    const rig = lis3dhRig({ int1: true });
    rig.chip.setStill({ x: 0, y: 1000, z: 0 });
    const before = rig.open();
    before.configure({ rate: ACCEL_SETTINGS.rateHz, range: ACCEL_SETTINGS.rangeG });
    rig.clock.advance(100);
    const { thresholdMg, durationMs, highPassHz, captureHistory, wakeMs } = IMPACT_WAKE;
    before.enableWakeOnMotion({ thresholdMg, durationMs, highPassHz, captureHistory });
    before.close();
    const trace = knock();
    const sampleMs = 1000 / ACCEL_SETTINGS.rateHz;
    rig.chip.play(trace, ACCEL_SETTINGS.rateHz);
    let trigger = 0;
    while (rig.hal.io.pin(rig.int1).level === 0 && trigger < trace.length / 3) {
      rig.clock.advance(sampleMs);
      trigger++;
    }
    expect(trigger).toBe(101); // during the knock's first sample (the 101st)
    rig.clock.advance(wakeMs); // the ESP32 wakes
    const mode = rig.chip.readRegister(Register.FIFO_CTRL_REG) & FIFO_MODE_MASK;
    expect(mode).toBe(captureHistory ? FIFO_STREAM_TO_FIFO : FIFO_STREAM);
    const accel = rig.open({ keepFifo: true });
    expect(rig.chip.readRegister(Register.FIFO_CTRL_REG) & FIFO_MODE_MASK).toBe(mode); // adopted, not reset
    const history: number[] = [];
    drain(accel, history, LIS3DH.FIFO_DEPTH);
    expect(history).toHaveLength(LIS3DH.FIFO_DEPTH * 3);
    // The newest 32 samples at the read: up to the trigger, and when streaming the wake time's after it.
    const after = captureHistory ? 0 : Math.round(wakeMs / sampleMs);
    const first = trigger - 1 + after - (LIS3DH.FIFO_DEPTH - 1);
    const step = SENSITIVITY_MG.normal[ACCEL_SETTINGS.rangeG]!; // the FIFO's 10 bits
    history.forEach((mg, i) => expect(Math.abs(mg - trace[first * 3 + i]!)).toBeLessThanOrEqual(step));
    expect(accel.acknowledgeWake()).toBe(true);
    expect(rig.hal.io.pin(rig.int1).level).toBe(0);
  });

  test('without keepFifo the chip is reset as ever: the history is gone, INT1 off', () => {
    const rig = captured();
    const accel = rig.open();
    const fifo: number[] = [];
    drain(accel, fifo);
    expect(fifo.length).toBeLessThanOrEqual(3); // only what came since the reset
    expect(rig.chip.readRegister(0x22)).toBe(0);
    expect([accel.rate, accel.range]).toEqual([50, 8]);
  });

  test('keepFifo on a chip that does not sample (power-on, power-down) resets it as usual', () => {
    const fresh = lis3dhRig({ int1: true });
    const accel = fresh.open({ keepFifo: true });
    expect(fresh.chip.readRegister(0x20) >> 4).toBe(4); // 50 Hz: configured, not adopted
    accel.powerDown();
    accel.close();
    const again = fresh.open({ keepFifo: true });
    expect(fresh.chip.readRegister(0x20) >> 4).toBe(4);
    expect(again.poweredDown).toBe(false);
  });
});

describe('LIS3DH chip model: its own power across the MCU\'s boots', () => {
  test('INT1 seen while nothing runs, how soon it may change, and the next boot\'s IO', () => {
    const rig = captured();
    expect(rig.chip.int1Level).toBe(1);
    expect(rig.chip.inputChangeInMs).toBe(Infinity); // latched and still: only a bus access changes it
    // The next boot: new IO and timers, the same time base (here the old clock goes on).
    const next = createHostHal({ storage: createHostStorage({}) });
    rig.chip.moveTo(next.io, { now: () => rig.clock.now(), timers: next.timers });
    expect(next.io.pin(rig.int1).level).toBe(1);
    const accel = new LIS3DH({ sensor: { ...next.device.board.i2c!, io: next.device.io.SMBus! }, keepFifo: true });
    const history: number[] = [];
    drain(accel, history);
    expect(history).toHaveLength(32 * 3);
    expect(accel.acknowledgeWake()).toBe(true);
    expect(next.io.pin(rig.int1).level).toBe(0);
    // Armed again and playing a knock: INT1 may change every sample (40 ms at 25 Hz) until it has settled.
    accel.enableWakeOnMotion({ thresholdMg: 800, durationMs: 0, highPassHz: 0.25, captureHistory: true });
    rig.chip.play(knock(), 25);
    expect(rig.chip.inputChangeInMs).toBe(40);
    rig.clock.advance(12_000); // the time base moves on; the chip drives the new boot's pin
    expect(rig.chip.int1Level).toBe(1);
    expect(next.io.pin(rig.int1).level).toBe(1);
    expect(rig.chip.inputChangeInMs).toBe(Infinity); // latched: nothing changes by itself any more
  });
});
