// Wake on impact (issue 13): the SOS button deep-sleeps with fall detection on while the LIS3DH watches alone.
// FallWatch on the driver and the simulated chip, armed with the shipped profile (IMPACT_WAKE, what every figure
// assumes): an impact raises INT1; after the ESP32's wake time the detector gets the FIFO's history and the
// seconds after, then decides. Expectations follow the profile, so they hold for either FIFO mode. The detector
// here is a stand-in that alerts on a 1.6 g sample and records what it was fed (the shipped detector on this view:
// impact-wake-acceptance.test.ts). The app on the simulator's device: it sleeps with both wake pins.
import { afterAll, describe, expect, test } from '@jest/globals';
import { ACCEL_SETTINGS, FallWatch, IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS, type Accelerometer } from '../../firmware/apps/sos-button/fall-watch.js';
import {
  CTRL2_HP_IA1, CTRL2_HPCF_SHIFT, CTRL3_I1_IA1, FIFO_DEPTH, FIFO_MODE_MASK, FIFO_STREAM, FIFO_STREAM_TO_FIFO, HP_CUTOFF_DIVISOR,
  ODR_CODE, Register, SENSITIVITY_MG, THRESHOLD_LSB_MG,
} from '../../firmware/drivers/lis3dh/registers.js';
import { SETTLE_MS } from '../../firmware/power/deep-sleep.js';
import { impactDefaults } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import { syntheticFall, withLeadIn } from '../../simulator/kinds/sos-motion.js';
import { lis3dhRig } from '../drivers/lis3dh-rig.js';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { main } from './xs/impact-wake-scenario.js';
import { PIN, SosButtonDevice } from './sos-button-device.js';

const BOOT_MS = IMPACT_WAKE.wakeMs;
const SAMPLE_MS = 1000 / ACCEL_SETTINGS.rateHz;
const REST = { x: 0, y: 1000, z: 0 };
const SETTING = { thresholdMg: IMPACT_WAKE.thresholdMg, durationMs: IMPACT_WAKE.durationMs };
/** What FIFO_CTRL_REG's mode is while the chip watches alone: a frozen history, or streaming the newest 32. */
const ARMED_FIFO_MODE = IMPACT_WAKE.captureHistory ? FIFO_STREAM_TO_FIFO : FIFO_STREAM;
/** Samples (at 50 Hz) of the history measured after the trigger: a streaming FIFO moves on while the ESP32 wakes. */
const AFTER_TRIGGER = IMPACT_WAKE.captureHistory ? 0 : Math.round(BOOT_MS / SAMPLE_MS);
/** The chip samples this many times slower while the ESP32 sleeps; its history reaches the detector interpolated. */
const FACTOR = ACCEL_SETTINGS.rateHz / IMPACT_WAKE.sleepRateHz;
/** The history as the detector gets it: the FIFO's 32 samples brought up to 50 Hz. */
const HISTORY = FIFO_DEPTH * FACTOR;
const odr = (read: (register: number) => number) => read(Register.CTRL_REG1) >> 4;
/** The FIFO keeps 10 bits: one step at the watch's range (the driver adds back the dropped bits' mean). */
const FIFO_STEP_MG = SENSITIVITY_MG.normal[ACCEL_SETTINGS.rangeG]!;
const fifoMode = (read: (register: number) => number) => read(Register.FIFO_CTRL_REG) & FIFO_MODE_MASK;

/** The stand-in alerts where the shipped detector starts a candidate. */
const IMPACT_MG = impactDefaults.impactMg;

/**
 * A watch on the rig's chip, as the app makes one; `falls` collects alerts, `fed` the magnitudes each detector
 * got, `fedXyz` its samples.
 */
