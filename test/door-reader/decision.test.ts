// The grant/deny matrix through the whole door reader: cards on the simulated MFRC522, keys on the Wiegand keypad,
// resident QR codes, decided against a credential list synced into the real store; and the time arithmetic.
import { DoorReaderDevice, KEYS, PREFIX, PROFILES, TODAY, WALL_TIME, standardList, uid } from './door-reader-device.js';
import { hasDoor, localDay, localMinuteOfWeek, scheduleAllows } from '../../firmware/apps/door-reader/decision.js';
import { deltaSync, encodeList, keyedHash, syncCommands } from '../../scripts/platform/credential-encoder.js';

describe('the grant/deny matrix', () => {
  it.each([
    ['valid', 'card:granted'],
    ['nobody', 'card:unknown'],
    ['expired', 'card:expired'],
    ['future', 'card:not_yet_valid'],
    ['office', 'card:outside_schedule'],
    ['door3', 'card:wrong_door'],
    ['flagged', 'card:revoked'],
  ])('card "%s" → %s, and the lock moves only for a grant', (name, outcome) => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid(name));
    expect(d.outcomes()).toEqual([outcome]);
    const granted = outcome.endsWith(':granted');
    expect(d.relay).toBe(granted ? 1 : 0);
    expect(d.relayHistory[0]!.some((change) => change.level === 1)).toBe(granted);
  });

  it('follows the weekly schedule in local time (tzOffsetMin)', () => {
    // 08:00 UTC on a Friday: before the 09:00–17:00 window in UTC, inside it at UTC+2.
    const d = new DoorReaderDevice().boot();
    d.tap(uid('office'));
    d.configure({ tzOffsetMin: 120 });
    d.advance(5000);
    d.tap(uid('office'));
    d.configure({ tzOffsetMin: 600 }); // 18:00 local: after the window
    d.advance(5000);
    d.tap(uid('office'));
    expect(d.outcomes()).toEqual(['card:outside_schedule', 'card:granted', 'card:outside_schedule']);
  });

  it('scopes cards to doors by the configured door number', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ door: 3 });
    d.tap(uid('door3'));
    d.advance(5000);
    d.tap(uid('office'));
    expect(d.outcomes()).toEqual(['card:granted', 'card:wrong_door']);
    expect(d.events(/^access\./).map((event) => event.data.door)).toEqual([3, 3]);
  });

  it('asks a card + PIN credential for its PIN: right, wrong, or none before the timeout', () => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid('withpin'));
    expect(d.outcomes()).toEqual([]);
    expect(d.relay).toBe(0);
    d.type('4321#');
    expect(d.relay).toBe(1);
    d.advance(5000);
    d.tap(uid('withpin'));
    d.type('9999#');
    d.tap(uid('withpin'));
    d.advance(10_000);
    expect(d.outcomes()).toEqual(['card+pin:granted', 'card+pin:wrong_pin', 'card+pin:pin_required']);
    expect(d.relayHistory[0]!.filter((change) => change.level === 1)).toHaveLength(1);
  });

  it('takes PIN-only codes and locks the keypad after repeated wrong PINs', () => {
    const d = new DoorReaderDevice().boot();
    d.type('246810#');
    d.advance(5000);
    for (let i = 0; i < 5; i++) d.type('111111#');
    d.type('246810#'); // the right one, but the keypad is locked
    d.advance(300_000);
    d.type('246810#');
    expect(d.outcomes()).toEqual(['pin:granted', ...Array(5).fill('pin:unknown'), 'pin:pin_locked', 'pin:granted']);
    expect(d.events('access.denied')[4]!.data.keypadLocked).toBe(true);
  });

  it('keeps wrong-PIN counts and the keypad lock across a power cut, and forgets a lock once served', () => {
    const d = new DoorReaderDevice().boot();
    for (let i = 0; i < 4; i++) d.type('111111#');
    d.powerCycle(); // a guesser cuts the reader's power to reset the count
    d.type('222222#'); // the fifth wrong PIN in a row still locks
    d.type('246810#');
    expect(d.outcomes().slice(-2)).toEqual(['pin:unknown', 'pin:pin_locked']);
    expect(d.events('access.denied').at(-2)!.data.keypadLocked).toBe(true);
    d.powerCycle(); // and the lock survives the restart: it runs its full period again
    d.type('246810#');
    expect(d.outcomes().at(-1)).toBe('pin:pin_locked');
    d.advance(300_000);
    d.type('246810#');
    expect(d.outcomes().at(-1)).toBe('pin:granted');
    d.powerCycle(); // served: a restart does not lock the pad again
    d.type('246810#');
    expect(d.outcomes().at(-1)).toBe('pin:granted');
  });

  // Checked at the period's edge (pinLockoutS after the last wrong PIN). It also keeps the test cheap: virtual
  // time runs the MFRC522's 150 ms polls through the simulated chip (a week took minutes).
  it.each([
    ['1 ms short of it, the count survives and one more wrong PIN locks', -1, 'pin:pin_locked'],
    ['once it has passed, they are forgotten', 0, 'pin:granted'],
  ])('forgets wrong PINs after a quiet lockout period, also across a later restart: %s', (_when, edgeMs, last) => {
    const d = new DoorReaderDevice().boot();
    for (let i = 0; i < 4; i++) d.type('111111#');
    const lastWrong = d.events('access.denied').at(-1)!.up;
    d.advance(lastWrong + d.reader.settings.pinLockoutMs + edgeMs - d.clock.now());
    d.powerCycle();
    d.type('222222#'); // one typo: the fifth wrong PIN in a row, unless the four were forgotten
    d.type('246810#');
    expect(d.outcomes().slice(-2)).toEqual(['pin:unknown', last]);
  });

  it('drops a half-typed PIN after the entry timeout', () => {
    const d = new DoorReaderDevice().boot();
    d.type('2468');
    d.advance(11_000);
    d.type('10#');
    expect(d.outcomes()).toEqual(['pin:unknown']);
  });

  it('accepts a resident QR code from the list and cards from the Wiegand reader', () => {
    const d = new DoorReaderDevice({ list: [...standardList(), { kind: 'card', secret: Uint8Array.of(12, 0x0d, 0x80), validFrom: TODAY, validTo: TODAY, profile: 0 }] }).boot();
    d.scan('RESIDENT-QR-1');
    d.advance(5000);
    d.scan('SOMEONE-ELSE');
    d.advance(5000);
    d.wiegand.sendCard(26, [12, 0x0d, 0x80]);
    d.advance(500);
    expect(d.outcomes()).toEqual(['qr:granted', 'qr:unknown', 'card:granted']);
    expect(d.events('access.granted').map((event) => event.data.reader)).toEqual([undefined, 'wiegand']);
  });

  it('refuses a card revoked or removed by a delta sync sent over MQTT, and keeps the others', () => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid('leaver'));
    d.advance(5000);
    const next = standardList().filter((_, i) => i !== 7); // the leaver
    next.push({ kind: 'card', secret: uid('valid2'), validFrom: TODAY, validTo: TODAY + 1, profile: 0 });
    next[0] = { ...next[0]!, revoked: true };
    const delta = deltaSync(KEYS, d.list!, encodeList(KEYS, 2, next, PROFILES));
    for (const command of syncCommands(delta, { exp: WALL_TIME + 60_000 })) d.mqtt.deliver(`${PREFIX}/command`, JSON.stringify(command));
    d.ack();
    expect(d.events('credentials.synced')).toHaveLength(1);
    d.tap(uid('leaver'));
    d.advance(5000);
    d.tap(uid('valid'));
    d.advance(5000);
    d.tap(uid('valid2'));
    expect(d.outcomes()).toEqual(['card:granted', 'card:unknown', 'card:revoked', 'card:granted']);
  });

  it('refuses every credential in lockdown', () => {
    const d = new DoorReaderDevice().boot();
    expect(d.signed('door.lockdown', { door: 0 }).code).toBe('ok');
    d.tap(uid('valid'));
    d.type('246810#');
    expect(d.outcomes()).toEqual(['card:lockdown', 'pin:lockdown']);
    expect(d.relay).toBe(0);
  });

  it('names a card by its keyed hash only (known or not), a PIN only when it opened, never raw', () => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid('valid'));
    d.advance(5000);
    d.tap(uid('nobody'));
    d.advance(5000);
    d.type('246810#');
    d.advance(5000);
    d.type('135799#');
    const events = d.events(/^access\./);
    expect(events[0]!.data.ref).toBe(Buffer.from(keyedHash(KEYS, 'card', uid('valid')).subarray(0, 6)).toString('hex'));
    expect(events[1]!.data.ref).toBe(Buffer.from(keyedHash(KEYS, 'card', uid('nobody')).subarray(0, 6)).toString('hex'));
    expect(events[2]!.data.ref).toBe(Buffer.from(keyedHash(KEYS, 'pin', '246810').subarray(0, 6)).toString('hex'));
    expect(events[3]!.data.ref).toBeUndefined();
    const text = d.eventPayloads().join('\n');
    for (const secret of [uid('valid'), uid('nobody')]) expect(text).not.toContain(Buffer.from(secret).toString('hex'));
    expect(text).not.toContain('246810');
    expect(text).not.toContain('135799');
  });

  it('decides offline exactly as online, and says so in the event', () => {
    const d = new DoorReaderDevice().boot();
    d.mqtt.drop();
    d.mqtt.accept = false;
    d.tap(uid('valid'));
    d.advance(5000);
    d.tap(uid('expired'));
    d.mqtt.accept = true;
    d.advance(10_000);
    const events = d.events(/^access\./);
    expect(events.map((event) => [event.data.reason, event.data.offline])).toEqual([['granted', true], ['expired', true]]);
  });

  it('without trusted time, never lets time run back past what it last knew', () => {
    const d = new DoorReaderDevice().boot();
    d.tap(uid('valid')); // trusted time: saves it
    const cold = new DoorReaderDevice({ wallTimeValid: false });
    for (const domain of ['door']) for (const key of d.storage.kv.keys(domain)) cold.storage.kv.set(domain, key, d.storage.kv.get(domain, key)!);
    cold.boot(); // the wall clock guesses 1970, the saved time says better
    cold.tap(uid('valid'));
    cold.advance(5000);
    cold.tap(uid('expired'));
    expect(cold.outcomes()).toEqual(['card:granted', 'card:expired']);
    expect(cold.events('access.granted')[0]!.data.timeTrusted).toBe(false);
  });
});

