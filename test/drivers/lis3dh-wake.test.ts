// Wake on motion: the driver programs interrupt generator 1 on INT1; the simulated chip raises the line by
// itself while the device sleeps (nobody reads the bus), and the driver's alert callback fires.
import { describe, expect, test } from '@jest/globals';
import { drain, lis3dhRig } from './lis3dh-rig.js';

const REST = [0, 0, 1000];
const repeat = (xyz: number[], times: number) => Array.from({ length: times }, () => xyz).flat();

function wakeRig() {
  const rig = lis3dhRig({ int1: true });
  let alerts = 0;
  const accel = rig.open({ alert: { io: rig.hal.device.io.Digital, pin: rig.int1 }, onAlert: () => { alerts += 1; } });
  accel.configure({ rate: 50, range: 8 });
  rig.clock.advance(3000); // the chip has been measuring rest for a while
  accel.enableWakeOnMotion({ thresholdMg: 200, durationMs: 40 });
  const line = () => rig.hal.io.pin(rig.int1).level;
  return { ...rig, accel, line, alerts: () => alerts };
}

describe('LIS3DH wake on motion', () => {
  test('rest, even a long sleep, raises nothing and keeps no timer running', () => {
    const { clock, chip, line, alerts } = wakeRig();
    clock.advance(5000);
    expect(alerts()).toBe(0);
    expect(line()).toBe(0);
    expect(clock.pendingTimers).toBe(0); // a sleeping SOS button costs the simulation nothing
    const before = chip.produced;
    clock.advance(24 * 3600 * 1000);
    expect(chip.produced - before).toBe(24 * 3600 * 50);
    expect(alerts()).toBe(0);
  });

  test('a movement above the threshold raises INT1 once, latched until acknowledged', () => {
    const { clock, chip, accel, line, alerts } = wakeRig();
    chip.play([...repeat([600, 0, 1000], 6), ...REST]);
    clock.advance(1000);
    expect(alerts()).toBe(1);
    expect(line()).toBe(1);
    expect(chip.interrupts).toBe(1);
    expect(accel.acknowledgeWake()).toBe(true);
    expect(line()).toBe(0);
    expect(accel.acknowledgeWake()).toBe(false);
    clock.advance(5000);
    expect(alerts()).toBe(1);
  });

  test('too short or too small a movement is ignored', () => {
    const { clock, chip, alerts } = wakeRig();
    chip.play([600, 0, 1000, ...REST]); // one sample (20 ms) < 40 ms
    clock.advance(2000);
    chip.play([...repeat([0, 120, 1000], 10), ...REST]); // below 200 mg
    clock.advance(2000);
    expect(alerts()).toBe(0);
    chip.play([...repeat([0, 0, 1500], 4), ...REST]); // 80 ms of a jolt along gravity
    clock.advance(2000);
    expect(alerts()).toBe(1);
  });

  test('turning the SOS button over slowly is not motion; a fresh threshold applies after a range change', () => {
    const { clock, chip, accel, alerts } = wakeRig();
    // 90° over 10 s: the chip's high-pass filter removes the slow change of gravity.
    const turn = Array.from({ length: 500 }, (_, i) => {
      const angle = (Math.PI / 2) * (i / 499);
      return [Math.round(1000 * Math.sin(angle)), 0, Math.round(1000 * Math.cos(angle))];
    }).flat();
    chip.play(turn);
    clock.advance(12_000);
    expect(alerts()).toBe(0);
    // At ±16 g a threshold step is 186 mg: 200 mg must become 1 step (the ±8 g value, 3, would mean 558 mg).
    accel.configure({ range: 16 });
    chip.play([...repeat([1000, 400, 0], 6), 1000, 0, 0]);
    clock.advance(1000);
    expect(alerts()).toBe(1);
  });

  test('streaming the FIFO and waking share the chip without disturbing each other', () => {
    const { clock, chip, accel, alerts } = wakeRig();
    drain(accel, []);
    // Multiples of 16 mg pass the FIFO's 10 bits exactly.
    const still = [0, 0, 1008];
    const burst = [...repeat(still, 10), ...repeat([800, -800, 1008], 10), ...repeat(still, 30)];
    chip.play(burst);
    const received: number[] = [];
    for (let t = 0; t < 1000; t += 200) {
      clock.advance(200);
      drain(accel, received);
    }
    expect(received.slice(0, burst.length)).toEqual(burst.map((v) => v + 6)); // + the dropped bits' mean
    expect(alerts()).toBe(1);
    accel.disableWakeOnMotion();
    chip.play([...repeat([800, -800, 1000], 10), ...REST]);
    clock.advance(1000);
    expect(alerts()).toBe(1);
  });
});
