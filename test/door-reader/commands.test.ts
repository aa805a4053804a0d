// Remote door commands: signed with the site command key, expiring and idempotent (the runtime's part), and
// never a relay movement for a malformed, unsigned or wrongly signed message.
import { jest } from '@jest/globals';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { digest } from '../support/door-reader/credential-device.js';
import { DoorReaderDevice, KEYS, PREFIX } from './door-reader-device.js';

const released = (d: DoorReaderDevice) => d.relayHistory.flat().filter((change) => change.level === 1).length;

describe('signed door commands', () => {
  it('door.unlock releases the lock once per reqId and logs a remote grant', () => {
    const d = new DoorReaderDevice().boot();
    const exp = d.hal.wallClock.now() + 20_000;
    const result = d.signed('door.unlock', { door: 0, ms: 2500 }, { reqId: 'u-1', exp });
    expect(result).toMatchObject({ code: 'ok', data: { door: 0, mode: 'normal', unlockMs: 2500 } });
    expect(d.relay).toBe(1);
    d.advance(2500);
    expect(d.relay).toBe(0);
    const again = d.signed('door.unlock', { door: 0, ms: 2500 }, { reqId: 'u-1', exp });
    expect(again).toMatchObject({ code: 'ok', data: result.data });
    d.powerCycle();
    expect(d.signed('door.unlock', { door: 0, ms: 2500 }, { reqId: 'u-1', exp }).code).toBe('ok');
    expect(released(d)).toBe(1);
    expect(d.events('access.granted').map((event) => [event.data.kind, event.data.reqId])).toEqual([['remote', 'u-1']]);
  });

  it('never moves the relay for a malformed, unsigned, mis-signed, misdirected, expired or retained command', () => {
    const d = new DoorReaderDevice().boot();
    const set = jest.spyOn(d.storage.kv, 'set');
    const now = d.hal.wallClock.now();
    const exp = now + 30_000;
    const sig = (name: string, reqId: string, door = 0, key = KEYS.commandKey, when = exp) => signCommand(key, name, reqId, when, door);
    const send = (reqId: string, name: string, args: unknown, options: { exp?: number; retained?: boolean; raw?: string } = {}) => {
      const payload = options.raw ?? JSON.stringify({ v: 1, msg: 'command', reqId, name, exp: options.exp ?? exp, args });
      d.mqtt.deliver(`${PREFIX}/command`, payload, options.retained ?? false);
      d.ack();
    };
    send('a', 'door.unlock', { door: 0 });
    send('b', 'door.unlock', { door: 0, sig: sig('door.unlock', 'other-req') });
    send('c', 'door.unlock', { door: 0, sig: sig('door.unlock', 'c', 0, digest('not the site key')) });
    send('d', 'door.unlock', { door: 1, sig: sig('door.unlock', 'd', 1) }); // signed, but for door 1
    send('e', 'door.hold_open', { door: 0, sig: sig('door.unlock', 'e') }); // an unlock signature as a hold-open
    send('f', 'door.unlock', { door: 0, sig: sig('door.unlock', 'f').toUpperCase() });
    send('g', 'door.unlock', { door: 0, ms: 10, sig: sig('door.unlock', 'g') });
    send('h', 'door.unlock', { door: 0, extra: 1, sig: sig('door.unlock', 'h') });
    send('i', 'door.unlock', { door: '0', sig: sig('door.unlock', 'i') });
    send('j', 'door.unlock', { door: 0, sig: sig('door.unlock', 'j', 0, KEYS.commandKey, now - 1) }, { exp: now - 1 });
    send('k', 'door.unlock', { door: 0, sig: sig('door.unlock', 'k') }, { retained: true });
    send('l', 'door.unlock', { door: 0, sig: sig('door.unlock', 'l', 0, KEYS.commandKey, exp + 1) }); // exp not what was signed
    send('l2', 'door.unlock', { door: 0, ms: 60_000, sig: sig('door.unlock', 'l2') }); // ms added after signing
    send('m', '', {}, { raw: '{"v":1,"msg":"command","reqId":"m","name":"door.unlock","exp":1,"args":{"door":0,' });
    send('n', '', {}, { raw: '\u0000\u00ff garbage' });
    d.advance(10_000);
    const results = d.mqtt.messages<ResultMessage>('result').map((result) => `${result.reqId}:${result.code}`);
    expect(results).toEqual([
      'a:invalid', 'b:invalid', 'c:invalid', 'd:invalid', 'e:invalid', 'f:invalid', 'g:invalid', 'h:invalid', 'i:invalid',
      'j:expired', 'k:rejected', 'l:invalid', 'l2:invalid',
    ]);
    expect(released(d)).toBe(0);
    expect(d.events(/^access\./)).toEqual([]);
    // Refusals are kept in RAM: a flood of forgeries does not wear the flash.
    expect(set.mock.calls.filter(([domain]) => domain === 'cmd')).toEqual([]);
    expect(d.mqtt.messages<ResultMessage>('result').find((result) => result.reqId === 'c')!.reason).toMatch(/signature/);
  });

  it('refuses every signed command when no command key was provisioned', () => {
    const d = new DoorReaderDevice({ keys: false }).boot();
    const result = d.signed('door.unlock', { door: 0 });
    expect(result).toMatchObject({ code: 'invalid' });
    expect(result.reason).toMatch(/no command key/);
    expect(released(d)).toBe(0);
  });

  it('lockdown persists across restarts until door.normal, and is reported in events', () => {
    const d = new DoorReaderDevice().boot();
    expect(d.signed('door.lockdown', { door: 0 }).data).toEqual({ door: 0, mode: 'lockdown', previous: 'normal' });
    d.powerCycle();
    expect(d.reader.door.mode).toBe('lockdown');
    expect(d.runtime.health()).toMatchObject({ door: 'lockdown' });
    expect(d.signed('door.lockdown', { door: 0 }).data).toEqual({ door: 0, mode: 'lockdown', previous: 'lockdown' });
    expect(d.signed('door.unlock', { door: 0 }).code).toBe('ok'); // the operator may still let someone in
    expect(d.relay).toBe(1);
    d.signed('door.normal', { door: 0 });
    d.powerCycle();
    expect(d.reader.door.mode).toBe('normal');
    expect(d.events('door.mode').map((event) => `${String(event.data.previous)}→${String(event.data.mode)}`)).toEqual(['normal→lockdown', 'lockdown→normal']);
  });
});
