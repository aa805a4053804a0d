// The host-backed HAL seen from inside XS: every contract part reaches the Node side and back.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const TOUR = 'test/xs/entries/hal-tour.ts';
let xs: XsSession;

beforeEach(async () => {
  xs = await XsSession.start({ entry: TOUR, hostOptions: { wallTimeMs: 1_700_000_000_000, system: { freeHeap: () => 12_345, hardwareId: 'a4cf12xs0001', firmwareVersion: '0.0.0-xs' } } });
});
afterEach(() => xs.close());
afterAll(() => killAllWorkers());

const call = async <T>(name: string, ...args: unknown[]): Promise<T> => (await xs.call<T>(name, ...args)).value;

describe('time', () => {
  test('clocks read the host\'s stepped time; wall time becomes valid when set', async () => {
    expect(await call('times')).toEqual({ mono: 0, wall: 1_700_000_000_000, valid: false });
    await xs.advance(1500);
    await call('setWall', 1_800_000_000_000);
    await xs.advance(250);
    expect(await call('times')).toEqual({ mono: 1750, wall: 1_800_000_000_250, valid: true });
  });

  test('timers fire inside XS in time order as the host steps the clock, and clear() stops them', async () => {
    await call('startTimer', 'once', 300, false);
    await call('startTimer', 'tick', 100, true);
    await xs.advance(99);
    expect(await call('firedTimers')).toEqual([]);
    await xs.advance(301);
    // Same tie rule as the host's SteppedClock: a re-armed repeating timer queues behind one set earlier.
    expect(await call('firedTimers')).toEqual(['tick@100', 'tick@200', 'once@300', 'tick@300', 'tick@400']);
    await call('stopTimer', 'tick');
    await xs.advance(1000);
    expect(await call('firedTimers')).toEqual([]);
    expect(xs.host.clock.pendingTimers).toBe(0);
  });
});

describe('storage', () => {
  test('key-value values of every kind round-trip and land in the host store', async () => {
    expect(await call('kvRoundTrip')).toEqual(['hello', 42, 'absent', [1, 2, 255], ['bytes', 'count', 'text']]);
    expect(xs.host.storage.kv.get('tour', 'count')).toBe(42);
  });

  test('a host refusal (oversized value) is an Error inside XS and stores nothing', async () => {
    expect(await call('kvSet', 'big', 'x'.repeat(5000))).toMatch(/^refused: .*exceeds 3999/);
    expect(xs.host.storage.kv.get('tour', 'big')).toBeUndefined();
    expect(await call('kvSet', 'small', 'ok')).toBe('stored');
  });

  test('flash partitions have NOR semantics and are the host\'s', async () => {
    const [a, b, c, byteLength, noneMissing] = await call<number[]>('flashNor');
    expect([a, b, c]).toEqual([0xf0 & 0x3c, 0x0f, 0xff]);
    expect(byteLength).toBe(xs.host.storage.partition('outbox')!.byteLength);
    expect(noneMissing).toBe(1);
    const block = new Uint8Array(xs.host.storage.partition('outbox')!.read(4096, 2));
    expect([...block]).toEqual([0x30, 0x0f]);
  });
});

test('crypto answers match node:crypto', async () => {
  const result = await call<{ sha: string; hmac: string; random: number }>('digests', 'héllo');
  expect(result.sha).toBe(createHash('sha256').update('héllo').digest('hex'));
  expect(result.hmac).toBe(createHmac('sha256', Buffer.from([1, 2, 3])).update('héllo').digest('hex'));
  expect(result.random).toBe(16);
});

test('MQTT is scripted by the test: connect, subscribe, publish, PUBACK, inject, drop', async () => {
  await call('mqttConnect');
  expect(xs.host.mqtt.connects[0]).toMatchObject({ clientId: 'tour', will: { retain: true } });
  expect(await call('mqttPublish', 'early', 1)).toBe('refused: mqtt: not connected');
  await xs.host.mqtt.accept(true);
  expect(xs.host.mqtt.subscriptions).toEqual([{ topic: 'ct/v1/s/d/command', qos: 1 }]);
  const packetId = await call<number>('mqttPublish', '{"n":1}', 1);
  expect(await call('mqttPublish', '{"n":2}', 0)).toBe(0);
  expect(xs.host.mqtt.unacked.map((m) => m.payload)).toEqual(['{"n":1}']);
  await xs.host.mqtt.puback(packetId);
  await xs.host.mqtt.inject('ct/v1/s/d/command', '{}', true);
  await xs.host.mqtt.drop('network down');
  expect(await call('mqttEvents')).toEqual([
    'connect true',
    `puback ${packetId}`,
    'message ct/v1/s/d/command {} true',
    'close network down',
  ]);
});

test('system calls reach the host: log lines, and a watchdog on the host clock that bites when not fed', async () => {
  expect(await call('system')).toEqual({ id: 'a4cf12xs0001', fw: '0.0.0-xs', reset: 'power-on', heap: 12_345 });
  expect(xs.host.logs).toEqual([{ level: 'info', message: 'tour says hi' }]);
  await xs.advance(4999);
  expect(xs.host.restarts).toEqual([]);
  await xs.advance(1);
  expect(xs.host.restarts).toEqual(['watchdog']);
});

test('a Digital input edge driven on the host reaches onReadable inside XS', async () => {
  await call('watchButton', 4);
  expect(await call('readButton')).toBe(1);
  // The host binding delivers edges through the device's timer queue, as an event loop would.
  xs.host.io.pin(4).setInput(0);
  await xs.advance(0);
  xs.host.io.pin(4).setInput(1);
  await xs.advance(0);
  expect(await call('buttonEdges')).toEqual([0]);
  expect(await call('readButton')).toBe(1);
});
