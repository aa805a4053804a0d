// Wake on impact (issue 13): the SOS button deep-sleeps with fall detection on while the LIS3DH watches alone.
// FallWatch on the driver and the simulated chip: armed before the sleep, an impact raises INT1 and freezes the
// FIFO on the samples before it; after the boot (300 ms lost, as the ESP32 boots) the detector gets that history
// and the seconds after, then decides. The detector here is a stand-in that alerts on a 1.6 g sample and records
// what it was fed: the shipped model, trained on continuous streams, scores this view lower (docs/sos-button.md).
// The app on the simulator's device: it sleeps with both wake pins.
import { afterAll, describe, expect, test } from '@jest/globals';
import { FallWatch, IMPACT_DECISION_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import { SETTLE_MS } from '../../firmware/power/deep-sleep.js';
import { impactDefaults } from '../../firmware/sensing/impact-features.js';
import { syntheticFall, withLeadIn } from '../../simulator/kinds/sos-motion.js';
import { lis3dhRig } from '../drivers/lis3dh-rig.js';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { main } from './xs/impact-wake-scenario.js';
import { PIN, SosButtonDevice } from './sos-button-device.js';

const BOOT_MS = 300;
const REST = { x: 0, y: 1000, z: 0 };
const SETTING = { thresholdMg: 868, durationMs: 0 };

/** The stand-in alerts where the shipped detector starts a candidate. */
const IMPACT_MG = impactDefaults.impactMg;

/** A watch on the rig's chip, as the app makes one; `falls` collects alerts, `fed` the magnitudes each detector got. */
function watching() {
  const rig = lis3dhRig({ int1: true });
  rig.chip.setStill(REST);
  const accel = rig.open();
  const falls: object[] = [];
  let fed: number[] = [];
  const detector = () => {
    fed = [];
    let alerted = false;
    return {
      push(x: number, y: number, z: number) {
        const mg = Math.hypot(x, y, z);
        fed.push(mg);
        if (alerted || mg < IMPACT_MG) return undefined;
        alerted = true;
        return { peakMg: Math.round(mg) };
      },
    };
  };
  const watch = () => new FallWatch({
    accel, timers: rig.hal.timers, detector, onFall: (alert) => falls.push(alert), stillS: () => 0, wakeLine: true, log: () => {},
  });
  const line = () => rig.hal.io.pin(rig.int1).level;
  return { ...rig, accel, falls, watch, line, fed: () => fed };
}

/** Arms the watch for deep sleep, plays `samples` and returns the time INT1 rose (ms after the start), or undefined. */
function sleepThrough(rig: ReturnType<typeof watching>, samples: Int16Array): number | undefined {
  const before = rig.watch();
  before.start();
  rig.clock.advance(2000);
  before.armImpactWake(SETTING); // the chip now watches alone: nothing polls
  const ms = rig.chip.play(withLeadIn(REST, samples));
  for (let t = 0; t < ms; t += 20) {
    rig.clock.advance(20);
    if (rig.line() === 1) return t;
  }
  return undefined;
}

describe('wake on impact: FallWatch on the LIS3DH', () => {
  test('armed: high-passed inertial wake-up on INT1, stream-to-FIFO, nothing polled; still, it never fires', () => {
    const rig = watching();
    expect(sleepThrough(rig, new Int16Array(3 * 50 * 20).map((_, i) => [REST.x, REST.y, REST.z][i % 3]!))).toBeUndefined();
    expect(rig.chip.readRegister(0x22) & 0x40).toBe(0x40); // CTRL_REG3 I1_IA1
    expect(rig.chip.readRegister(0x21)).toBe(0x01); // CTRL_REG2 HP_IA1, cut-off rate/50 (1 Hz): gravity filtered out
    expect(rig.chip.readRegister(0x2e) >> 6).toBe(3); // FIFO_CTRL_REG: stream-to-FIFO
    expect(rig.chip.readRegister(0x32)).toBe(14); // INT1_THS: 868 mg in 62 mg steps
    expect(rig.falls).toHaveLength(0);
  });

  test('a fall during deep sleep wakes the chip; the history and the seconds after give one alert, then it may sleep', () => {
    const rig = watching();
    expect(sleepThrough(rig, syntheticFall().samples)).toBeDefined();
    rig.clock.advance(BOOT_MS); // the ESP32 boots; the frozen FIFO keeps the samples up to the trigger
    const after = rig.watch();
    after.startAfterImpact();
    // At once: the 31 samples before the trigger and the trigger, the largest last: the trigger is the impact's
    // rising edge, and the peak itself came while the FIFO was frozen (lost, like the rest of the boot).
    const history = rig.fed();
    expect(history).toHaveLength(32);
    expect(history.indexOf(Math.max(...history))).toBe(31);
    expect(Math.max(...history)).toBeGreaterThan(IMPACT_MG);
    expect(rig.falls).toHaveLength(1);
    expect(after.deciding).toBe(true);
    expect(rig.line()).toBe(0); // INT1 released: the FIFO streams again
    rig.clock.advance(IMPACT_DECISION_MS);
    expect(rig.fed().length).toBeGreaterThanOrEqual(32 + (IMPACT_DECISION_MS / 20) - 1); // then every sample after the boot
    expect(after.deciding).toBe(false);
    expect(rig.falls).toHaveLength(1);
    expect(after.counters.fifoOverruns).toBe(0); // the captured history is full on purpose
    rig.clock.advance(30_000);
    expect(rig.falls).toHaveLength(1); // one fall, one alert
  });

  test('a jolt that wakes the chip decides "no fall" and may sleep again; re-armed, the chip watches again', () => {
    const rig = watching();
    // The pendant jerked sideways for 60 ms (a brisk turn): 1.1 g on x, the magnitude under 1.2 g.
    const jolt = [...Array(100).fill([0, 1000, 0]), ...Array(3).fill([-1100, 400, 0]), ...Array(200).fill([0, 1000, 0])].flat();
    expect(sleepThrough(rig, Int16Array.from(jolt))).toBeDefined();
    rig.clock.advance(BOOT_MS);
    const after = rig.watch();
    after.startAfterImpact();
    expect(Math.max(...rig.fed())).toBeLessThan(IMPACT_MG);
    rig.clock.advance(IMPACT_DECISION_MS);
    expect(after.deciding).toBe(false);
    expect(rig.falls).toHaveLength(0);
    after.armImpactWake(SETTING);
    expect(rig.line()).toBe(0);
    rig.chip.play(withLeadIn(rig.chip.still, syntheticFall().samples));
    rig.clock.advance(15_000);
    expect(rig.line()).toBe(1);
  });

  test('resume() after a sleep that did not happen: polling as before, the detector fed', () => {
    const rig = watching();
    const w = rig.watch();
    w.start();
    rig.clock.advance(2000);
    w.armImpactWake(SETTING);
    const samples = w.counters.samples;
    rig.clock.advance(2000);
    expect(w.counters.samples).toBe(samples); // nothing polled while armed
    w.resume();
    rig.clock.advance(2000);
    expect(w.counters.samples).toBeGreaterThan(samples + 90);
    expect(rig.chip.readRegister(0x22)).toBe(0); // wake on motion off
  });
});

describe('wake on impact: the SOS button', () => {
  test('impactWake on: idle with fall detection on, it deep-sleeps woken by the button (low) or INT1 (high)', () => {
    const p = new SosButtonDevice({ config: { impactWake: true } }).boot();
    p.advance(15_000 + 2000 + SETTLE_MS);
    expect(p.asleep).toBeDefined();
    expect(p.asleep!.request.wake).toEqual([{ pin: PIN.button, level: 0 }, { pin: PIN.accelInterrupt, level: 1 }]);
    expect(p.chip.readRegister(0x2e) >> 6).toBe(3); // the accelerometer watches alone, history kept
  });

  test('impactWake off (the default): fall detection keeps the chip in light sleep', () => {
    const p = new SosButtonDevice().boot();
    p.advance(10 * 60_000);
    expect(p.sleeps).toHaveLength(0);
  });

  test('a press during the deep sleep with fall detection on raises exactly one alarm, and detection runs after the boot', () => {
    const p = new SosButtonDevice({ config: { impactWake: true } }).boot();
    p.advance(15_000 + 2000 + SETTLE_MS);
    expect(p.asleep).toBeDefined();
    p.press();
    p.advance(4000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.app.status().fallDetection).toBe(true);
  });
});

describe('wake on impact on XS', () => {
  afterAll(() => killAllWorkers());

  test('the same FallWatch wake path on Node and XS: the history up to the trigger, the decision time, re-armed', async () => {
    const node = main() as Record<string, Record<string, unknown>>;
    expect(node.fall).toMatchObject({ woke: true, history: 32, largestAt: 31, deciding: true, decided: true, line: 0, rearmed: 3, alerts: 0 });
    expect(node.fall!.fedAfter).toBeGreaterThanOrEqual(IMPACT_DECISION_MS / 20 - 1);
    expect(node.soft).toEqual({ woke: false }); // a 0.6 g bump stays under the threshold
    const xs = await runOnXs({ entry: 'test/sos-button/xs/impact-wake-scenario.ts' });
    expect(xs.result).toEqual(node);
  }, 120_000);
});
