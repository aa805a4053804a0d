// The door: relay pulses for the two lock types, exit requests, held-open and forced-open alarms (raised and
// cleared, as chained events), and what the LED and buzzer show for each outcome.
import type { LevelChange } from '../../hal/host/index.js';
import { ChainVerifier } from '../../scripts/platform/event-chain.js';
import { DoorReaderDevice, PIN, uid } from './door-reader-device.js';

/** [level, ms it lasted] of a pin's history from `from` on. */
function shape(history: readonly LevelChange[], from = 0): [number, number][] {
  const changes = history.filter((change) => change.at >= from);
  return changes.slice(0, -1).map((change, i) => [change.level, changes[i + 1]!.at - change.at]);
}

/** Whether `run` occurs in `list` as consecutive entries. */
function hasRun(list: readonly [number, number][], run: readonly [number, number][]): boolean {
  const text = JSON.stringify(list);
  return text.includes(JSON.stringify(run).slice(1, -1));
}

describe('the lock', () => {
  it('releases for unlockMs; a fail-secure lock relocks as soon as the door opens', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ unlockMs: 3000 });
    d.tap(uid('valid'));
    const grantedAt = d.relayHistory[0]!.find((change) => change.level === 1)!.at;
    d.advance(3000);
    expect(d.relay).toBe(0);
    const released = d.relayHistory[0]!.filter((change) => change.at >= grantedAt);
    expect(released.map((change) => [change.level, change.at - grantedAt])).toEqual([[1, 0], [0, 3000]]);

    d.tap(uid('valid'));
    d.door(true);
    expect(d.relay).toBe(0); // relocked on opening
    d.door(false);
    expect(d.events(/^door\./)).toEqual([]);
  });

  it('keeps a fail-safe lock released until the door has closed again', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ lockType: 'fail-safe', unlockMs: 5000 });
    d.tap(uid('valid'));
    d.door(true);
    expect(d.relay).toBe(1);
    d.advance(1000);
    d.door(false);
    expect(d.relay).toBe(0);
    expect(d.events(/^door\./)).toEqual([]);
  });

  it('opens for the exit button without a credential, even in lockdown, and logs it', () => {
    const d = new DoorReaderDevice().boot();
    d.signed('door.lockdown', { door: 0 });
    d.pressExit();
    expect(d.relay).toBe(1);
    d.door(true);
    d.door(false);
    expect(d.outcomes()).toEqual(['exit:granted']);
    expect(d.events(/^door\.forced/)).toEqual([]);
  });

  it('with exitReleases off, the exit button only excuses the opening', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ exitReleases: false });
    d.pressExit();
    expect(d.relay).toBe(0);
    d.door(true);
    d.door(false);
    expect(d.events(/^door\.forced/)).toEqual([]);
  });
});

