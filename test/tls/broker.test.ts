// MQTT over TLS end to end: the real runtime on the host HAL (mqtt.js) against an aedes broker listening on TLS
// with a certificate from a CA made for this run. The right CA connects and events arrive; the wrong CA or the
// wrong server name never connects, and the device keeps its events and retries.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import type { Provisioning } from '../../firmware/runtime/provisioning.js';
import { HostMqttTransport } from '../../hal/host/mqtt.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../simulator/broker.js';
import { uniqueSite } from '../support/broker.js';
import { TestDevice } from '../support/device.js';
import { makeTestPki, TEST_SERVER_NAME, type TestPki } from '../support/tls.js';
import { until } from '../support/wait.js';

/** A TLS broker under test: its URL, the CA its certificate chains to (PEM and DER) and the name it carries. */
interface TlsBroker {
  url: string;
  port: number;
  ca: { pem: string; der: Uint8Array };
  serverName: string;
  close(): Promise<void>;
}

/**
 * The embedded aedes broker on TLS with a CA made for this run, and — when CI names one (TEST_TLS_BROKER_URL,
 * TEST_TLS_CA, TEST_TLS_NAME: Debian's mosquitto, .ci/run) — an external broker with OpenSSL's TLS stack.
 */
const brokers: [string, (pki: TestPki) => Promise<TlsBroker>][] = [
  ['the embedded broker', async (pki) => {
    const embedded: EmbeddedBroker = await startEmbeddedBroker({ tls: { cert: pki.serverChain, key: pki.serverKey } });
    return {
      url: embedded.url, port: embedded.port, ca: { pem: pki.ca.cert, der: pki.ca.der }, serverName: TEST_SERVER_NAME,
      close: () => embedded.close(),
    };
  }],
];
const external = process.env.TEST_TLS_BROKER_URL;
if (external) {
  brokers.push([`the external broker ${external}`, async () => {
    const pem = readFileSync(process.env.TEST_TLS_CA ?? '', 'utf8');
    return {
      url: external, port: Number(new URL(external).port || 8883), ca: { pem, der: new Uint8Array(new X509Certificate(pem).raw) },
      serverName: process.env.TEST_TLS_NAME ?? 'localhost', close: async () => {},
    };
  }]);
}

describe.each(brokers)('MQTT over TLS with %s', (_label, start) => {
  let pki: TestPki;
  let broker: TlsBroker;
  let subscriber: MqttClient;
  const received: { topic: string; message: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    broker = await start(pki);
    subscriber = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4, reconnectPeriod: 0, clientId: `sub-${uniqueSite()}`, ca: broker.ca.pem, servername: broker.serverName,
      rejectUnauthorized: true,
    });
    subscriber.on('message', (topic, payload) => {
      received.push({ topic, message: JSON.parse(payload.toString()) as Record<string, unknown> });
    });
    await subscriber.subscribeAsync('ct/v1/#', { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    await subscriber?.endAsync();
    await broker?.close();
  });

  function tlsDevice(site: string, tls: Partial<Provisioning>) {
    let transport!: HostMqttTransport;
    const device = new TestDevice({
      provisioning: { site, device: 'd1', host: '127.0.0.1', port: broker.port, tls: true, ...tls },
      transport: () => (transport = new HostMqttTransport()),
    });
    return { device, transport: () => transport };
  }

  const eventsOf = (site: string) =>
    received.filter((r) => r.topic === `ct/v1/${site}/d1/event`).map((r) => r.message as unknown as EventMessage);

  test('the broker speaks TLS: its URL says mqtts', () => {
    expect(broker.url).toBe(`mqtts://127.0.0.1:${broker.port}`);
  });

  test.each([
    ['a PEM CA, checking the IP address the device connects to', () => ({ ca: broker.ca.pem })],
    ['a DER CA and the broker\'s DNS name as server name', () => ({ ca: broker.ca.der.slice().buffer, tlsName: broker.serverName })],
  ])('a device provisioned with %s connects and its events arrive', async (_name, tls) => {
    const site = uniqueSite('tls');
    const { device } = tlsDevice(site, tls());
    device.boot();
    device.runtime.emit('test.secret', { resident: 'flat 12' });
    await until(() => device.runtime.state === 'online', 'the device online over TLS');
    await until(() => eventsOf(site).length === 1, 'the event');
    expect(eventsOf(site)[0]).toMatchObject({ type: 'test.secret', data: { resident: 'flat 12' } });
    expect(received.find((r) => r.topic === `ct/v1/${site}/d1/status`)?.message).toMatchObject({ state: 'online' });
    await until(() => device.runtime.outbox.depth === 0, 'PUBACK');
    device.hal.dispose();
  });

  test.each([
    ['a CA that did not sign the broker\'s certificate', () => ({ ca: pki.otherCa.cert })],
    ['a server name the certificate does not carry', () => ({ ca: broker.ca.pem, tlsName: 'other.test' })],
  ])('with %s the device does not connect, keeps its events and retries', async (_name, tls) => {
    const site = uniqueSite('badtls');
    const { device, transport } = tlsDevice(site, tls());
    device.boot();
    device.runtime.emit('test.kept', { n: 1 });
    await until(() => device.runtime.state === 'offline', 'the first attempt to fail');
    const failure = device.hal.system.logs.find((line) => line.message.startsWith('offline ('));
    expect(failure?.message).toMatch(/^offline \(TLS: .+\); retry in \d+ ms$/);

    device.clock.advance(8000);
    await until(() => transport().connectCount === 2 && device.runtime.state === 'offline', 'the retry to fail too');
    expect(device.hal.system.logs.filter((line) => line.message.startsWith('offline (TLS:'))).toHaveLength(2);
    expect(device.runtime.outbox.depth).toBe(1);
    expect(received.filter((r) => r.topic.startsWith(`ct/v1/${site}/`))).toEqual([]);
    device.hal.dispose();
  });
});
