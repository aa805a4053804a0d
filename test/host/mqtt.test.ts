import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { connect, type MqttClient } from 'mqtt';
import type { MqttConnectOptions, MqttHandlers } from '../../hal/contract/mqtt.js';
import { HostMqttTransport } from '../../hal/host/mqtt.js';
import { startEmbeddedBroker } from '../../simulator/broker.js';
import { startTestBroker, uniqueSite, type TestBroker } from '../support/broker.js';

const WAIT_MS = 10_000;

type Entry =
  | { kind: 'connect'; sessionPresent: boolean }
  | { kind: 'close'; reason: string }
  /** `payload` decoded as UTF-8 for comparisons; `bytes` its length as it arrived. */
  | { kind: 'message'; topic: string; payload: string; bytes: number; retained: boolean }
  | { kind: 'ack'; packetId: number };

type MessageEntry = Extract<Entry, { kind: 'message' }>;

/** Handlers that record every callback, and let a test wait for one. */
class Recorder implements MqttHandlers {
  readonly entries: Entry[] = [];
  #waiters: { match: (e: Entry) => boolean; resolve: (e: Entry) => void }[] = [];

  /** `react` runs inside onMessage, as the runtime answers a command from its handler. */
  constructor(private readonly react?: (message: MessageEntry) => void) {}

