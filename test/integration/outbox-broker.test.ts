// Against a real broker (aedes here, Debian's mosquitto in CI): events made while the network is down survive
// restarts and reach a subscriber exactly once, in order, when the network returns.
import mqtt, { type MqttClient } from 'mqtt';
import type { EventMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import { HostMqttTransport } from '../../hal/host/mqtt.js';
import { startTestBroker, uniqueSite, type TestBroker } from '../support/broker.js';
import { TestDevice } from '../support/device.js';
import { until } from '../support/wait.js';

let broker: TestBroker;
let subscriber: MqttClient;
const received: { topic: string; message: Record<string, unknown>; retain: boolean }[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, clientId: `sub-${uniqueSite()}` });
  subscriber.on('message', (topic, payload, packet) => {
    received.push({ topic, message: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain });
  });
});

afterAll(async () => {
  await subscriber.endAsync();
  await broker.close();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('durable outbox through a real broker', () => {
  it('delivers events queued offline across two restarts exactly once, in order', async () => {
    const site = uniqueSite('outbox');
    const device = `d-${site.slice(-6)}`;
    await subscriber.subscribeAsync(`ct/v1/${site}/#`, { qos: 1 });
    let network = false;
    const d = new TestDevice({
      provisioning: { site, device, host: broker.host, port: broker.port },
      transport: () => {
        const transport = new HostMqttTransport();
        transport.setNetworkUp(network);
        return transport;
      },
    });

    const N = 120;
    d.boot();
    for (let i = 0; i < N / 2; i++) d.runtime.emit('test.tick', { i });
    d.powerCycle();
    for (let i = N / 2; i < N; i++) d.runtime.emit('test.tick', { i });
    d.powerCycle();
    expect(d.runtime.outbox.depth).toBe(N);

    network = true;
    d.powerCycle();
    const events = () => received.filter((r) => r.topic === `ct/v1/${site}/${device}/event`).map((r) => r.message as unknown as EventMessage);
    await until(() => events().length >= N, `${N} events`);
    await until(() => d.runtime.outbox.depth === 0, 'all PUBACKs');
    await settle();

    expect(events().map((e) => e.data.i)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(events().map((e) => e.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(events().map((e) => e.boot)).toEqual([...Array(N / 2).fill(1), ...Array(N / 2).fill(2)]);

    // A further restart resends nothing: everything acknowledged was trimmed.
    d.powerCycle();
    await until(() => received.some((r) => r.topic.endsWith('/status') && (r.message as unknown as StatusMessage).boot === 4), 'birth of boot 4');
    await settle();
    expect(events()).toHaveLength(N);
    d.hal.dispose();
  });

  it('the will marks a device offline when its link dies, and the birth marks it online again', async () => {
    const site = uniqueSite('will');
    const device = `w-${site.slice(-6)}`;
    await subscriber.subscribeAsync(`ct/v1/${site}/+/status`, { qos: 1 });
    let transport!: HostMqttTransport;
    const d = new TestDevice({
      provisioning: { site, device, host: broker.host, port: broker.port },
      transport: () => (transport = new HostMqttTransport()),
    });
    d.boot();
    const statuses = () => received.filter((r) => r.topic === `ct/v1/${site}/${device}/status`).map((r) => r.message as unknown as StatusMessage);
    await until(() => statuses().some((s) => s.state === 'online'), 'birth');
    transport.dropConnection();
    await until(() => statuses().some((s) => s.state === 'offline'), 'will');
    expect(statuses().find((s) => s.state === 'offline')).toEqual({ v: 1, msg: 'status', dev: device, state: 'offline', boot: 1, conn: 1 });
    await until(() => d.runtime.state === 'offline', 'device to notice');
    d.clock.advance(1000);
    await until(() => statuses().filter((s) => s.state === 'online').length === 2, 'second birth');
    expect(statuses().at(-1)).toMatchObject({ state: 'online', conn: 2 });
    d.hal.dispose();
  });
});
