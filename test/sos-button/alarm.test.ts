// The SOS button's alarm lifecycle on the simulated board: press → confirmation → alarm.raised; the platform's
// updates shown by distinct patterns on the virtual LED/buzzer pins; stale updates ignored; not accepted in
// time → alarm.reminder and escalation; the button's cancel and confirm rules.
import { describe, expect, test } from '@jest/globals';
import { INDICATIONS, type Indication } from '../../firmware/apps/sos-button/index.js';
import { followsPattern, SosButtonDevice, rhythm, watchMs } from './sos-button-device.js';

const CONFIRM_MS = 3000; // pressConfirmS default

function raisedAlarm(p: SosButtonDevice) {
  const raised = p.events('alarm.raised');
  expect(raised).toHaveLength(1);
  return raised[0]!.data as { alarmId: string; cause: string };
}

/**
 * Asserts that LED, buzzer and vibration play the state's patterns from `from` on (the first `limitMs` only,
 * when the state lasts less than a whole round); channels the state does not use stay off.
 */
function expectShown(p: SosButtonDevice, indication: Indication, from: number, limitMs = Infinity): void {
  const patterns = INDICATIONS[indication];
  const channels = (['led', 'buzzer', 'vibration'] as const).map((name) => [name, patterns[name]] as const);
  const ms = limitMs < Infinity ? limitMs : Math.max(...channels.map(([, c]) => (c ? watchMs(c.pattern, c.repeat) : 0)));
  p.advance(Math.max(0, from + ms - p.now));
  for (const [name, channel] of channels) {
    const seen = rhythm(p.pin(name), from, from + ms);
    if (!channel) {
      expect({ indication, name, seen }).toEqual({ indication, name, seen: [] });
      continue;
    }
    const ok = followsPattern(seen, channel.pattern, limitMs < Infinity ? true : channel.repeat);
    expect({ indication, name, seen, ok }).toEqual({ indication, name, seen, ok: true });
  }
}