function watching() {
  const rig = lis3dhRig({ int1: true });
  rig.chip.setStill(REST);
  const accel = rig.open();
  const falls: object[] = [];
  let fed: number[] = [];
  let fedXyz: number[][] = [];
  const detector = () => {
    fed = [];
    fedXyz = [];
    let alerted = false;
    return {
      push(x: number, y: number, z: number) {
        const mg = Math.hypot(x, y, z);
        fed.push(mg);
        fedXyz.push([x, y, z]);
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
  return { ...rig, accel, falls, watch, line, fed: () => fed, fedXyz: () => fedXyz };
}

/**
 * An accelerometer that records its calls (but reads) and counts its reads, found at `rateHz`, with a full FIFO
 * of still samples; `override` replaces methods (a failing bus).
 */
function fakeAccel(override: Partial<Record<'configure' | 'readFifo' | 'enableWakeOnMotion', () => never>>, rateHz = 50) {
  const fake = { rate: rateHz, reads: 0, calls: [] as string[], accel: undefined as unknown as Accelerometer };
  let full = true;
  fake.accel = {
    get rate() { return fake.rate; },
    configure: override.configure ?? ((options: { rate?: number }) => { fake.rate = options.rate ?? fake.rate; fake.calls.push(`configure ${fake.rate}`); }),
    readFifo: override.readFifo ?? ((into: Int16Array) => {
      fake.reads++;
      if (!full) return 0;
      full = false;
      for (let i = 0; i < FIFO_DEPTH * 3; i += 3) into.set([REST.x, REST.y, REST.z], i);
      return FIFO_DEPTH;
    }),
    enableWakeOnMotion: override.enableWakeOnMotion ?? (() => { fake.calls.push('enableWakeOnMotion'); }),
    disableWakeOnMotion: () => { fake.calls.push('disableWakeOnMotion'); },
    acknowledgeWake: () => { fake.calls.push('acknowledgeWake'); return true; },
    powerDown() {},
    close() {},
  };
  return fake;
}

function fakeWatch(rig: ReturnType<typeof watching>, accel: Accelerometer, detector = () => ({ push: () => undefined }),
  log: (level: 'info' | 'warn', message: string) => void = () => {}) {
  return new FallWatch({ accel, timers: rig.hal.timers, detector, onFall: () => {}, stillS: () => 0, wakeLine: true, log });
}

/**
 * Arms the watch for deep sleep, plays `trace` and returns the trace's sample during which INT1 rose, or
 * undefined.
 */
function sleepThrough(rig: ReturnType<typeof watching>, trace: Int16Array): number | undefined {
  const before = rig.watch();
  before.start();
  rig.clock.advance(2000);
  before.armImpactWake(SETTING); // the chip now watches alone: nothing polls
  const ms = rig.chip.play(trace);
  for (let t = 0; t < ms; t += SAMPLE_MS) {
    rig.clock.advance(SAMPLE_MS);
    if (rig.line() === 1) return t / SAMPLE_MS;
  }
  return undefined;
}

describe('wake on impact: FallWatch on the LIS3DH', () => {
  test('armed as IMPACT_WAKE says: high-passed inertial wake-up on INT1, its FIFO mode, nothing polled; still, it never fires', () => {
    const rig = watching();
    expect(sleepThrough(rig, withLeadIn(REST, new Int16Array(3 * 50 * 20).map((_, i) => [REST.x, REST.y, REST.z][i % 3]!)))).toBeUndefined();
    const read = (register: number) => rig.chip.readRegister(register);
    expect(read(Register.CTRL_REG3) & CTRL3_I1_IA1).toBe(CTRL3_I1_IA1);
    // High-passed at the profile's cut-off: gravity filtered out.
    expect(odr(read)).toBe(ODR_CODE[IMPACT_WAKE.sleepRateHz]); // the sleep rate
    const cutoff = HP_CUTOFF_DIVISOR.indexOf(IMPACT_WAKE.sleepRateHz / IMPACT_WAKE.highPassHz);
    expect(cutoff).toBeGreaterThanOrEqual(0);
    expect(read(Register.CTRL_REG2)).toBe(CTRL2_HP_IA1 | (cutoff << CTRL2_HPCF_SHIFT));
    expect(fifoMode(read)).toBe(ARMED_FIFO_MODE);
    expect(read(Register.INT1_THS)).toBe(Math.round(IMPACT_WAKE.thresholdMg / THRESHOLD_LSB_MG[ACCEL_SETTINGS.rangeG]!));
    expect(read(Register.INT1_DURATION)).toBe(Math.round((IMPACT_WAKE.durationMs * IMPACT_WAKE.sleepRateHz) / 1000));
    expect(rig.falls).toHaveLength(0);
  });

  test('a fall during deep sleep wakes the chip; the history and the seconds after give one alert, then it may sleep', () => {
    const rig = watching();
    const trace = withLeadIn(REST, syntheticFall().samples);
    const trigger = sleepThrough(rig, trace)!;
    expect(trigger).toBeDefined();
    rig.clock.advance(BOOT_MS); // the ESP32 wakes
    const after = rig.watch();
    after.startAfterImpact();
    // At once, a full FIFO: the trace's samples up to the trigger and, streaming, those of the wake time after it,
    // one in FACTOR (the sleep rate), each followed by the way to the next (the newest held).
    expect(rig.fed()).toHaveLength(HISTORY);
    const history = rig.fedXyz();
    const chipSamplesEndAt = (end: number) => history.every((xyz, i) => i % FACTOR !== 0 || xyz.every((mg, axis) =>
      Math.abs(mg - trace[(end - (HISTORY - FACTOR - i)) * 3 + axis]!) <= FIFO_STEP_MG));
    expect([trigger + AFTER_TRIGGER - 1, trigger + AFTER_TRIGGER].some(chipSamplesEndAt)).toBe(true);
    history.forEach((xyz, i) => {
      if (i % FACTOR === 0) return;
      const from = history[i - (i % FACTOR)]!;
      const to = history[Math.min(i - (i % FACTOR) + FACTOR, HISTORY - FACTOR)]!;
      xyz.forEach((mg, axis) => expect(mg).toBe(Math.round(from[axis]! + ((to[axis]! - from[axis]!) * (i % FACTOR)) / FACTOR)));
    });
    expect(odr((register) => rig.chip.readRegister(register))).toBe(ODR_CODE[ACCEL_SETTINGS.rateHz]); // 50 Hz again
    // The impact itself reached the detector (with a frozen FIFO only its rising edge would).
    expect(Math.max(...rig.fed())).toBeGreaterThan(IMPACT_MG);
    expect(rig.falls).toHaveLength(1);
    expect(after.deciding).toBe(true);
    expect(rig.line()).toBe(0); // INT1 released: the FIFO streams again
    rig.clock.advance(IMPACT_DECISION_MS);
    expect(rig.fed().length).toBeGreaterThanOrEqual(HISTORY + (IMPACT_DECISION_MS / SAMPLE_MS) - 1); // then every sample after the boot
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
    expect(sleepThrough(rig, withLeadIn(REST, Int16Array.from(jolt)))).toBeDefined();
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

  test('while the detector still has an impact to judge, the wake stays up past the decision time, at most IMPACT_JUDGE_MAX_MS', () => {
    const rig = watching();
    const jolt = [...Array(100).fill([0, 1000, 0]), ...Array(3).fill([-1100, 400, 0]), ...Array(200).fill([0, 1000, 0])].flat();
    expect(sleepThrough(rig, withLeadIn(REST, Int16Array.from(jolt)))).toBeDefined();
    rig.clock.advance(BOOT_MS);
    const run = (pendingUntilMs: number) => {
      const start = rig.clock.now();
      const watch = new FallWatch({
        accel: rig.accel, timers: rig.hal.timers, stillS: () => 0, wakeLine: true, log: () => {}, onFall: () => {},
        detector: () => ({ push: () => undefined, get pending() { return rig.clock.now() - start < pendingUntilMs; } }),
      });
      let decidedAt: number | undefined;
      watch.startAfterImpact(() => { decidedAt = rig.clock.now() - start; });
      rig.clock.advance(IMPACT_JUDGE_MAX_MS + 5000);
      watch.stop();
      return decidedAt;
    };
    expect(run(0)).toBe(IMPACT_DECISION_MS); // nothing pending: the fixed decision time
    const late = run(IMPACT_DECISION_MS + 2100); // a second impact judged 2.1 s later: one poll step after it
    expect(late).toBeGreaterThan(IMPACT_DECISION_MS + 2100);
    expect(late).toBeLessThanOrEqual(IMPACT_DECISION_MS + 2100 + 500);
    expect(run(Number.POSITIVE_INFINITY)).toBe(IMPACT_JUDGE_MAX_MS); // impacts that keep coming: capped
  });

  test('a bus that fails while arming leaves the chip at 50 Hz and polling on; the caller hears of it', () => {
    for (const failing of ['enableWakeOnMotion', 'configure'] as const) {
      const rig = watching();
      const fake = fakeAccel({ [failing]: () => { throw new Error('I2C: no acknowledge'); } });
      const watch = fakeWatch(rig, fake.accel);
      watch.start(); // (a failing configure is counted there, and polling starts all the same)
      expect(() => watch.armImpactWake(SETTING)).toThrow('no acknowledge');
      expect(fake.rate).toBe(ACCEL_SETTINGS.rateHz);
      const before = fake.reads;
      rig.clock.advance(2000);
      expect(fake.reads).toBeGreaterThan(before); // still polled: the chip never slept
    }
  });

  test('after a wake: a chip found at 50 Hz gives its history as it is, one at a rate never set for sleep none', () => {
    for (const [foundHz, fed] of [[50, FIFO_DEPTH], [100, 0], [10, FIFO_DEPTH * 5]] as const) {
      const rig = watching();
      const fake = fakeAccel({}, foundHz);
      const logged: string[] = [];
      let pushed = 0;
      const watch = fakeWatch(rig, fake.accel, () => ({ push: () => { pushed++; return undefined; } }), (_, message) => logged.push(message));
      watch.startAfterImpact();
      expect([foundHz, pushed]).toEqual([foundHz, fed]);
      expect(fake.rate).toBe(ACCEL_SETTINGS.rateHz);
      expect(logged.some((m) => m.includes('history is dropped'))).toBe(fed === 0);
      watch.stop();
    }
  });

  test('after a wake, a failed history read still releases INT1, streams and sets 50 Hz', () => {
    const rig = watching();
    const fake = fakeAccel({ readFifo: () => { throw new Error('I2C: no acknowledge'); } }, IMPACT_WAKE.sleepRateHz);
    const watch = fakeWatch(rig, fake.accel);
    watch.startAfterImpact();
    expect(fake.calls).toEqual(['acknowledgeWake', 'disableWakeOnMotion', `configure ${ACCEL_SETTINGS.rateHz}`]);
    expect(watch.counters.accelErrors).toBe(1);
    watch.stop();
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
    expect(odr((register) => rig.chip.readRegister(register))).toBe(ODR_CODE[ACCEL_SETTINGS.rateHz]); // 50 Hz again
  });
});

describe('wake on impact: the SOS button', () => {
  test('impactWake on: idle with fall detection on, it deep-sleeps woken by the button (low) or INT1 (high)', () => {
    const p = new SosButtonDevice({ config: { impactWake: true } }).boot();
    p.advance(15_000 + 2000 + SETTLE_MS);
    expect(p.asleep).toBeDefined();
    expect(p.asleep!.request.wake).toEqual([{ pin: PIN.button, level: 0 }, { pin: PIN.accelInterrupt, level: 1 }]);
    expect(fifoMode((register) => p.chip.readRegister(register))).toBe(ARMED_FIFO_MODE); // the accelerometer watches alone
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
    // The scenario's impact: its rising edge, then its peak 20 ms later. At the sleep rate the chip's sample that
    // triggers is the peak, and the newest at the read came AFTER_TRIGGER / FACTOR of its samples later.
    const peakAt = HISTORY - FACTOR * (1 + Math.floor(AFTER_TRIGGER / FACTOR));
    expect(node.fall).toMatchObject({ woke: true, history: HISTORY, largestAt: peakAt, deciding: true, decided: true, line: 0, alerts: 0 });
    expect(Number(node.fall!.rearmed) & FIFO_MODE_MASK).toBe(ARMED_FIFO_MODE);
    expect(node.fall!.fedAfter).toBeGreaterThanOrEqual(IMPACT_DECISION_MS / SAMPLE_MS - 1);
    expect(node.soft).toEqual({ woke: false }); // a bump under the threshold, still standing after it
    const xs = await runOnXs({ entry: 'test/sos-button/xs/impact-wake-scenario.ts' });
    expect(xs.result).toEqual(node);
  }, 120_000);
});