describe('door alarms', () => {
  it('raises door.held_open past heldOpenS and clears it when the door shuts', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ heldOpenS: 20 });
    d.tap(uid('valid'));
    d.door(true);
    d.advance(19_000);
    expect(d.events(/^door\./)).toEqual([]);
    d.advance(1500);
    d.advance(9000);
    d.door(false);
    const alarms = d.events(/^door\.held_open/);
    expect(alarms.map((event) => event.type)).toEqual(['door.held_open', 'door.held_open.cleared']);
    expect(alarms[0]!.data.alarmId).toBe(alarms[1]!.data.alarmId);
    expect(alarms[0]!.data.openMs).toBe(20_000);
    // Open settled 50 ms after the edge; 29.5 s later the door shuts and settles 50 ms after that.
    expect(alarms[1]!.data.openMs).toBe(29_600);
  });

  it('raises door.forced for an opening without grant or exit request, and clears it on closing', () => {
    const d = new DoorReaderDevice().boot();
    d.door(true);
    d.advance(2000);
    d.door(false);
    d.tap(uid('valid'));
    d.advance(10_000); // relocked, grace over
    d.door(true);
    d.door(false);
    expect(d.events(/^door\./).map((event) => event.type)).toEqual(['door.forced', 'door.forced.cleared', 'door.forced', 'door.forced.cleared']);
  });

  it('puts alarms in the tamper-evident access chain with the decisions', () => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid('valid'));
    d.advance(10_000);
    d.door(true);
    d.door(false);
    d.tap(uid('nobody'));
    const verifier = new ChainVerifier();
    for (const payload of d.eventPayloads()) verifier.add(payload);
    expect(verifier.findings).toEqual([]);
    expect(verifier.linked).toBe(d.events().filter((event) => typeof event.data.prev === 'string').length - 1);
    expect(d.events().filter((event) => typeof event.data.prev === 'string').map((event) => event.type))
      .toEqual(['access.granted', 'door.forced', 'door.forced.cleared', 'access.denied']);
  });

  it('holds the door open on command (no held-open alarm), then back to normal', () => {
    const d = new DoorReaderDevice().boot();
    d.signed('door.hold_open', { door: 0 });
    expect(d.relay).toBe(1);
    d.door(true);
    d.advance(120_000);
    expect(d.events(/^door\.(held|forced)/)).toEqual([]);
    d.signed('door.normal', { door: 0 });
    expect(d.relay).toBe(0);
    d.advance(31_000);
    d.door(false);
    expect(d.events(/^door\./).map((event) => `${event.type}:${String(event.data.mode ?? '')}`))
      .toEqual(['door.mode:hold_open', 'door.mode:normal', 'door.held_open:', 'door.held_open.cleared:']);
  });
});

describe('feedback', () => {
  it('shows distinct LED and buzzer patterns for granted, denied, alarm and the offline idle blink', () => {
    const d = new DoorReaderDevice().boot();
    const led = d.hal.io.pin(PIN.led!).history;
    const buzzer = d.hal.io.pin(PIN.buzzer!).history;
    const start = d.clock.now();
    d.advance(3000 - start);
    expect(d.reader.feedback.showing).toBe('online');

    let from = d.clock.now();
    d.reader.presentCard(uid('valid'), 'nfc');
    d.advance(6000);
    const granted = { led: shape(led, from), buzzer: shape(buzzer, from) };

    from = d.clock.now();
    d.reader.presentCard(uid('nobody'), 'nfc');
    d.advance(3000);
    const denied = { led: shape(led, from), buzzer: shape(buzzer, from) };

    from = d.clock.now();
    d.door(true);
    d.advance(1900);
    const alarm = { led: shape(led, from), buzzer: shape(buzzer, from) };
    d.door(false);
    expect(d.reader.feedback.showing).toBe('online');

    d.mqtt.drop();
    d.mqtt.accept = false;
    from = d.clock.now();
    d.advance(9000);
    const offline = { led: shape(led, from), buzzer: shape(buzzer, from) };
    expect(d.reader.feedback.showing).toBe('offline');

    expect(granted).toEqual({ led: [[1, 4000]], buzzer: [[1, 150]] });
    expect(denied.led).toEqual([[1, 100], [0, 100], [1, 100], [0, 100], [1, 100]]);
    expect(denied.buzzer).toEqual([[1, 80], [0, 80], [1, 80], [0, 80], [1, 80]]);
    expect(hasRun(alarm.led, [[1, 250], [0, 250], [1, 250], [0, 250]])).toBe(true);
    expect(hasRun(alarm.buzzer, [[1, 500], [0, 500], [1, 500]])).toBe(true);
    expect(hasRun(offline.led, [[1, 60], [0, 2940], [1, 60]])).toBe(true);
    for (const other of [granted.led, denied.led, alarm.led]) expect(hasRun(other, [[1, 60], [0, 2940]])).toBe(false);
    expect(offline.buzzer).toEqual([]);
  });
});
