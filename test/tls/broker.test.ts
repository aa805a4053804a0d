// MQTT over TLS end to end: the real runtime on the host HAL (mqtt.js) against an aedes broker listening on TLS
// with a certificate from a CA made for this run. The right CA connects and events arrive; the wrong CA or the
// wrong server name never connects, and the device keeps its events and retries.
import mqtt, { type MqttClient } from 'mqtt';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import type { Provisioning } from '../../firmware/runtime/provisioning.js';
import { HostMqttTransport } from '../../hal/host/mqtt.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../simulator/broker.js';
import { uniqueSite } from '../support/broker.js';
import { TestDevice } from '../support/device.js';
import { makeTestPki, TEST_SERVER_NAME, type TestPki } from '../support/tls.js';
import { until } from '../support/wait.js';

let pki: TestPki;
let broker: EmbeddedBroker;
let subscriber: MqttClient;
const received: { topic: string; message: Record<string, unknown> }[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
  broker = await startEmbeddedBroker({ tls: { cert: pki.serverChain, key: pki.serverKey } });
  subscriber = await mqtt.connectAsync(broker.url, {
    protocolVersion: 4, reconnectPeriod: 0, clientId: `sub-${uniqueSite()}`, ca: pki.ca.cert, rejectUnauthorized: true,
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

describe('MQTT over TLS', () => {
  test('the embedded broker speaks TLS only: its URL says mqtts', () => {
    expect(broker.url).toBe(`mqtts://127.0.0.1:${broker.port}`);
  });

  test.each([
    ['a PEM CA, checking the IP address the device connects to', () => ({ ca: pki.ca.cert })],
    ['a DER CA and the broker\'s DNS name as server name', () => ({ ca: pki.ca.der.slice().buffer, tlsName: TEST_SERVER_NAME })],
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
    ['a server name the certificate does not carry', () => ({ ca: pki.ca.cert, tlsName: 'other.test' })],
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
