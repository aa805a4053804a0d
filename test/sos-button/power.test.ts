// The duty cycle and the battery: the radio sleeps between activity with a retained `sleeping` status, wakes on
// a press, a fall, a low battery and each check-in, and stays up while an alarm is open; the low-battery event
// comes once per episode (hysteresis) and survives a reboot.
import { describe, expect, test } from '@jest/globals';
import type { StatusMessage } from '../../firmware/protocol/messages.js';
import { syntheticFall } from '../../simulator/kinds/sos-motion.js';
import { SosButtonDevice } from './sos-button-device.js';

const AWAKE_MS = 15_000; // awakeS default

function lastStatus(p: SosButtonDevice): StatusMessage {
  return p.statuses().at(-1)!;
}

describe('SOS button: duty cycle', () => {
  test('after reporting, the radio sleeps: a retained sleeping status with wakeIn, then a clean disconnect', () => {
    const p = new SosButtonDevice().boot();
    expect(p.runtime.state).toBe('online');
    p.advance(AWAKE_MS - 2000);
    expect(p.runtime.state).toBe('online');
    p.advance(4000);
    expect(p.runtime.state).toBe('sleeping');
    expect(p.mqtt.connected).toBe(false);
    const sleeping = p.mqtt.published.filter((m) => m.topic.endsWith('/status')).at(-1)!;
    expect(sleeping.retain).toBe(true);
    expect(JSON.parse(sleeping.payload)).toMatchObject({ state: 'sleeping', wakeIn: 21_600, boot: 1, conn: 1 });
    // Health went out while awake (battery devices report when they are up anyway).
    expect(p.telemetry().at(-1)!.data).toMatchObject({ batteryMv: expect.any(Number), batteryPct: expect.any(Number), batteryLow: false });
  });

  test('a longer awakeS received while online keeps this connection up that long', () => {
    const p = new SosButtonDevice({ config: { awakeS: 120 } }).boot();
    p.advance(AWAKE_MS + 5000);
    expect(p.runtime.state).toBe('online');
    p.advance(120_000);
    expect(p.runtime.state).toBe('sleeping');
  });

  test('checks in every checkInS: connect, birth, health, sleep again', () => {
    const p = new SosButtonDevice({ config: { checkInS: 600 } }).boot();
    p.advance(60_000);
    expect(lastStatus(p)).toMatchObject({ state: 'sleeping', wakeIn: 600 });
    const births = () => p.statuses().filter((s) => s.state === 'online').length;
    const before = births();
    // A cycle is the sleep (600 s) plus the time awake (~16 s): six check-ins in 62 minutes.
    p.advance(62 * 60_000);
    expect(births() - before).toBe(6);
    expect(p.telemetry().length).toBeGreaterThanOrEqual(7);
    expect(lastStatus(p).state).toBe('sleeping');
    const radioS = p.app.health().radioS as number;
    expect(radioS).toBeLessThan(0.1 * 3660); // up for well under a tenth of the time
  });

  test('a press wakes the radio; it stays up while the alarm is open and sleeps after it is resolved', () => {
    const p = new SosButtonDevice().boot();
    p.advance(60_000);
    expect(p.runtime.state).toBe('sleeping');
    p.press();
    expect(p.runtime.state).toBe('online');
    p.advance(3000);
    const alarmId = p.events('alarm.raised')[0]!.data.alarmId as string;
    p.advance(20 * 60_000);
    expect(p.runtime.state).toBe('online');
    expect(lastStatus(p).state).toBe('online');
    p.alarmUpdate(alarmId, 'resolved', 1_800_000_999_000);
    p.advance(AWAKE_MS + 2000);
    expect(p.runtime.state).toBe('sleeping');
    expect(lastStatus(p).state).toBe('sleeping');
  });

  test('a fall wakes the radio at once, so the alarm leaves as soon as the cancel window ends', () => {
    const { samples } = syntheticFall();
    const p = new SosButtonDevice({ rest: { x: samples[0]!, y: samples[1]!, z: samples[2]! } }).boot();
    p.advance(60_000);
    expect(p.runtime.state).toBe('sleeping');
    const ms = p.chip.play(Array.from(samples));
    while (!p.app.alarms.window && p.now < 60_000 + ms + 5000) p.advance(100);
    expect(p.app.alarms.window).toBeDefined();
    expect(p.runtime.state).toBe('online');
    const windowEnds = p.now + p.app.alarms.window!.remainingMs;
    p.advance(windowEnds - p.now + 10);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.up).toBeLessThanOrEqual(windowEnds + 10);
  });

  test('no network: it stops trying after connectGiveUpS and tries again at the next check-in', () => {
    const p = new SosButtonDevice({ config: { checkInS: 900 } }).boot();
    p.advance(20_000);
    expect(p.runtime.state).toBe('sleeping'); // since ~16 s: next check-in at ~916 s
    p.network(false);
    const before = p.mqtt.connects;
    p.advance(1000_000 - p.now);
    expect(p.runtime.state).toBe('sleeping'); // tried from 916 s, gave up after 60 s
    const tries = p.mqtt.connects - before;
    expect(tries).toBeGreaterThan(3);
    p.advance(1800_000 - p.now);
    expect(p.mqtt.connects - before).toBe(tries); // the radio stays off until the next check-in
    p.network(true);
    p.advance(1950_000 - p.now);
    expect(p.statuses().filter((s) => s.state === 'online')).toHaveLength(2);
    expect(lastStatus(p)).toMatchObject({ state: 'sleeping', wakeIn: 900 });
  });
});

