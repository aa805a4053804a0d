// 1,000 access decisions made with the network down reach the platform through a real broker after reconnect:
// every one, once, in order, in an unbroken access chain. The outbox is the size the door reader's partition
// table gives it (512 KB), so this also proves the sizing holds 1,000 events without dropping any.
import mqtt, { type MqttClient } from 'mqtt';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { HostMqttTransport } from '../../hal/host/mqtt.js';
import { ChainVerifier } from '../../scripts/platform/event-chain.js';
import { startTestBroker, uniqueSite, type TestBroker } from '../support/broker.js';
import { DoorReaderDevice, uid, WALL_TIME } from './door-reader-device.js';
import { until } from '../support/wait.js';

let broker: TestBroker;
let subscriber: MqttClient;
const received: { topic: string; payload: string }[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, clientId: `door-sub-${uniqueSite()}` });
  subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
});

afterAll(async () => {
  await subscriber.endAsync();
  await broker.close();
});

it('delivers 1,000 offline decisions in order, exactly once, with the chain intact', async () => {
  // generous: a shared 2-core machine, 1,000 QoS 1 round trips
  const site = uniqueSite('door');
  const device = `door-${site.slice(-6)}`;
  await subscriber.subscribeAsync(`ct/v1/${site}/${device}/event`, { qos: 1 });
  let transport!: HostMqttTransport;
  const d = new DoorReaderDevice({
    // 07:00: the 83 minutes of decisions stay outside the office card's 09:00–17:00 window.
    wallTimeMs: WALL_TIME - 3_600_000,
    address: { site, device, host: broker.host, port: broker.port },
    outboxBytes: 512 * 1024,
    transport: () => {
      transport = new HostMqttTransport();
      transport.setNetworkUp(false);
      return transport;
    },
  });
  d.boot();
  const N = 1000;
  const cards = ['valid', 'nobody', 'expired', 'office'].map(uid);
  for (let i = 0; i < N; i++) {
    d.reader.presentCard(cards[i % cards.length]!, 'nfc');
    d.advance(5000);
    if (i === N / 2) d.powerCycle(); // half before a restart, half after, still offline
  }
  expect(d.runtime.outbox.depth).toBe(N);
  expect(d.runtime.health().outboxDropped).toBe(0);

  transport.setNetworkUp(true);
  // The transport reports the failed attempts asynchronously; step the clock until the reconnect timer fires.
  await until(() => {
    d.advance(1000);
    return d.runtime.state === 'online';
  }, 'reconnect');
  const events = () => received.filter((message) => message.topic === `ct/v1/${site}/${device}/event`);
  await until(() => events().length >= N, `${N} events`, 60_000);
  await until(() => d.runtime.outbox.depth === 0, 'all PUBACKs', 60_000);

  const parsed = events().map((message) => JSON.parse(message.payload) as EventMessage);
  expect(parsed.map((event) => event.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(parsed.map((event) => event.data.reason)).toEqual(
    Array.from({ length: N }, (_, i) => ['granted', 'unknown', 'expired', 'outside_schedule'][i % 4]),
  );
  expect(parsed.every((event) => event.data.offline === true)).toBe(true);
  const verifier = new ChainVerifier();
  for (const message of events()) verifier.add(message.payload);
  expect(verifier.findings).toEqual([]);
  expect(verifier.linked).toBe(N - 1);
  const largest = Math.max(...events().map((message) => Buffer.byteLength(message.payload)));
  expect(largest).toBeLessThan(400);
  d.hal.dispose();
}, 120_000);
