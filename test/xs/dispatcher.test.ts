// The command path on the real XS engine: validation, expiry, idempotency by reqId (across a restart too) and
// result codes, with the dispatcher's memory in the host's key-value store.
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/dispatcher-scenario.ts';
const COMMAND_TOPIC = 'ct/v1/site-1/door-7/command';
const RESULT_TOPIC = 'ct/v1/site-1/door-7/result';
const NOW = 1_770_000_000_000;

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

async function bootDevice(host?: XsSession['host']): Promise<XsSession> {
  const xs = await XsSession.start({
    entry: ENTRY,
    ...(host ? { host } : { hostOptions: { wallTimeMs: NOW, wallTimeValid: true } }),
  });
  sessions.push(xs);
  await xs.call('boot');
  await xs.host.mqtt.accept();
  return xs;
}

const command = (reqId: string, name: string, exp: number, args?: Record<string, unknown>) =>
  JSON.stringify({ v: 1, msg: 'command', reqId, name, exp, ...(args && { args }) });

function results(xs: XsSession): ResultMessage[] {
  return xs.host.mqtt.published
    .filter((message) => message.topic === RESULT_TOPIC)
    .map((message) => {
      const checked = validateOutbound(JSON.parse(message.payload));
      if (!checked.ok) throw new Error(`device sent an invalid result: ${checked.error}\n${message.payload}`);
      return checked.message as ResultMessage;
    });
}

const codes = (xs: XsSession) => results(xs).map(({ reqId, code }) => `${reqId}:${code}`);

test('malformed and unknown commands get error results; an unreadable one is dropped; the device keeps running', async () => {
  const xs = await bootDevice();
  expect(xs.host.mqtt.subscriptions).toEqual([{ topic: COMMAND_TOPIC, qos: 1 }]);
  await xs.host.mqtt.inject(COMMAND_TOPIC, '{"v":1,"msg":"command","reqId":"bad-1","name":"door.open","exp":"soon"}');
  await xs.host.mqtt.inject(COMMAND_TOPIC, '{ not json');
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('odd-1', 'door.melt', NOW + 60_000));
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('args-1', 'door.open', NOW + 60_000, { door: 'front' }));
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('ret-1', 'door.open', NOW + 60_000, { door: 1 }), true);
  expect(codes(xs)).toEqual(['bad-1:invalid', 'odd-1:unsupported', 'args-1:invalid', 'ret-1:rejected']);
  expect(results(xs)[0]!.reason).toMatch(/exp/);
  const { value: status } = await xs.call<{ opened: number[]; dropped: string[] }>('status');
  expect(status.opened).toEqual([]);
  expect(status.dropped).toHaveLength(1);
  // Still serving commands after all that.
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('ok-1', 'door.open', NOW + 60_000, { door: 1 }));
  expect(codes(xs).at(-1)).toBe('ok-1:ok');
});

test('an expired command is rejected as expired and not executed', async () => {
  const xs = await bootDevice();
  await xs.advance(5_000);
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('late-1', 'door.open', NOW + 4_999, { door: 3 }));
  await xs.host.mqtt.inject(COMMAND_TOPIC, command('ontime-1', 'door.open', NOW + 5_000, { door: 3 }));
  expect(codes(xs)).toEqual(['late-1:expired', 'ontime-1:ok']);
  expect((await xs.call<{ opened: number[] }>('status')).value.opened).toEqual([3]);
});

test('a repeated reqId returns the same result and executes once, also after a restart', async () => {
  const first = await bootDevice();
  const open = command('open-1', 'door.open', NOW + 60_000, { door: 2 });
  await first.host.mqtt.inject(COMMAND_TOPIC, open);
  await first.host.mqtt.inject(COMMAND_TOPIC, open);
  const [original, repeat] = results(first);
  expect(original).toMatchObject({ reqId: 'open-1', code: 'ok', data: { door: 2, openCount: 1 } });
  expect({ ...repeat, up: 0, ts: 0 }).toEqual({ ...original, up: 0, ts: 0 });
  expect((await first.call('status')).value).toMatchObject({ opened: [2], executed: 1 });

  await first.close();
  const second = await bootDevice(first.host.rebooted());
  await second.host.mqtt.inject(COMMAND_TOPIC, open);
  const afterRestart = results(second).at(-1)!;
  expect({ ...afterRestart, up: 0, ts: 0 }).toEqual({ ...original, up: 0, ts: 0 });
  expect((await second.call('status')).value).toMatchObject({ opened: [], executed: 0 });
});

test('a retained copy of a command that already ran gets rejected, not the remembered ok, also after a restart', async () => {
  const first = await bootDevice();
  const open = command('open-9', 'door.open', NOW + 60_000, { door: 4 });
  await first.host.mqtt.inject(COMMAND_TOPIC, open);
  await first.host.mqtt.inject(COMMAND_TOPIC, open, true);
  expect(codes(first)).toEqual(['open-9:ok', 'open-9:rejected']);
  expect(results(first)[1]!.reason).toMatch(/retained/);

  await first.close();
  const second = await bootDevice(first.host.rebooted());
  await second.host.mqtt.inject(COMMAND_TOPIC, open, true);
  await second.host.mqtt.inject(COMMAND_TOPIC, open);
  // The rebooted host keeps the broker's record of the first boot: what the second boot sent comes after it.
  expect(codes(second).slice(2)).toEqual(['open-9:rejected', 'open-9:ok']);
  expect((await second.call('status')).value).toMatchObject({ opened: [], executed: 0 });
});

test('bytes that are not UTF-8 in a string field: invalid, the door stays shut; valid multi-byte UTF-8 is fine', async () => {
  const xs = await bootDevice();
  const withBytes = (reqId: string, hex: string) => {
    const [before, after] = command(reqId, 'door.open', NOW + 60_000, { door: 1, note: '@' }).split('@');
    return Uint8Array.from([...Buffer.from(before!), ...Buffer.from(hex, 'hex'), ...Buffer.from(after!)]);
  };
  await xs.host.mqtt.inject(COMMAND_TOPIC, withBytes('bad-utf8-1', 'c0af'));
  await xs.host.mqtt.inject(COMMAND_TOPIC, withBytes('bad-utf8-2', 'edb080'));
  await xs.host.mqtt.inject(COMMAND_TOPIC, withBytes('bad-utf8-3', 'f4908080'));
  await xs.host.mqtt.inject(COMMAND_TOPIC, withBytes('bad-utf8-4', 'e282'));
  await xs.host.mqtt.inject(COMMAND_TOPIC, withBytes('good-utf8', 'd0b6f09d849e'));
  expect(codes(xs)).toEqual(['bad-utf8-1:invalid', 'bad-utf8-2:invalid', 'bad-utf8-3:invalid', 'bad-utf8-4:invalid', 'good-utf8:ok']);
  expect(results(xs)[0]!.reason).toBe('payload: not valid UTF-8');
  expect((await xs.call('status')).value).toMatchObject({ opened: [1], executed: 1 });
});