describe('decision time arithmetic', () => {
  const at = (iso: string) => Date.parse(iso);

  it('counts local calendar days from 2020-01-01', () => {
    expect(localDay(at('2020-01-01T00:00:00Z'), 0)).toBe(0);
    expect(localDay(at('2020-01-01T23:30:00Z'), 60)).toBe(1);
    expect(localDay(at('2020-01-01T00:30:00Z'), -60)).toBe(-1);
    expect(localDay(WALL_TIME, 0)).toBe(TODAY);
  });

  it('counts minutes of the week from Monday 00:00 local', () => {
    expect(localMinuteOfWeek(at('2024-01-01T00:00:00Z'), 0)).toBe(0); // a Monday
    expect(localMinuteOfWeek(at('2024-01-07T23:59:00Z'), 0)).toBe(7 * 1440 - 1);
    expect(localMinuteOfWeek(at('2024-01-07T23:00:00Z'), 120)).toBe(60); // Monday 01:00 at UTC+2
    expect(localMinuteOfWeek(at('2024-01-01T00:30:00Z'), -60)).toBe(7 * 1440 - 30); // still Sunday at UTC−1
  });

  it('checks windows and door masks', () => {
    const weekdays = [{ days: 0x1f, start: 540, end: 1020 }];
    expect(scheduleAllows(weekdays, 540)).toBe(true);
    expect(scheduleAllows(weekdays, 1020)).toBe(false);
    expect(scheduleAllows(weekdays, 5 * 1440 + 600)).toBe(false); // Saturday
    expect(scheduleAllows([], 600)).toBe(false);
    expect(hasDoor(0x8000_0000, 31)).toBe(true);
    expect(hasDoor(0x8000_0000, 30)).toBe(false);
    expect(hasDoor(0b1000, 3)).toBe(true);
  });
});
