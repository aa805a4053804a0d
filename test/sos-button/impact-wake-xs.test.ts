// Issue 13's acceptance on XS (impact-wake-acceptance.test.ts is the same on Node with the simulated chip): the
// SOS button app on the real XS engine, woken from deep sleep by the accelerometer's INT1 pin, its stand-in FIFO
// holding what the LIS3DH captured before the trigger. A fall raises one alarm after its cancel window; a jolt
// sends it back to deep sleep with the radio never up and the check-in kept; a press during a fall-wake is one
// alarm. The first tests use the entry's stand-in detector (1.6 g); the last runs the app's own detector
// (FallDetector with IMPACT_WAKE.detectorOptions) on what the simulated chip and the driver deliver after the wake
// (test/sos-button/xs/impact-wake-app.ts).
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import { deviceWakes } from '../../scripts/falls/device-view.js';
import { sittingDown } from '../../scripts/falls/synthetic.js';
import { syntheticFall } from '../../simulator/kinds/sos-motion.js';
import { XsSession } from '../support/xs/session.js';
import type { TestHal } from '../support/xs/test-hal.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/sos-button/xs-entry.ts';
/** The app with its own detector, the accelerometer giving what the driver reads after a wake, in time. */
const SHIPPED_ENTRY = 'test/sos-button/xs/impact-wake-app.ts';
const BUTTON = simSosButton.pin.button!;
const INT1 = simSosButton.pin.accelInterrupt!;
const FALL_CANCEL_MS = 30_000;
const topic = (channel: string) => `ct/v1/site-1/sos-button-1/${channel}`;
const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

function raised(host: TestHal): EventMessage[] {
  return host.mqtt.published.filter((m) => m.topic === topic('event')).map((m) => {
    const checked = validateOutbound(JSON.parse(m.payload));
    if (!checked.ok) throw new Error(`invalid event: ${checked.error}\n${m.payload}`);
    return checked.message as EventMessage;
  }).filter((e) => e.type === 'alarm.raised');
}

async function step(xs: XsSession, ms: number, by = 100): Promise<void> {
  for (let t = 0; t < ms; t += by) await xs.advance(Math.min(by, ms - t));
}

/** What the LIS3DH froze before the trigger (31 still samples and the trigger), then the wearer lying still. */
function captured(trigger: [number, number, number]): number[] {
  const still = (n: number, xyz: number[]) => Array.from({ length: n }, () => xyz).flat();
  return [...still(31, [0, 1000, 0]), ...trigger, ...still(250, [1000, 0, 0])];
}

/**
 * What the driver reads on the first wake `trace` causes, from the boot on (the chip and the driver on Node, as
 * the pendant arms them: IMPACT_WAKE): the FIFO's history at the sleep rate, then the 50 Hz samples after it and
 * the trace's last posture held for a minute.
 */
function wakeView(played: ArrayLike<number>): { history: number[]; rate: number; after: number[] } {
  const trace = Array.from(played);
  const wakes = deviceWakes(trace, IMPACT_WAKE, { untilJudged: IMPACT_WAKE.detectorOptions });
  expect(wakes.length).toBeGreaterThan(0);
  const { history, historyRateHz, samples } = wakes[0]!;
  expect(historyRateHz).toBe(IMPACT_WAKE.sleepRateHz);
  const upsampled = history.length * (50 / historyRateHz);
  const last = trace.slice(-3);
  return { history, rate: historyRateHz, after: [...samples.slice(upsampled), ...Array.from({ length: 60 * 50 }, () => last).flat()] };
}

/** The fall's cancel window runs out with no alarm sent; then exactly one alarm, a fall. */
async function expectOneAlarmAfterWindow(fall: XsSession): Promise<void> {
  await fall.host.mqtt.accept();
  await step(fall, FALL_CANCEL_MS - 2000, 500);
  await fall.host.mqtt.pubackAll();
  expect(raised(fall.host)).toHaveLength(0); // a long press could still cancel it
  await step(fall, 4000, 500);
  await fall.host.mqtt.pubackAll();
  await step(fall, 60_000, 1000);
  await fall.host.mqtt.pubackAll();
  expect(raised(fall.host).map((e) => e.data.cause)).toEqual(['fall']);
}

/** First boot with impactWake on, to its deep sleep: both wake pins, the check-in's timer. */
async function firstSleep(entry = ENTRY): Promise<{ host: TestHal; ms: number }> {
  const xs = await XsSession.start({ entry, hostOptions: { board: simSosButton, wallTimeMs: 1_800_000_000_000, wallTimeValid: true } });
  sessions.push(xs);
  writeProvisioning(xs.host.storage.kv, { site: 'site-1', device: 'sos-button-1', host: '127.0.0.1', port: 1883 });
  await xs.call('start', { impactLine: true });
  await xs.host.mqtt.accept();
  await xs.host.mqtt.inject(topic('config/desired'), JSON.stringify({ v: 1, msg: 'config.desired', version: 2, config: { impactWake: true } }), true);
  await xs.host.mqtt.pubackAll();
  for (let t = 0; t < 60_000 && xs.host.hal.system.deepSleepRequest === undefined; t += 500) await xs.advance(500);
  const request = xs.host.hal.system.deepSleepRequest!;
  expect(request.wake).toEqual([{ pin: BUTTON, level: 0 }, { pin: INT1, level: 1 }]);
  return { host: xs.host, ms: request.ms! };
}

