// Nothing is lost: an alarm raised offline arrives when the network returns; a power cut during a cancel window,
// an open alarm or between the SOS button's own writes resumes where it stopped; flash is written on state changes
// only.
import { describe, expect, test } from '@jest/globals';
import { AlarmRecords } from '../../firmware/alarms/alarm-record.js';
import type { KeyValueStore } from '../../hal/contract/index.js';
import { syntheticFall } from '../../simulator/kinds/sos-motion.js';
import { SosButtonDevice } from './sos-button-device.js';

const CONFIRM_MS = 3000;

function raise(p: SosButtonDevice): string {
  p.press();
  p.advance(CONFIRM_MS);
  const alarm = p.app.alarms.alarm;
  expect(alarm).toBeDefined();
  return alarm!.id;
}

/** Counts key-value writes in one domain. */
function countWrites(kv: KeyValueStore, domain: string): () => number {
  let writes = 0;
  const set = kv.set.bind(kv);
  const remove = kv.delete.bind(kv);
  kv.set = (d, key, value) => {
    if (d === domain) writes++;
    set(d, key, value);
  };
  kv.delete = (d, key) => {
    if (d === domain) writes++;
    remove(d, key);
  };
  return () => writes;
}

describe('SOS button: offline and restarts', () => {
  test('an alarm raised offline is shown and escalated locally, and delivered once the network returns', () => {
    const p = new SosButtonDevice({ config: { acceptTimeoutS: 30 } }).boot();
    p.advance(1000);
    p.network(false);
    const alarmId = raise(p);
    p.advance(120_000);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(p.runtime.state).not.toBe('sleeping'); // an open alarm keeps the radio trying
    expect(p.app.showing).toBe('escalated');
    // No reminders pile up in the outbox while the first copy has not left.
    expect(p.runtime.outbox.depth).toBe(1);

    p.network(true);
    p.advance(10_000);
    const raised = p.events('alarm.raised');
    expect(raised.map((e) => e.data.alarmId)).toEqual([alarmId]);
    expect(p.runtime.outbox.depth).toBe(0);
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_200_000);
    expect(p.app.showing).toBe('accepted');
  });

  test('an alarm raised while the radio sleeps and the network is down waits in the outbox across a restart', () => {
    const p = new SosButtonDevice().boot();
    p.network(false);
    p.advance(120_000);
    expect(p.runtime.state).toBe('sleeping'); // gave up connecting: nothing to report
    const alarmId = raise(p);
    p.advance(30_000);
    p.powerCycle(5000);
    expect(p.app.alarms.alarm?.id).toBe(alarmId);
    p.advance(30_000);
    expect(p.events('alarm.raised')).toHaveLength(0);
    p.network(true);
    p.advance(10_000);
    expect(p.events('alarm.raised').map((e) => e.data.alarmId)).toEqual([alarmId]);
  });

  test('a power cut in the fall cancel window: the window resumes with the time left, then exactly one alarm', () => {
    const { samples } = syntheticFall();
    const p = new SosButtonDevice({ rest: { x: samples[0]!, y: samples[1]!, z: samples[2]! } }).boot();
    const ms = p.chip.play(Array.from(samples));
    while (!p.app.alarms.window && p.now < ms + 5000) p.advance(100);
    expect(p.app.alarms.window?.cause).toBe('fall');
    p.advance(10_000);
    p.powerCycle(2000);
    const window = p.app.alarms.window;
    expect(window?.cause).toBe('fall');
    // 30 s window − 10 s before the cut − 2 s without power (± the 100 ms steps above).
    expect(Math.abs(window!.remainingMs - 18_000)).toBeLessThanOrEqual(200);
    expect(p.app.showing).toBe('fallWindow');
    p.advance(window!.remainingMs - 500);
    expect(p.events('alarm.raised')).toHaveLength(0);
    p.advance(1000);
    const raised = p.events('alarm.raised');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.data).toMatchObject({ cause: 'fall', detector: { score: expect.any(Number) } });
    p.advance(120_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('a power cut with an open alarm: same alarm, same state and pattern after the reboot; retained updates are not news', () => {
    const p = new SosButtonDevice().boot();
    const alarmId = raise(p);
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_100_000);
    p.advance(2000);
    p.powerCycle();
    expect(p.app.alarms.alarm).toMatchObject({ id: alarmId, state: 'accepted' });
    expect(p.app.showing).toBe('accepted');
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_100_000); // the broker's retained copy on resubscribe
    p.alarmUpdate(alarmId, 'dispatched', 1_800_000_150_000, { etaMin: 4 });
    expect(p.app.showing).toBe('dispatched');
    p.powerCycle();
    expect(p.app.alarms.alarm?.state).toBe('dispatched');
    p.alarmUpdate(alarmId, 'resolved', 1_800_000_300_000);
    p.powerCycle();
    expect(p.app.alarms.alarm).toBeUndefined();
    expect(p.app.alarms.busy).toBe(false);
    p.alarmUpdate(alarmId, 'resolved', 1_800_000_300_000); // retained final state: nothing to show
    expect(p.app.showing).toBeUndefined();
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('an alarm.raised cut off before its PUBACK is sent again after the reboot, byte for byte', () => {
    const p = new SosButtonDevice().boot();
    p.advance(1000);
    p.press();
    p.advance(CONFIRM_MS - 400);
    p.mqtt.defer = undefined; // the broker never acknowledges what comes next
    p.advance(1000);
    const first = p.mqtt.published.filter((m) => m.topic.endsWith('/event')).map((m) => m.payload);
    expect(first).toHaveLength(1);
    p.powerCycle();
    p.advance(1000);
    const again = p.mqtt.published.filter((m) => m.topic.endsWith('/event')).map((m) => m.payload);
    expect(again).toEqual(first);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('power lost between writing the alarm record and its event: the event is written at the next boot, once', () => {
    const p = new SosButtonDevice().boot();
    p.advance(1000);
    // What #raise() leaves behind if power goes right after its first write.
    const seq = p.runtime.outbox.nextSeq;
    new AlarmRecords(p.storage.kv, 'sos', ['button', 'fall']).saveAlarm({
      id: `sos-button-1.${seq}`, seq, cause: 'button', at: p.hal.wallClock.now(), tv: true, state: 'sent', ts: 0, reminders: 0, escalated: false,
    });
    p.powerCycle();
    p.advance(1000);
    p.powerCycle();
    p.advance(1000);
    const raised = p.events('alarm.raised');
    expect(raised.map((e) => [e.seq, e.data.alarmId])).toEqual([[seq, `sos-button-1.${seq}`]]);
    expect(p.app.showing).toBe('raised');
  });

  test('flash is written on state changes only: none while idle with the detector running, a few per alarm', () => {
    const p = new SosButtonDevice({ config: { acceptTimeoutS: 60 } }).boot();
    p.advance(5000);
    const writes = countWrites(p.storage.kv, 'sos');
    p.advance(30 * 60_000);
    expect(writes()).toBe(0);
    const alarmId = raise(p); // window record, alarm record, window cleared
    p.advance(10 * 60_000); // escalation (1) and reminders (one each)
    const reminders = p.events('alarm.reminder').length;
    expect(reminders).toBeGreaterThan(0);
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_900_000);
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_950_000, { note: 'on the phone' }); // same state: no write
    p.alarmUpdate(alarmId, 'resolved', 1_800_001_000_000);
    p.advance(30 * 60_000);
    expect(writes()).toBe(3 + 1 + reminders + 2);
  });
});
