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
  writeProvisioning(xs.host.storage.kv, { ...ADDRESS, host: 'broker.local', port: 1883 });
  const mqtt = xs.host.mqtt;

  await xs.call('start');
  expect((await xs.call<Snapshot>('snapshot')).value).toMatchObject({ state: 'connecting', boot: 1 });
  expect(mqtt.connects[0]).toMatchObject({ host: 'broker.local', port: 1883, clientId: ADDRESS.device, cleanSession: false });
  const will = JSON.parse(mqtt.connects[0]!.will!.payload) as StatusMessage;
  expect(will).toMatchObject({ state: 'offline', dev: ADDRESS.device, boot: 1 });

  await mqtt.accept();
  expect((await xs.call<Snapshot>('snapshot')).value.state).toBe('online');
  const [birth] = sentOn<StatusMessage>(xs, 'status');
  expect(birth).toMatchObject({ state: 'online', model: 'xs-probe', boot: 1 });
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
