// Issue 13's acceptance on Node: the SOS button with `impactWake` deep-sleeps with fall detection on, the simulated
// LIS3DH watching on through the sleep (its own power) and fed the wearer's motion; its INT1 wakes the chip, and
// the boot judges the impact with the radio down. First the device around the detector, with a stand-in that
// alerts on the first sample at the shipped detector's candidate threshold (1.6 g); then the app's own detector
// (FallDetector with IMPACT_WAKE.detectorOptions) on falls and daily activity: one synthetic of each, and one
// recording of each from the shared data when it is there (how often it is right is `npm run eval:falls --
// --device`'s to say, docs/fall-detection.md). The same on XS: impact-wake-xs.test.ts.
import { describe, expect, test } from '@jest/globals';
import { IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import { FIFO_MODE_MASK, FIFO_STREAM, FIFO_STREAM_TO_FIFO, Register } from '../../firmware/drivers/lis3dh/registers.js';
import { SETTLE_MS } from '../../firmware/power/deep-sleep.js';
import { impactDefaults } from '../../firmware/sensing/impact-features.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import { sittingDown } from '../../scripts/falls/synthetic.js';
import { findRecording, syntheticFall, withLeadIn } from '../../simulator/kinds/sos-motion.js';
import { PIN, SosButtonDevice } from './sos-button-device.js';

const AWAKE_MS = 15_000; // awakeS default
const FALL_CANCEL_MS = 30_000; // fallCancelS default
const BOOT_MS = IMPACT_WAKE.wakeMs; // the simulated boot after a deep-sleep wake: the one the figures assume
const REST = { x: 0, y: 1000, z: 0 };
/** Recordings from the shared data (FallAllD, neck: the pendant's place), undefined when the data is absent. */
const RECORDED_FALL = findRecording({ id: 'S01_D1_A107_T06', fall: true });
const RECORDED_ADL = findRecording({ id: 'S02_D1_A014_T10', fall: false });

/** Alerts once on the first sample at 1.6 g or more, with the figures an alarm carries. */
function standInDetector() {
  let alerted = false;
  return {
    push(x: number, y: number, z: number) {
      const mg = Math.hypot(x, y, z);
      if (alerted || mg < impactDefaults.impactMg) return undefined;
      alerted = true;
      return { score: 1, peakMg: Math.round(mg), angleDeg: 80, stillMg: 20 };
    },
  };
}

/** The pendant jerked sideways for 60 ms (a brisk turn): over the wake threshold, the magnitude under 1.2 g. */
function jolt(): Int16Array {
  return Int16Array.from([...Array(100).fill([0, 1000, 0]), ...Array(3).fill([-1100, 400, 0]), ...Array(200).fill([0, 1000, 0])].flat());
}

/**
 * Boots with impactWake on and lets it reach its first deep sleep, the accelerometer armed; `started` given: the
 * stand-in detector, recording whether each was started by a wake; else the app's own.
 */
function sleeping(started?: boolean[]): SosButtonDevice {
  const p = new SosButtonDevice({ config: { impactWake: true }, rest: REST, bootMs: BOOT_MS });
  if (started) {
    p.world.detector = (afterWake) => {
      started.push(afterWake);
      return standInDetector();
    };
  }
  p.boot();
  p.advance(AWAKE_MS + 2000 + SETTLE_MS);
  expect(p.asleep).toBeDefined();
  return p;
}

const births = (p: SosButtonDevice) => p.statuses().filter((s) => s.state === 'online');

/** Plays `samples` (after the lead-in) while the SOS button sleeps; returns when INT1 woke it (the boot has run). */
function impactDuringSleep(p: SosButtonDevice, samples: Int16Array): void {
  p.chip.play(withLeadIn(p.world.rest, samples));
  for (let t = 0; t < 30_000 && p.asleep; t += 100) p.advance(100);
  expect(p.asleep).toBeUndefined();
  expect(p.hal.system.wakeCause?.()).toMatchObject({ by: 'pin', pins: [PIN.accelInterrupt] });
}

describe('wake on impact: the SOS button in deep sleep', () => {
  test('a fall during deep sleep wakes it on INT1 and raises exactly one alarm, after its cancel window', () => {
    const started: boolean[] = [];
    const p = sleeping(started);
    const online = births(p).length;
    const firstSleep = p.asleep!;
    expect(firstSleep.request.wake).toEqual([{ pin: PIN.button, level: 0 }, { pin: PIN.accelInterrupt, level: 1 }]);
    impactDuringSleep(p, syntheticFall().samples);
    expect(started).toEqual([false, true]); // the wake's detector gets IMPACT_WAKE.detectorOptions
    // The captured history reached the detector at boot: the cancel window runs, and the radio comes up for it.
    expect(p.app.alarms.window?.cause).toBe('fall');
    expect(p.app.showing).toBe('fallWindow');
    p.advance(FALL_CANCEL_MS - 1000);
    expect(p.events('alarm.raised')).toHaveLength(0); // still the window: a long press could cancel it
    expect(births(p)).toHaveLength(online + 1);
    p.advance(2000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.data).toMatchObject({ cause: 'fall', detector: { score: 1 } });
    p.advance(5 * 60_000); // the wearer lies still: nothing more
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.asleep).toBeUndefined(); // an open alarm keeps it up
  });

  test('a jolt wakes it, decides "no fall" and deep-sleeps again at once: no alarm, the radio never up, the check-in kept', () => {
    const p = sleeping([]);
    const online = births(p).length;
    const statuses = p.statuses().length;
    const first = p.asleep!;
    impactDuringSleep(p, jolt());
    const wokeAt = p.elapsed;
    expect(p.runtime.state).toBe('sleeping'); // the runtime did not connect at boot
    for (let t = 0; t < IMPACT_DECISION_MS + 1000 && !p.asleep; t += 100) p.advance(100);
    const second = p.asleep!;
    expect(second).toBeDefined();
    expect(p.elapsed - wokeAt).toBeLessThanOrEqual(IMPACT_DECISION_MS + 100); // no settle time: no radio to close
    expect(p.sleeps).toHaveLength(2);
    expect(second.request.wake).toEqual(first.request.wake); // armed again: button and INT1
    // The check-in keeps its time: what the first sleep's timer had left at the wake, less the app's time up
    // (the boot's own moment is not counted: on the ESP32 it is, the check-in then comes that much early).
    expect(second.request.ms).toBe(first.request.ms! - first.asleepMs - second.request.at);
    // The chip watches alone again, its FIFO as the profile says.
    expect(p.chip.readRegister(Register.FIFO_CTRL_REG) & FIFO_MODE_MASK).toBe(IMPACT_WAKE.captureHistory ? FIFO_STREAM_TO_FIFO : FIFO_STREAM);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(births(p)).toHaveLength(online);
    expect(p.statuses()).toHaveLength(statuses); // not even a sleeping status: nothing was sent
    // The check-in still comes on time, and connects.
    p.advance(second.request.ms! + BOOT_MS + 1000);
    expect(births(p)).toHaveLength(online + 1);
  });

  test('a press during a fall-wake is one alarm, not two', () => {
    const p = sleeping([]);
    impactDuringSleep(p, syntheticFall().samples);
    expect(p.app.alarms.window?.cause).toBe('fall');
    p.press(); // "yes, I need help": confirms the fall at once
    p.advance(1000);
    p.press(); // again: the alarm is open, a reminder at most
    p.advance(FALL_CANCEL_MS + 60_000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.data.cause).toBe('fall');
  });

  test('the button held as the impact wakes it: the press and the fall are one alarm', () => {
    const p = sleeping([]);
    p.chip.play(withLeadIn(p.world.rest, syntheticFall().samples));
    // Pressed through the impact: both wake pins may be at their level; the boot sees the press and the fall.
    for (let t = 0; t < 30_000 && p.asleep; t += 20) {
      p.advance(20);
      if (p.chip.int1Level === 1 && p.asleep) p.world.setButton(true);
    }
    p.advance(500);
    expect(p.hal.system.logs.map((l) => l.message)).toContain('sos-button: button pressed while waking from deep sleep');
    p.world.setButton(false);
    p.advance(FALL_CANCEL_MS + 60_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });
});

/**
 * Plays `samples` during the deep sleep with the app's own detector: the wake it causes must open the fall's
 * cancel window before the chip may sleep again, then exactly one alarm is raised when the window ends.
 */
function fallRaisesOneAlarm(samples: Int16Array): void {
  const p = sleeping();
  const online = births(p).length;
  impactDuringSleep(p, samples);
  // The decision comes seconds after the impact (the detector watches the aftermath), within the wake's time up.
  for (let t = 0; t < IMPACT_JUDGE_MAX_MS && p.app.alarms.window === undefined; t += 100) {
    expect(p.asleep).toBeUndefined();
    p.advance(100);
  }
  expect(p.app.alarms.window?.cause).toBe('fall');
  expect(p.app.showing).toBe('fallWindow');
  p.advance(FALL_CANCEL_MS - 1000);
  expect(p.events('alarm.raised')).toHaveLength(0); // still the window: a long press could cancel it
  expect(births(p)).toHaveLength(online + 1); // the radio came up for it
  p.advance(2000);
  const raised = p.events('alarm.raised');
  expect(raised).toHaveLength(1);
  expect(raised[0]!.data).toMatchObject({ cause: 'fall', detector: { peakMg: expect.any(Number) } });
  expect((raised[0]!.data.detector as { peakMg: number }).peakMg).toBeGreaterThanOrEqual(impactDefaults.impactMg);
  p.advance(5 * 60_000); // the wearer lies still: nothing more
  expect(p.events('alarm.raised')).toHaveLength(1);
}

/**
 * Plays `samples` (daily activity) during the deep sleep with the app's own detector: it wakes the chip, which
 * decides "no fall" and deep-sleeps again; no window, no alarm, the radio never up.
 */
function activitySleepsAgain(samples: Int16Array): void {
  const p = sleeping();
  const online = births(p).length;
  const ms = p.chip.play(withLeadIn(p.world.rest, samples));
  let wakes = 0;
  for (let t = 0; t < ms + IMPACT_JUDGE_MAX_MS; t += 100) {
    const asleep = p.asleep !== undefined;
    p.advance(100);
    if (asleep && p.asleep === undefined) wakes++;
    expect(p.app.alarms.window).toBeUndefined();
  }
  expect(wakes).toBeGreaterThan(0); // it did wake: the detector judged the activity
  expect(p.sleeps).toHaveLength(1 + wakes); // and slept again after each wake
  expect(p.asleep).toBeDefined();
  expect(p.events('alarm.raised')).toHaveLength(0);
  expect(births(p)).toHaveLength(online);
}

describe('wake on impact with the shipped detector (FallDetector, IMPACT_WAKE.detectorOptions)', () => {
  test('a synthetic fall during deep sleep: one alarm, after its cancel window', () => {
    fallRaisesOneAlarm(syntheticFall().samples);
  });

  test('sitting down with a thump during deep sleep: woken, no alarm, asleep again', () => {
    activitySleepsAgain(Int16Array.from(sittingDown()));
  });

  (RECORDED_FALL ? test : test.skip)('a recorded fall (FallAllD, neck) during deep sleep: one alarm, after its cancel window', () => {
    fallRaisesOneAlarm(RECORDED_FALL!.samples);
  });

  (RECORDED_ADL ? test : test.skip)('recorded daily activity (FallAllD, neck) during deep sleep: woken, no alarm, asleep again', () => {
    activitySleepsAgain(RECORDED_ADL!.samples);
  });
});