describe('SOS button: press and alarm lifecycle', () => {
  test('a press plays the confirmation pattern, then raises one durable alarm with an alarmId made on the device', () => {
    const p = new SosButtonDevice().boot();
    const t0 = p.now;
    p.press();
    expect(p.app.showing).toBe('confirm');
    expectShown(p, 'confirm', t0, CONFIRM_MS - 300);
    expect(p.events('alarm.raised')).toHaveLength(0);
    p.advance(500);
    const alarm = raisedAlarm(p);
    expect(alarm.cause).toBe('button');
    const event = p.events('alarm.raised')[0]!;
    expect(alarm.alarmId).toBe(`sos-button-1.${event.seq}`);
    expect(p.app.showing).toBe('raised');
    p.advance(60_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('raised → accepted → dispatched → onsite → resolved each show their own pattern; stale and foreign updates are ignored', () => {
    const p = new SosButtonDevice().boot();
    p.press();
    p.advance(CONFIRM_MS);
    const { alarmId } = raisedAlarm(p);
    const ts = 1_800_000_100_000;
    const seen: Record<string, number[]> = {};
    const steps: [string, Indication, Record<string, unknown>][] = [
      ['raised', 'raised', {}], ['accepted', 'accepted', { note: 'Anna from the desk' }],
      ['dispatched', 'dispatched', { etaMin: 6 }], ['onsite', 'onsite', {}],
    ];
    for (const [i, [state, indication, extra]] of steps.entries()) {
      const from = p.now;
      p.alarmUpdate(alarmId, state, ts + i * 1000, extra);
      expect(p.app.showing).toBe(indication);
      expectShown(p, indication, from);
      seen[state] = rhythm(p.pin('led'), from, p.now);
      // Backward, repeated, older and foreign updates change nothing.
      if (i > 0) p.alarmUpdate(alarmId, steps[i - 1]![0], ts + i * 1000 + 500);
      p.alarmUpdate(alarmId, state, ts + i * 1000);
      p.alarmUpdate(alarmId, 'resolved', ts - 1);
      p.alarmUpdate('someone-else.7', 'resolved', ts + 60_000);
      expect(p.app.showing).toBe(indication);
      expect(p.app.alarms.alarm?.state).toBe(state);
    }
    // The LED alone tells the states apart.
    const rhythms = Object.values(seen).map((r) => JSON.stringify(r.slice(0, 4)));
    expect(new Set(rhythms).size).toBe(steps.length);

    const from = p.now;
    p.alarmUpdate(alarmId, 'resolved', ts + 10_000);
    expectShown(p, 'resolved', from);
    expect(p.app.alarms.alarm).toBeUndefined();
    p.advance(5000);
    expect(p.pin('led').level).toBe(0); // dark once the resolved pattern has played
    expect(p.pin('buzzer').level).toBe(0);
    // A final state is final: a late update for that alarm does nothing.
    p.alarmUpdate(alarmId, 'onsite', ts + 20_000);
    expect(p.app.showing).toBe('resolved');
    expect(p.app.alarms.busy).toBe(false);
  });

  test('the platform cancelling an alarm shows the cancelled pattern', () => {
    const p = new SosButtonDevice().boot();
    p.press();
    p.advance(CONFIRM_MS);
    const { alarmId } = raisedAlarm(p);
    const from = p.now;
    p.alarmUpdate(alarmId, 'cancelled', 1_800_000_100_000);
    expectShown(p, 'cancelled', from);
    expect(p.app.alarms.alarm).toBeUndefined();
  });

  test('not accepted in time: alarm.reminder with the same alarmId and a louder, faster pattern until accepted', () => {
    const p = new SosButtonDevice({ config: { acceptTimeoutS: 30 } }).boot();
    p.press();
    p.advance(CONFIRM_MS);
    const { alarmId } = raisedAlarm(p);
    p.alarmUpdate(alarmId, 'raised', 1_800_000_000_500); // recorded, but nobody took it
    p.advance(29_000);
    expect(p.events('alarm.reminder')).toHaveLength(0);
    expect(p.app.showing).toBe('raised');
    const overdue = p.now + 1000;
    expectShown(p, 'escalated', overdue);
    expect(p.app.showing).toBe('escalated');
    expect(p.events('alarm.reminder').map((e) => e.data)).toEqual([{ alarmId, cause: 'button', n: 1, trigger: 'timeout' }]);
    p.advance(30_000);
    expect(p.events('alarm.reminder').map((e) => e.data.n)).toEqual([1, 2]);
    // Escalation is louder: the buzzer is on for more of the time than while merely raised.
    const duty = (pattern: readonly number[]) => pattern.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / pattern.reduce((a, b) => a + b, 0);
    expect(duty(INDICATIONS.escalated.buzzer!.pattern)).toBeGreaterThan(duty(INDICATIONS.raised.buzzer!.pattern));

    const from = p.now;
    p.alarmUpdate(alarmId, 'accepted', 1_800_000_090_000);
    expectShown(p, 'accepted', from);
    p.advance(120_000);
    expect(p.events('alarm.reminder')).toHaveLength(2);
  });

  test('reminders stop at maxReminders', () => {
    const p = new SosButtonDevice({ config: { acceptTimeoutS: 15, maxReminders: 3 } }).boot();
    p.press();
    p.advance(CONFIRM_MS + 10 * 15_000);
    expect(p.events('alarm.reminder').map((e) => e.data.n)).toEqual([1, 2, 3]);
    expect(p.app.showing).toBe('escalated');
  });

  test('a press held long does not cancel the SOS it started', () => {
    const p = new SosButtonDevice().boot();
    p.press(4000);
    p.advance(CONFIRM_MS);
    expect(raisedAlarm(p).cause).toBe('button');
    expect(p.events('sos.cancelled')).toHaveLength(0);
  });

  test('a long press during the confirmation cancels it: no alarm, an sos.cancelled event, the aborted pattern', () => {
    const p = new SosButtonDevice({ config: { pressConfirmS: 10 } }).boot();
    p.press();
    p.advance(500);
    const from = p.now;
    p.press(2500);
    expectShown(p, 'aborted', from + 2000);
    p.advance(60_000);
    expect(p.events('alarm.raised')).toHaveLength(0);
    expect(p.events('sos.cancelled')).toHaveLength(1);
    expect(p.app.alarms.busy).toBe(false);
  });

  test('a second short press during the confirmation raises the alarm at once', () => {
    const p = new SosButtonDevice({ config: { pressConfirmS: 10 } }).boot();
    p.press();
    p.advance(500);
    p.press();
    expect(raisedAlarm(p).cause).toBe('button');
    p.advance(20_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
  });

  test('a press while an alarm is open re-sends it (not a second alarm)', () => {
    const p = new SosButtonDevice().boot();
    p.press();
    p.advance(CONFIRM_MS);
    const { alarmId } = raisedAlarm(p);
    p.press();
    p.advance(10_000);
    expect(p.events('alarm.raised')).toHaveLength(1);
    expect(p.events('alarm.reminder').map((e) => e.data)).toEqual([{ alarmId, cause: 'button', n: 1, trigger: 'button' }]);
  });

  test('with pressConfirmS 0 a press raises the alarm at once', () => {
    const p = new SosButtonDevice({ config: { pressConfirmS: 0 } }).boot();
    p.press();
    expect(raisedAlarm(p).cause).toBe('button');
  });
});
