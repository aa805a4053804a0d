// Button-only mode: with fall detection off the SOS button deep-sleeps whenever it is idle (radio asleep after its
// sleeping status, nothing open), woken by the button or the next check-in; each wake boots the app again.
import { describe, expect, test } from '@jest/globals';
import type { StatusMessage } from '../../firmware/protocol/messages.js';
import { SETTLE_MS } from '../../firmware/power/deep-sleep.js';
import { PIN, SosButtonDevice } from './sos-button-device.js';

const AWAKE_MS = 15_000; // awakeS default
const BUTTON_ONLY = { fallDetection: false };

function births(p: SosButtonDevice): StatusMessage[] {
  return p.statuses().filter((s) => s.state === 'online');
}

/** Boots with fall detection off and lets it reach its first deep sleep. */
function sleepingSosButton(config: Record<string, unknown> = {}, bootMs?: number): SosButtonDevice {
  const p = new SosButtonDevice({ config: { ...BUTTON_ONLY, ...config }, ...(bootMs === undefined ? {} : { bootMs }) }).boot();
  p.advance(AWAKE_MS + 2000 + SETTLE_MS);
  expect(p.asleep).toBeDefined();
  return p;
}

describe('SOS button: deep sleep (fall detection off)', () => {
  test('idle: sleeping status, then deep sleep until the next check-in, woken by the button', () => {
    const p = new SosButtonDevice({ config: BUTTON_ONLY }).boot();
    while (p.runtime.state !== 'sleeping' && p.now < 60_000) p.advance(100);
    expect(p.runtime.state).toBe('sleeping');
    p.advance(SETTLE_MS - 200);
    expect(p.asleep).toBeUndefined(); // the sleeping status and the TCP close get a moment to leave
    p.advance(200);
    const chip = p.asleep!;
    expect(chip).toBeDefined();
    expect(p.statuses().at(-1)).toMatchObject({ state: 'sleeping', wakeIn: 21_600 });
    expect(chip.request.wake).toEqual([{ pin: PIN.button, level: 0 }]);
    // The timer is the radio's planned check-in, less the time spent settling.
    expect(chip.request.ms).toBe(21_600_000 - SETTLE_MS);
    expect(p.mqtt.connected).toBe(false);
  });

  test('with fall detection on (the default) it stays in light sleep: the detector needs a continuous stream', () => {
    const p = new SosButtonDevice().boot();
    p.advance(10 * 60_000);
    expect(p.runtime.state).toBe('sleeping');
    expect(p.sleeps).toHaveLength(0);
    expect(p.app.status().fallDetection).toBe(true);
  });

  test('without a deep-sleep call in the HAL it keeps light sleep and loses nothing', () => {
    const p = new SosButtonDevice({ config: BUTTON_ONLY, deepSleep: false }).boot();
    p.advance(10 * 60_000);
    expect(p.runtime.state).toBe('sleeping');
    expect(p.sleeps).toHaveLength(0);
    p.press();
    p.advance(4000);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('never while an alarm is open; after it is resolved the SOS button deep-sleeps again', () => {
    const p = sleepingSosButton();
    p.press(); // wakes it: one alarm
    p.advance(4000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    const slept = p.sleeps.length;
    p.advance(30 * 60_000); // not accepted: reminders and escalation, the radio stays up
    expect(p.sleeps).toHaveLength(slept);
    expect(p.asleep).toBeUndefined();
    expect(p.runtime.state).toBe('online');
    p.alarmUpdate(raised[0]!.data.alarmId as string, 'accepted', 1_800_001_000_000);
    p.advance(10 * 60_000);
    expect(p.sleeps).toHaveLength(slept);
    p.alarmUpdate(raised[0]!.data.alarmId as string, 'resolved', 1_800_002_000_000);
    p.advance(AWAKE_MS + 2000 + SETTLE_MS);
    expect(p.sleeps).toHaveLength(slept + 1);
    expect(p.asleep).toBeDefined();
  });

  test('a press during deep sleep raises exactly one alarm after the boot, though released before the app runs', () => {
    const p = sleepingSosButton({}, 300);
    p.press(200, 100); // let go 100 ms before the app starts
    expect(p.asleep).toBeUndefined();
    expect(p.hal.system.resetReason()).toBe('deep-sleep');
    expect(p.hal.system.wakeCause?.()).toMatchObject({ by: 'pin', pins: [PIN.button] });
    expect(p.app.alarms.window?.cause).toBe('button'); // the confirmation pattern runs
    p.advance(4000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.data.cause).toBe('button');
    expect(births(p).at(-1)).toMatchObject({ reset: 'deep-sleep', boot: 2 });
    p.advance(10 * 60_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.events('sos.cancelled')).toHaveLength(0);
  });

  test('a press that begins while the chip boots from a timer wake and is held as the app starts is one SOS', () => {
    const p = sleepingSosButton({}, 300);
    const chip = p.asleep!;
    p.advance(chip.request.ms! - chip.elapsedMs + 100); // the timer has woken it; the app starts 200 ms later
    expect(p.asleep).toBe(chip);
    p.press(500, 100); // down 100 ms into the boot, up 300 ms after the app started
    expect(p.hal.system.wakeCause?.()).toEqual({ by: 'timer' });
    expect(p.app.alarms.window?.cause).toBe('button');
    p.advance(4000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.events('sos.cancelled')).toHaveLength(0);
  });

  test('a long hold that wakes it is still one SOS, not a cancel (the press owns its window)', () => {
    const p = sleepingSosButton();
    p.press(3000, 2000);
    p.advance(2000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.events('sos.cancelled')).toHaveLength(0);
  });

  test('a timer wake checks in (birth, health, sleeping status) and deep-sleeps again', () => {
    const p = sleepingSosButton({ checkInS: 600 });
    const before = births(p).length;
    const sleepsBefore = p.sleeps.length;
    p.advance(3 * (600_000 + 30_000));
    expect(births(p).length - before).toBe(3);
    expect(births(p).at(-1)).toMatchObject({ reset: 'deep-sleep' });
    expect(p.sleeps.length - sleepsBefore).toBe(3);
    expect(p.sleeps.slice(0, -1).map((chip) => chip.cause)).toEqual(p.sleeps.slice(0, -1).map(() => ({ by: 'timer' })));
    expect(p.statuses().at(-1)).toMatchObject({ state: 'sleeping', wakeIn: 600 });
    expect(p.telemetry().at(-1)!.data).toMatchObject({ batteryMv: expect.any(Number), fallDetection: false });
    expect(p.events('alarm.raised')).toHaveLength(0);
    // Awake about 17 s (15 s radio + settle) per 10 min.
    const awake = p.sleeps.reduce((sum, chip) => sum + chip.request.at, 0);
    expect(awake / p.elapsed).toBeLessThan(0.05);
  });

  test('events waiting in the outbox survive deep sleep and leave exactly once when the network is back', () => {
    const p = new SosButtonDevice({ config: { ...BUTTON_ONLY, retryS: 900 } }).boot();
    p.advance(AWAKE_MS + 2000 + SETTLE_MS);
    expect(p.asleep).toBeDefined();
    p.network(false);
    p.press(200, 100); // an SOS while the network is down ...
    p.advance(500);
    p.press(3000, 100); // ... cancelled by a long press during its confirmation
    expect(p.events('sos.cancelled')).toHaveLength(0); // not delivered: no network
    expect(p.runtime.outbox.depth).toBe(1);
    p.advance(2 * 60_000); // gives up on the network and deep-sleeps until the retry
    const chip = p.asleep!;
    expect(chip).toBeDefined();
    expect(chip.request.ms).toBeLessThanOrEqual(900_000);
    p.network(true);
    p.advance(900_000 + 30_000);
    const cancelled = p.events('sos.cancelled');
    expect(cancelled).toHaveLength(1);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(p.runtime.outbox.depth).toBe(0);
    // The same event (its seq from before the sleep), sent once on the new boot.
    expect(cancelled[0]!.boot).toBe(2);
    expect(births(p).at(-1)).toMatchObject({ reset: 'deep-sleep', seq: cancelled[0]!.seq });
  });

  test('state kept in the key-value store carries over: a low battery is announced once across wakes', () => {
    const p = new SosButtonDevice({ config: { ...BUTTON_ONLY, checkInS: 600 }, batteryMv: 3700 }).boot();
    p.advance(AWAKE_MS + 2000 + SETTLE_MS);
    expect(p.asleep).toBeDefined();
    expect(p.events('battery.low')).toHaveLength(1);
    p.advance(3 * 630_000); // three timer wakes, each reading the same low cell
    expect(births(p).filter((s) => s.reset === 'deep-sleep')).toHaveLength(3);
    expect(p.events('battery.low')).toHaveLength(1);
    expect(p.telemetry().at(-1)!.data).toMatchObject({ batteryLow: true });
  });

  test('button only: the accelerometer does not sample; switching fall detection on starts it, off stops it', () => {
    const p = new SosButtonDevice({ config: BUTTON_ONLY }).boot();
    p.advance(3000);
    const idle = p.chip.produced;
    p.advance(5000);
    expect(p.chip.produced).toBe(idle);
    p.configure({ fallDetection: true });
    p.advance(1000);
    expect(p.chip.produced).toBeGreaterThan(idle + 40);
    p.configure({ fallDetection: false });
    const off = p.chip.produced;
    p.advance(5000);
    expect(p.chip.produced).toBe(off);
  });
});