/** Boots woken by INT1 after `asleepMs` of the sleep, the FIFO holding `fifo`. */
async function impactBoot(previous: { host: TestHal; ms: number }, asleepMs: number, fifo: number[] | ReturnType<typeof wakeView>, entry = ENTRY): Promise<XsSession> {
  const host = previous.host.rebooted('deep-sleep', { by: 'pin', pins: [INT1], timerLeftMs: previous.ms - asleepMs });
  const xs = await XsSession.start({ entry, host });
  sessions.push(xs);
  await xs.call('feed', fifo);
  await xs.call('start', { impactLine: true });
  return xs;
}

test('on XS: a jolt wakes it and it sleeps again with the radio down; a fall during deep sleep is one alarm after its window', async () => {
  const first = await firstSleep();
  const connects = first.host.mqtt.connects.length;

  // A jolt (1.2 g, under the detector's 1.6 g): decided in IMPACT_DECISION_MS, deep sleep again, nothing sent.
  const jolt = await impactBoot(first, 600_000, captured([-1100, 400, 0]));
  await step(jolt, IMPACT_DECISION_MS - 100);
  expect(jolt.host.hal.system.deepSleepRequest).toBeUndefined(); // still deciding
  await step(jolt, 200);
  const again = jolt.host.hal.system.deepSleepRequest!;
  expect(again.wake).toEqual([{ pin: BUTTON, level: 0 }, { pin: INT1, level: 1 }]);
  expect(again.ms).toBe(first.ms - 600_000 - again.at); // the check-in keeps its time
  expect(jolt.host.mqtt.connects).toHaveLength(connects); // the radio never came up
  expect(raised(jolt.host)).toHaveLength(0);

  // A fall: the history's trigger reaches the detector at boot; the window, then exactly one alarm.
  const fall = await impactBoot({ host: jolt.host, ms: again.ms! }, 60_000, captured([2500, 1000, 0]));
  await step(fall, 1000);
  expect(fall.host.mqtt.connects).toHaveLength(connects + 1); // news: the radio comes up for the window
  const snapshot = (await fall.call<{ showing: string; status: { window?: { cause: string } } }>('snapshot')).value;
  expect([snapshot.showing, snapshot.status.window?.cause]).toEqual(['fallWindow', 'fall']);
  await expectOneAlarmAfterWindow(fall);
}, 180_000);

test('on XS: the wearer presses during a fall-wake: one alarm, not two', async () => {
  const first = await firstSleep();
  const xs = await impactBoot(first, 60_000, captured([2500, 1000, 0]));
  await step(xs, 500);
  await xs.host.mqtt.accept();
  const button = xs.host.io.pin(BUTTON);
  button.setInput(0); // "yes, I need help": confirms the fall at once
  await step(xs, 200);
  button.setInput(undefined);
  await step(xs, 2000);
  await xs.host.mqtt.pubackAll();
  expect(raised(xs.host).map((e) => e.data.cause)).toEqual(['fall']);
  button.setInput(0); // again, with the alarm open: a reminder, not a second alarm
  await step(xs, 200);
  button.setInput(undefined);
  await step(xs, FALL_CANCEL_MS + 10_000, 1000);
  await xs.host.mqtt.pubackAll();
  expect(raised(xs.host).map((e) => e.data.cause)).toEqual(['fall']);
}, 180_000);

test('on XS with the shipped detector: sitting down wakes it and it sleeps again, nothing sent; a fall is one alarm after its window', async () => {
  const first = await firstSleep(SHIPPED_ENTRY);
  const connects = first.host.mqtt.connects.length;

  // Sitting down with a thump: judged "no fall", deep sleep again with the radio never up.
  const sit = await impactBoot(first, 600_000, wakeView(sittingDown()), SHIPPED_ENTRY);
  for (let t = 0; t < IMPACT_JUDGE_MAX_MS && sit.host.hal.system.deepSleepRequest === undefined; t += 500) await step(sit, 500);
  const again = sit.host.hal.system.deepSleepRequest!;
  expect(again).toBeDefined();
  expect(again.wake).toEqual([{ pin: BUTTON, level: 0 }, { pin: INT1, level: 1 }]);
  expect(sit.host.mqtt.connects).toHaveLength(connects);
  expect(raised(sit.host)).toHaveLength(0);

  // A fall: the detector decides seconds after the impact; the window brings the radio up, then one alarm.
  const fall = await impactBoot({ host: sit.host, ms: again.ms! }, 60_000, wakeView(syntheticFall().samples), SHIPPED_ENTRY);
  for (let t = 0; t < IMPACT_JUDGE_MAX_MS && fall.host.mqtt.connects.length === connects; t += 100) await step(fall, 100);
  expect(fall.host.mqtt.connects).toHaveLength(connects + 1);
  expect(fall.host.hal.system.deepSleepRequest).toBeUndefined();
  expect((await fall.call('fallWindow')).value).toEqual({ showing: 'fallWindow', cause: 'fall' });
  await expectOneAlarmAfterWindow(fall);
}, 240_000);
