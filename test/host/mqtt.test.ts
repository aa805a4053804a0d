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
  | { kind: 'message'; topic: string; payload: string; retained: boolean }
  | { kind: 'ack'; packetId: number };

/** Handlers that record every callback, and let a test wait for one. */
class Recorder implements MqttHandlers {
  readonly entries: Entry[] = [];
  #waiters: { match: (e: Entry) => boolean; resolve: (e: Entry) => void }[] = [];

  onConnect(sessionPresent: boolean) { this.#add({ kind: 'connect', sessionPresent }); }
  onClose(reason: string) { this.#add({ kind: 'close', reason }); }
  onMessage(topic: string, payload: string, retained: boolean) { this.#add({ kind: 'message', topic, payload, retained }); }
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
  client.on('message', (topic, payload, packet) => messages.onMessage(topic, payload.toString(), packet.retain));
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

async function connected(site: string, extra: Partial<MqttConnectOptions> = {}) {
  const transport = new HostMqttTransport();
  transports.push(transport);
  const events = new Recorder();
  transport.connect(options(site, extra), events);
  await events.wait('connect');
  return { transport, events };
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
    expect(retained).toEqual({ kind: 'message', topic, payload: 'retained-doc', retained: true });
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
