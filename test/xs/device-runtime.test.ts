// The device runtime on the real XS engine: what the lead's Node tests check on V8, smoke-tested on XS.
import { afterAll, afterEach, expect, test } from '@jest/globals';
import type { EventMessage, ResultMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import { deviceSubscriptions } from '../../firmware/protocol/topics.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/runtime-scenario.ts';
const ADDRESS = { site: 'site-1', device: 'probe-1' };
const topic = (channel: string) => `ct/v1/${ADDRESS.site}/${ADDRESS.device}/${channel}`;

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

type Snapshot = { state: string; boot: number; reconnects: number; health: Record<string, unknown> };

function sentOn<T>(xs: XsSession, channel: string): T[] {
  return xs.host.mqtt.published
    .filter((message) => message.topic === topic(channel))
    .map((message) => {
      const checked = validateOutbound(JSON.parse(message.payload));
      if (!checked.ok) throw new Error(`invalid ${channel} message from the device: ${checked.error}\n${message.payload}`);
      return checked.message as T;
    });
}

test('boots, connects with a will, publishes a valid birth, answers commands, delivers events, reconnects', async () => {
  let xs = await XsSession.start({ entry: ENTRY, hostOptions: { wallTimeMs: 1_770_000_000_000, wallTimeValid: true } });
  sessions.push(xs);
  // A lab broker outside loopback: plain MQTT without credentials only under prov/insecure, which the birth reports.
  writeProvisioning(xs.host.storage.kv, { ...ADDRESS, host: 'broker.local', port: 1883, insecure: true });
  const mqtt = xs.host.mqtt;

  await xs.call('start');
  expect((await xs.call<Snapshot>('snapshot')).value).toMatchObject({ state: 'connecting', boot: 1 });
  expect(mqtt.connects[0]).toMatchObject({ host: 'broker.local', port: 1883, clientId: `${ADDRESS.site}.${ADDRESS.device}`, cleanSession: false });
  const will = JSON.parse(mqtt.connects[0]!.will!.payload) as StatusMessage;
  expect(will).toMatchObject({ state: 'offline', dev: ADDRESS.device, boot: 1 });

  await mqtt.accept();
  expect((await xs.call<Snapshot>('snapshot')).value.state).toBe('online');
  const [birth] = sentOn<StatusMessage>(xs, 'status');
  expect(birth).toMatchObject({ state: 'online', model: 'xs-probe', boot: 1, insecure: true });
  expect(mqtt.published.find((message) => message.topic === topic('status'))!.retain).toBe(true);
  expect(mqtt.subscriptions).toEqual(deviceSubscriptions(ADDRESS));

  const exp = 1_770_000_060_000;
  await mqtt.inject(topic('command'), JSON.stringify({ v: 1, msg: 'command', reqId: 'p-1', name: 'ping', exp }));
  await mqtt.inject(topic('command'), JSON.stringify({ v: 1, msg: 'command', reqId: 'e-1', name: 'probe.echo', exp, args: { x: 1 } }));
  await mqtt.inject(topic('command'), '{"v":1,"msg":"command","reqId":"m-1"}');
  expect(sentOn<ResultMessage>(xs, 'result').map(({ reqId, code }) => `${reqId}:${code}`)).toEqual(['p-1:ok', 'e-1:ok', 'm-1:invalid']);

  expect((await xs.call('emit', 'door.opened', { door: 1 })).value).toBe(1);
  await mqtt.pubackAll();
  expect(sentOn<EventMessage>(xs, 'event').map(({ seq, type, boot }) => `${seq}:${type}:${boot}`)).toEqual(['1:door.opened:1']);
  expect((await xs.call<Snapshot>('snapshot')).value.health).toMatchObject({ outboxDepth: 0 });

  await mqtt.drop('broker went away');
  expect((await xs.call<Snapshot>('snapshot')).value.state).toBe('offline');
  await xs.advance(1000); // the first backoff delay is at most initialMs (1 s)
  expect(mqtt.connects).toHaveLength(2);
  await mqtt.accept();
  expect((await xs.call<Snapshot>('snapshot')).value).toMatchObject({ state: 'online', reconnects: 1 });

  // A restart on the same storage is the next boot.
  await xs.close();
  xs = await XsSession.start({ entry: ENTRY, host: xs.host.rebooted() });
  sessions.push(xs);
  await xs.call('start');
  expect((await xs.call<Snapshot>('snapshot')).value).toMatchObject({ state: 'connecting', boot: 2 });
});

test('on XS: bytes that are not UTF-8 are answered invalid and never run; a retained copy of a command that ran is rejected', async () => {
  const xs = await XsSession.start({ entry: ENTRY, hostOptions: { wallTimeMs: 1_770_000_000_000, wallTimeValid: true } });
  sessions.push(xs);
  writeProvisioning(xs.host.storage.kv, { ...ADDRESS, host: '127.0.0.1', port: 1883 });
  const mqtt = xs.host.mqtt;
  await xs.call('start');
  await mqtt.accept();
  expect(sentOn<StatusMessage>(xs, 'status')[0]).not.toHaveProperty('insecure');

  const exp = 1_770_000_060_000;
  const echo = (reqId: string, hex: string) => {
    const [before, after] = JSON.stringify({ v: 1, msg: 'command', reqId, name: 'probe.echo', exp, args: { text: '@' } }).split('@');
    return Uint8Array.from([...Buffer.from(before!), ...Buffer.from(hex, 'hex'), ...Buffer.from(after!)]);
  };
  await mqtt.inject(topic('command'), echo('u-overlong', 'c0af'));
  await mqtt.inject(topic('command'), echo('u-surrogate', 'eda080'));
  await mqtt.inject(topic('command'), echo('u-truncated', 'f09f9a'));
  await mqtt.inject(topic('command'), echo('u-stray', 'bf'));
  await mqtt.inject(topic('command'), new Uint8Array(0), true); // a cleared retained command: dropped
  await mqtt.inject(topic('command'), echo('u-good', 'c3a9e69591f09f9a91'));
  await mqtt.inject(topic('command'), echo('u-good', 'c3a9e69591f09f9a91'), true);
  await mqtt.inject(topic('command'), '{"v":1,"msg":"command","reqId":"d-1","name":"probe.echo","exp":1770000060000,"args":{"a":1,"a":2}}');
  await mqtt.inject(topic('command'), '{"v":1,"msg":"command","reqId":"s-1","name":"probe.echo","exp":1770000060000,"args":{"a":"\\ud800"}}');
  const results = sentOn<ResultMessage>(xs, 'result');
  expect(results.map(({ reqId, code }) => `${reqId}:${code}`)).toEqual([
    'u-overlong:invalid', 'u-surrogate:invalid', 'u-truncated:invalid', 'u-stray:invalid', 'u-good:ok', 'u-good:rejected', 'd-1:invalid', 's-1:invalid',
  ]);
  expect(results[0]!.reason).toBe('payload: not valid UTF-8');
  expect(results[4]!.data).toEqual({ text: 'é救🚑' });
  expect(results[5]!.reason).toMatch(/retained/);
  expect(results[6]!.reason).toBe('payload: an object has the same key twice');
  expect(results[7]!.reason).toMatch(/surrogate/);
  expect((await xs.call<Snapshot>('snapshot')).value.health).toMatchObject({ rejectedMessages: 8 });
});
