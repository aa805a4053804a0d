// The SOS button app on the real XS engine: the engine-neutral code the ESP32 runs, smoke-tested end to end
// (press, confirmation, alarm, platform updates, a fall and its cancel window, battery, the radio's sleep).
import { afterAll, afterEach, expect, test } from '@jest/globals';
import type { EventMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import { syntheticFall } from '../../simulator/kinds/sos-motion.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/sos-button/xs-entry.ts';
const topic = (channel: string) => `ct/v1/site-1/sos-button-1/${channel}`;
const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

function sent<T>(xs: XsSession, channel: string): T[] {
  return xs.host.mqtt.published.filter((m) => m.topic === topic(channel)).map((m) => {
    const checked = validateOutbound(JSON.parse(m.payload));
    if (!checked.ok) throw new Error(`invalid ${channel} message: ${checked.error}\n${m.payload}`);
    return checked.message as T;
  });
}

async function step(xs: XsSession, ms: number, by = 100): Promise<void> {
  for (let t = 0; t < ms; t += by) await xs.advance(Math.min(by, ms - t));
}

test('on XS: press → alarm.raised → accepted; a fall → window → alarm; the radio sleeps when idle', async () => {
  const xs = await XsSession.start({ entry: ENTRY, hostOptions: { board: simSosButton, wallTimeMs: 1_800_000_000_000, wallTimeValid: true } });
  sessions.push(xs);
  writeProvisioning(xs.host.storage.kv, { site: 'site-1', device: 'sos-button-1', host: '127.0.0.1', port: 1883 });
  await xs.call('start');
  await xs.host.mqtt.accept();
  await xs.host.mqtt.pubackAll();

  const button = xs.host.io.pin(simSosButton.pin.button!);
  button.setInput(0);
  await step(xs, 200);
  button.setInput(undefined);
  await step(xs, 3500);
  await xs.host.mqtt.pubackAll();
  const raised = sent<EventMessage>(xs, 'event').filter((e) => e.type === 'alarm.raised');
  expect(raised.map((e) => e.data.cause)).toEqual(['button']);
  const alarmId = raised[0]!.data.alarmId as string;
  await xs.host.mqtt.inject(topic('alarm'), JSON.stringify({ v: 1, msg: 'alarm', alarmId, state: 'accepted', ts: 1_800_000_010_000 }), true);
  expect((await xs.call<{ showing: string }>('snapshot')).value.showing).toBe('accepted');
  // The LED pin plays the accepted rhythm (100 on, 200 off, 100 on, 1600 off).
  const led = xs.host.io.pin(simSosButton.pin.led!);
  const from = xs.host.clock.now();
  await step(xs, 2100);
  const levels = led.history.filter((c) => c.at >= from).map((c) => `${c.at - from}:${c.level}`);
  expect(levels.slice(0, 4)).toEqual(['0:1', '100:0', '300:1', '400:0']);
  await xs.host.mqtt.inject(topic('alarm'), JSON.stringify({ v: 1, msg: 'alarm', alarmId, state: 'resolved', ts: 1_800_000_020_000 }), true);

  const { samples } = syntheticFall();
  await xs.call('feed', Array.from(samples));
  await step(xs, 20_000, 500);
  expect((await xs.call<{ status: { window?: { cause: string } } }>('snapshot')).value.status.window?.cause).toBe('fall');
  await step(xs, 30_000, 1000);
  await xs.host.mqtt.pubackAll();
  const falls = sent<EventMessage>(xs, 'event').filter((e) => e.type === 'alarm.raised' && e.data.cause === 'fall');
  expect(falls).toHaveLength(1);
  expect((falls[0]!.data.detector as { score: number }).score).toBeGreaterThan(0);
  await xs.host.mqtt.inject(topic('alarm'), JSON.stringify({ v: 1, msg: 'alarm', alarmId: falls[0]!.data.alarmId, state: 'cancelled', ts: 1_800_000_090_000 }), true);

  await xs.call('setBattery', 3600);
  await step(xs, 3_600_000, 60_000);
  await xs.host.mqtt.accept(); // the low battery woke the radio; the broker answers
  await xs.host.mqtt.pubackAll();
  await step(xs, 20_000, 1000);
  expect(sent<EventMessage>(xs, 'event').filter((e) => e.type === 'battery.low')).toHaveLength(1);
  const statuses = sent<StatusMessage>(xs, 'status');
  expect(statuses.at(-1)).toMatchObject({ state: 'sleeping', wakeIn: 21_600 });
  const snapshot = (await xs.call<{ state: string; health: Record<string, unknown> }>('snapshot')).value;
  expect(snapshot.state).toBe('sleeping');
  expect(snapshot.health).toMatchObject({ fallsDetected: 1, alarmsRaised: 2, batteryLow: true });
}, 120_000);

test('on XS: one FIFO poll of 25 samples costs a bounded number of computrons', async () => {
  const xs = await XsSession.start({ entry: ENTRY, hostOptions: { board: simSosButton, wallTimeMs: 1_800_000_000_000, wallTimeValid: true } });
  sessions.push(xs);
  await xs.call('start'); // unprovisioned: no radio, the detector runs all the same
  const { samples } = syntheticFall();
  await xs.call('feed', Array.from(samples.subarray(0, 25 * 3 * 40)));
  await xs.advance(500);
  const before = xs.cranks.length;
  for (let i = 0; i < 20; i++) await xs.advance(500);
  const perPoll = xs.cranks.slice(before).reduce((sum, crank) => sum + crank.compute, 0) / 20;
  // The detector costs ~500 computrons a sample (docs/fall-detection.md); the app adds its stillness tracking
  // and the timer glue (about 33 000 a poll when this was written).
  expect(perPoll).toBeGreaterThan(25 * 100);
  expect(perPoll).toBeLessThan(25 * 2000);
}, 60_000);

test('on XS: button-only, the SOS button deep-sleeps when idle; the press that wakes it raises one alarm', async () => {
  const hostOptions = { board: simSosButton, wallTimeMs: 1_800_000_000_000, wallTimeValid: true };
  const xs = await XsSession.start({ entry: ENTRY, hostOptions });
  sessions.push(xs);
  writeProvisioning(xs.host.storage.kv, { site: 'site-1', device: 'sos-button-1', host: '127.0.0.1', port: 1883 });
  await xs.call('start');
  await xs.host.mqtt.accept();
  await xs.host.mqtt.inject(topic('config/desired'), JSON.stringify({ v: 1, msg: 'config.desired', version: 2, config: { fallDetection: false } }), true);
  await xs.host.mqtt.pubackAll();
  for (let t = 0; t < 60_000 && xs.host.hal.system.deepSleepRequest === undefined; t += 500) await xs.advance(500);
  const request = xs.host.hal.system.deepSleepRequest!;
  expect(request).toBeDefined();
  expect(request.wake).toEqual([{ pin: simSosButton.pin.button, level: 0 }]);
  expect(request.ms).toBeGreaterThan(21_000_000); // until the next check-in
  expect(xs.host.restarts).toEqual(['deep-sleep']);
  expect(sent<StatusMessage>(xs, 'status').at(-1)).toMatchObject({ state: 'sleeping' });
  expect(sent<EventMessage>(xs, 'event').filter((e) => e.type === 'alarm.raised')).toHaveLength(0);

  // The wearer presses the button: the chip boots with the button as its wake cause (already released).
  const woken = xs.host.rebooted('deep-sleep', { by: 'pin', pins: [simSosButton.pin.button!] });
  const again = await XsSession.start({ entry: ENTRY, host: woken });
  sessions.push(again);
  await again.call('start');
  await again.host.mqtt.accept();
  await step(again, 5000);
  await again.host.mqtt.pubackAll();
  const raised = sent<EventMessage>(again, 'event').filter((e) => e.type === 'alarm.raised');
  expect(raised.map((e) => e.data.cause)).toEqual(['button']);
  expect((await again.call<{ state: string }>('snapshot')).value.state).toBe('online');
}, 120_000);