describe('SOS button: battery', () => {
  const levels = (p: SosButtonDevice, mvs: number[]) => {
    for (const mv of mvs) {
      p.cell.setMillivolts(mv);
      p.advance(61_000);
    }
  };

  test('battery.low once per episode: flapping around the threshold does not repeat it; recovery needs the hysteresis', () => {
    const p = new SosButtonDevice({ config: { batteryCheckS: 60, checkInS: 600 } }).boot();
    p.advance(1000);
    levels(p, [3900, 3720]);
    const low = p.events('battery.low');
    expect(low).toHaveLength(1);
    expect(Math.abs((low[0]!.data.mv as number) - 3720)).toBeLessThanOrEqual(2); // one ADC step is 1.6 mV
    expect(low[0]!.data.percent as number).toBeLessThanOrEqual(20);
    levels(p, [3735, 3718, 3740, 3722, 3745, 3720]); // 17–24 %: inside the hysteresis band
    expect(p.events('battery.low')).toHaveLength(1);
    expect(p.events('battery.ok')).toHaveLength(0);
    levels(p, [3790]); // ≥ 25 %
    expect(p.app.health().batteryLow).toBe(false);
    p.advance(600_000); // good news does not wake the radio: it leaves with the next check-in
    expect(p.events('battery.ok')).toHaveLength(1);
    levels(p, [3722]);
    expect(p.events('battery.low')).toHaveLength(2);
    expect(p.app.health().batteryLow).toBe(true);
  });

  test('the low state survives a reboot: no second battery.low for the same episode', () => {
    const p = new SosButtonDevice({ batteryMv: 3700 }).boot();
    p.advance(5000);
    expect(p.events('battery.low')).toHaveLength(1);
    p.powerCycle();
    p.advance(5000);
    expect(p.events('battery.low')).toHaveLength(1);
    expect(p.app.health().batteryLow).toBe(true);
  });

  test('a low battery found while the radio sleeps wakes it to deliver the event', () => {
    const p = new SosButtonDevice({ config: { batteryCheckS: 300 } }).boot();
    p.advance(60_000);
    expect(p.runtime.state).toBe('sleeping');
    p.cell.setMillivolts(3700);
    p.advance(300_000);
    expect(p.events('battery.low')).toHaveLength(1);
    p.advance(AWAKE_MS + 5000);
    expect(p.runtime.state).toBe('sleeping');
  });
});