  onConnect(sessionPresent: boolean) { this.#add({ kind: 'connect', sessionPresent }); }
  onClose(reason: string) { this.#add({ kind: 'close', reason }); }
  onMessage(topic: string, payload: Uint8Array, retained: boolean) {
    // The payload is only valid during the call: decode it now.
    const entry: MessageEntry = { kind: 'message', topic, payload: Buffer.from(payload).toString(), bytes: payload.length, retained };
    this.#add(entry);
    this.react?.(entry);
  }
  onPublishAck(packetId: number) { this.#add({ kind: 'ack', packetId }); }

  of<K extends Entry['kind']>(kind: K): Extract<Entry, { kind: K }>[] {
    return this.entries.filter((e): e is Extract<Entry, { kind: K }> => e.kind === kind);
  }

  wait<K extends Entry['kind']>(kind: K, match: (e: Extract<Entry, { kind: K }>) => boolean = () => true): Promise<Extract<Entry, { kind: K }>> {
    const test = (e: Entry) => e.kind === kind && match(e as Extract<Entry, { kind: K }>);
    const found = this.entries.find(test);
    if (found) return Promise.resolve(found as Extract<Entry, { kind: K }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${kind}`)), WAIT_MS);
      this.#waiters.push({ match: test, resolve: (e) => { clearTimeout(timer); resolve(e as Extract<Entry, { kind: K }>); } });
    });
  }

  #add(entry: Entry) {
    this.entries.push(entry);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(entry)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  }
}

/** A platform-side client that watches topics. */
async function observe(url: string, filter: string): Promise<{ client: MqttClient; messages: Recorder }> {
  const messages = new Recorder();
  const client = connect(url, { protocolVersion: 4, reconnectPeriod: 0, clientId: `observer-${uniqueSite()}` });
  client.on('message', (topic, payload, packet) => messages.onMessage(topic, payload, packet.retain));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
    client.once('error', reject);
  });
  return { client, messages };
}

let broker: TestBroker;
const transports: HostMqttTransport[] = [];
const observers: MqttClient[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  for (const transport of transports) transport.close();
  await Promise.all(observers.map((client) => client.endAsync()));
  await broker.close();
});

function options(site: string, extra: Partial<MqttConnectOptions> = {}): MqttConnectOptions {
  return { host: broker.host, port: broker.port, clientId: `${site}-dev`, keepAliveSeconds: 30, cleanSession: true, ...extra };
}

async function connected(site: string, extra: Partial<MqttConnectOptions> = {}, events = new Recorder()) {
  const transport = new HostMqttTransport();
  transports.push(transport);
  transport.connect(options(site, extra), events);
  await events.wait('connect');
  return { transport, events };
}

/** The platform side: an mqtt.js client. */
async function platform(): Promise<MqttClient> {
  const client = connect(broker.url, { protocolVersion: 4, reconnectPeriod: 0, clientId: `platform-${uniqueSite()}` });
  observers.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

let syncs = 0;
/**
 * Subscribes and waits until the broker has the subscription: the device publishes a marker to the topic itself;
 * the broker handles the SUBSCRIBE before it, so the marker comes back once the subscription is in place.
 */
async function subscribed(transport: HostMqttTransport, events: Recorder, topic: string): Promise<void> {
  const marker = `sync-${++syncs}`;
  transport.subscribe([{ topic, qos: 1 }]);
  transport.publish(topic, marker, 1, false);
  await events.wait('message', (m) => m.payload === marker);
}

describe('HostMqttTransport against a broker', () => {
  test('QoS 1 publishes return distinct packet ids and each PUBACK reports its own id once', async () => {
    const site = uniqueSite();
    const watcher = await observe(broker.url, `ct/v1/${site}/#`);
    observers.push(watcher.client);
    const { transport, events } = await connected(site);
    expect(events.of('connect')).toEqual([{ kind: 'connect', sessionPresent: false }]);
    expect(transport.publish(`ct/v1/${site}/dev/telemetry`, 'q0', 0, false)).toBe(0);
    const ids = [1, 2, 3, 4, 5].map((n) => transport.publish(`ct/v1/${site}/dev/event`, `e${n}`, 1, false));
    expect(ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 65535)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    await Promise.all(ids.map((id) => events.wait('ack', (e) => e.packetId === id)));
    expect(events.of('ack').map((e) => e.packetId).sort()).toEqual([...ids].sort());
    await watcher.messages.wait('message', (m) => m.payload === 'e5');
    const seen = watcher.messages.of('message').map((m) => m.payload);
    expect(seen).toContain('q0');
    expect(seen.filter((p) => p !== 'q0')).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  test('subscribe delivers messages with the retained flag as the broker sets it', async () => {
    const site = uniqueSite();
    const topic = `ct/v1/${site}/dev/config/desired`;
    const { transport: platform } = await connected(`${site}-platform`);
    platform.publish(topic, 'retained-doc', 1, true);
    const { transport, events } = await connected(site);
    transport.subscribe([{ topic, qos: 1 }]);
    const retained = await events.wait('message');
    expect(retained).toEqual({ kind: 'message', topic, payload: 'retained-doc', bytes: 12, retained: true });
    platform.publish(topic, 'live-doc', 1, false);
    const live = await events.wait('message', (m) => m.payload === 'live-doc');
    expect(live.retained).toBe(false);
    platform.publish(topic, '', 1, true); // clear the retained message on a shared broker
  });

  test('a lost connection delivers the will to others and reports onClose exactly once', async () => {
    const site = uniqueSite();
    const willTopic = `ct/v1/${site}/dev/status`;
    const watcher = await observe(broker.url, willTopic);
    observers.push(watcher.client);
    const { transport, events } = await connected(site, {
      will: { topic: willTopic, payload: '{"state":"offline"}', qos: 1, retain: false },
    });
    transport.dropConnection();
    const will = await watcher.messages.wait('message');
    expect(will.payload).toBe('{"state":"offline"}');
    await events.wait('close');
    expect(transport.connected).toBe(false);
    expect(() => transport.publish(willTopic, 'x', 1, false)).toThrow(/not connected/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.of('close')).toHaveLength(1);
  });

  test('a clean close sends no will and calls no handler', async () => {
    const site = uniqueSite();
    const willTopic = `ct/v1/${site}/dev/status`;
    const watcher = await observe(broker.url, willTopic);
    observers.push(watcher.client);
    const { transport, events } = await connected(site, {
      will: { topic: willTopic, payload: 'will', qos: 1, retain: false },
    });
    transport.publish(`ct/v1/${site}/dev/event`, 'in flight', 1, false); // not yet acknowledged at close()
    transport.close();
    // Once a new session with the same client id is up, the old one is surely gone at the broker.
    await connected(site);
    watcher.client.publish(willTopic, 'marker', { qos: 1 });
    await watcher.messages.wait('message', (m) => m.payload === 'marker');
    expect(watcher.messages.of('message').map((m) => m.payload)).toEqual(['marker']);
    expect(events.entries).toEqual([{ kind: 'connect', sessionPresent: false }]);
  });

  test('a persistent session is present on the next connect', async () => {
    const site = uniqueSite();
    const first = await connected(site, { cleanSession: false });
    first.transport.subscribe([{ topic: `ct/v1/${site}/dev/command`, qos: 1 }]);
    first.transport.close();
    const second = await connected(site, { cleanSession: false });
    expect(second.events.of('connect')).toEqual([{ kind: 'connect', sessionPresent: true }]);
    second.transport.close();
    await connected(site, { cleanSession: true }); // discard the session on a shared broker
  });

  test('connect failures report onClose once: refused port, network down', async () => {
    const refused = new HostMqttTransport();
    const events = new Recorder();
    const closedBroker = await startEmbeddedBroker();
    const port = closedBroker.port;
    await closedBroker.close();
    refused.connect({ ...options(uniqueSite()), port }, events);
    const close = await events.wait('close');
    expect(close.reason).toMatch(/ECONNREFUSED/);

    const offline = new HostMqttTransport();
    const offlineEvents = new Recorder();
    offline.setNetworkUp(false);
    offline.connect(options(uniqueSite()), offlineEvents);
    expect(offlineEvents.entries).toEqual([]); // never from inside connect()
    expect((await offlineEvents.wait('close')).reason).toBe('network unreachable');
    offline.setNetworkUp(true);
    offline.connect(options(uniqueSite()), offlineEvents);
    await offlineEvents.wait('connect');
    offline.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.of('close')).toHaveLength(1);
    expect(offlineEvents.of('close')).toHaveLength(1);
  });

  test('taking the network down drops a live connection', async () => {
    const site = uniqueSite();
    const { transport, events } = await connected(site);
    transport.setNetworkUp(false);
    await events.wait('close');
    expect(transport.networkUp).toBe(false);
  });
});

describe('HostMqttTransport: what a platform (mqtt.js) sends the device', () => {
  test('empty messages (retained clear, QoS 0, QoS 1) arrive as zero-length payloads; the command after them is answered', async () => {
    const site = uniqueSite();
    const command = `ct/v1/${site}/dev/command`;
    const result = `ct/v1/${site}/dev/result`;
    const watcher = await observe(broker.url, result);
    observers.push(watcher.client);
    let device: HostMqttTransport | undefined;
    const events = new Recorder((message) => {
      if (message.topic === command && message.bytes > 0 && !message.payload.startsWith('sync-'))
        device!.publish(result, `answer:${message.payload}`, 1, false);
    });
    device = (await connected(site, {}, events)).transport;
    await subscribed(device, events, command);
    const mqttjs = await platform();
    await mqttjs.publishAsync(command, Buffer.alloc(0), { qos: 1, retain: true }); // clears a retained command
    await mqttjs.publishAsync(command, Buffer.alloc(0), { qos: 0 });
    await mqttjs.publishAsync(command, '', { qos: 1 });
    await mqttjs.publishAsync(command, '{"reqId":"r1"}', { qos: 1 });
    const answer = await watcher.messages.wait('message', (m) => m.payload === 'answer:{"reqId":"r1"}');
    expect(answer.topic).toBe(result);
    const received = events.of('message').filter((m) => !m.payload.startsWith('sync-'));
    // Delivered on an established subscription: the broker clears the retain flag (MQTT 3.1.1 §3.3.1.3).
    expect(received).toEqual([
      { kind: 'message', topic: command, payload: '', bytes: 0, retained: false },
      { kind: 'message', topic: command, payload: '', bytes: 0, retained: false },
      { kind: 'message', topic: command, payload: '', bytes: 0, retained: false },
      { kind: 'message', topic: command, payload: '{"reqId":"r1"}', bytes: 14, retained: false },
    ]);
    expect(events.of('close')).toEqual([]);
    expect(device.connected).toBe(true);
  });

  test('a 100 KB QoS 1 message is skipped, counted and acknowledged on a live connection; a persistent session does not redeliver it', async () => {
    const site = uniqueSite();
    const command = `ct/v1/${site}/dev/command`;
    const first = await connected(site, { cleanSession: false });
    const { transport, events } = first;
    await subscribed(transport, events, command);
    const mqttjs = await platform();
    await mqttjs.publishAsync(command, Buffer.alloc(100 * 1024, 0x78), { qos: 1 });
    await mqttjs.publishAsync(command, 'after the big one', { qos: 1 });
    await events.wait('message', (m) => m.payload === 'after the big one');
    expect(transport.counters).toEqual({ oversized: 1, malformed: 0 });
    expect(events.of('message').map((m) => m.bytes)).toEqual([6, 17]);
    expect(events.of('close')).toEqual([]);
    expect(transport.connected).toBe(true);
    expect(transport.network.opened).toBe(1); // the same connection throughout

    // Had the skipped message not been acknowledged, the broker would send it again first on the next session.
    transport.close();
    const again = new Recorder();
    transport.connect(options(site, { cleanSession: false }), again);
    expect(await again.wait('connect')).toEqual({ kind: 'connect', sessionPresent: true });
    await mqttjs.publishAsync(command, 'marker', { qos: 1 });
    await again.wait('message', (m) => m.payload === 'marker');
    expect(again.of('message').map((m) => m.payload)).toEqual(['marker']);
    expect(transport.counters.oversized).toBe(1);
    transport.close();
    await connected(site, { cleanSession: true }); // discard the session on a shared broker
  });

  test('a retained message is seen with retained=true on subscribing, a live one with false', async () => {
    const site = uniqueSite();
    const topic = `ct/v1/${site}/dev/config/desired`;
    const mqttjs = await platform();
    await mqttjs.publishAsync(topic, '{"v":1,"doc":"retained"}', { qos: 1, retain: true });
    const { transport, events } = await connected(site);
    transport.subscribe([{ topic, qos: 1 }]);
    expect(await events.wait('message')).toEqual({ kind: 'message', topic, payload: '{"v":1,"doc":"retained"}', bytes: 24, retained: true });
    await mqttjs.publishAsync(topic, 'live', { qos: 0 });
    expect((await events.wait('message', (m) => m.payload === 'live')).retained).toBe(false);
    await mqttjs.publishAsync(topic, '', { qos: 1, retain: true }); // clear it on a shared broker
    await events.wait('message', (m) => m.bytes === 0);
    expect(events.of('message').map((m) => [m.bytes, m.retained])).toEqual([[24, true], [4, false], [0, false]]);
  });
});

describe('HostMqttTransport on the embedded broker', () => {
  test('the packet id publish() returns is the one on the wire', async () => {
    const embedded = await startEmbeddedBroker();
    const onWire = new Map<string, number>();
    embedded.aedes.on('publish', (packet, client) => {
      if (client) onWire.set(packet.payload.toString(), packet.messageId ?? 0);
    });
    try {
      const transport = new HostMqttTransport();
      const events = new Recorder();
      transport.connect({ host: '127.0.0.1', port: embedded.port, clientId: 'wire-dev', keepAliveSeconds: 30, cleanSession: true }, events);
      await events.wait('connect');
      const returned = new Map(['a', 'b', 'c'].map((payload) => [payload, transport.publish('wire/test', payload, 1, false)]));
      await Promise.all([...returned.values()].map((id) => events.wait('ack', (e) => e.packetId === id)));
      expect(onWire).toEqual(returned);
      transport.close();
    } finally {
      await embedded.close();
    }
  });


  test('username and password reach the broker; bad ones are refused', async () => {
    const embedded = await startEmbeddedBroker();
    embedded.aedes.authenticate = (_client, username, password, done) => {
      done(null, username === 'door-1' && password?.toString() === 's3cret');
    };
    try {
      const base = { host: '127.0.0.1', port: embedded.port, clientId: 'cred-dev', keepAliveSeconds: 30, cleanSession: true };
      const bad = new HostMqttTransport();
      const badEvents = new Recorder();
      bad.connect({ ...base, username: 'door-1', password: 'wrong' }, badEvents);
      expect((await badEvents.wait('close')).reason).toMatch(/[Nn]ot authorized|[Bb]ad user/);
      expect(badEvents.of('connect')).toEqual([]);
      const good = new HostMqttTransport();
      const goodEvents = new Recorder();
      good.connect({ ...base, username: 'door-1', password: 's3cret' }, goodEvents);
      await goodEvents.wait('connect');
      good.close();
    } finally {
      await embedded.close();
    }
  });
});
