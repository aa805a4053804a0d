// The Moddable MQTT adapter (hal/moddable/mqtt.ts) against a scripted stand-in for the SDK's ECMA-419 MQTT client.
// The stand-in reproduces the behaviour the adapter depends on (read from mqttclient.js, SDK 8.2.3): write() throws
// "overflow" when a fragment does not fit the socket's free space and returns that space minus 8; a PUBLISH may be
// written as a first fragment with `byteLength` plus continuations; onControl/onReadable/onError callbacks.
import { jest } from '@jest/globals';
import type { MqttHandlers } from '../../hal/contract/index.js';
import { SteppedClock } from '../../hal/host/clock.js';
import type {
  Mqtt419Client, Mqtt419Options, Mqtt419ReadableOptions, Mqtt419WriteOptions, TextCodec,
} from '../../hal/moddable/mqtt.js';
import { Mqtt419Transport, MqttOperation } from '../../hal/moddable/mqtt.js';
import type { TcpOptions } from '../../hal/moddable/tls-guard.js';

const OVERHEAD = 8;

interface Packet {
  operation: number;
  id?: number;
  topic?: string;
  QoS?: number;
  retain?: boolean;
  payload: Uint8Array;
  items?: { topic: string; QoS: number }[];
}

class ScriptedClient implements Mqtt419Client {
  static last: ScriptedClient | undefined;
  readonly options: Mqtt419Options;
  /** Raw free space of the socket. */
  writable = 0;
  readonly packets: Packet[] = [];
  closed = false;
  #partial: { packet: Packet; remaining: number } | undefined;
  #inbound: Uint8Array = new Uint8Array(0);

  constructor(options: Mqtt419Options) {
    this.options = options;
    ScriptedClient.last = this;
  }

  write(data: Uint8Array | null, options?: Mqtt419WriteOptions): number {
    if (this.closed) throw new Error('closed');
    if (this.#partial) {
      if (options || !data || data.byteLength > this.#partial.remaining) throw new Error('not publishing');
      if (data.byteLength > this.writable) throw new Error('socket overflow');
      this.#append(this.#partial.packet, data);
      this.#partial.remaining -= data.byteLength;
      this.writable -= data.byteLength;
      if (this.#partial.remaining === 0) this.#partial = undefined;
      return this.#room();
    }
    const operation = options?.operation ?? MqttOperation.PUBLISH;
    if (operation === MqttOperation.PUBLISH) {
      const topic = new TextEncoder().encode(options!.topic);
      const qos = options!.QoS ?? 0;
      const byteLength = options!.byteLength ?? data!.byteLength;
      const payload = topic.length + 2 + byteLength + (qos ? 2 : 0);
      const length = 1 + remainingLengthBytes(payload) + topic.length + 2 + data!.byteLength + (qos ? 2 : 0);
      if (length > this.writable) throw new Error('overflow');
      const packet: Packet = { operation, topic: options!.topic!, QoS: qos, retain: !!options!.retain, payload: new Uint8Array(0) };
      if (qos) packet.id = options!.id;
      this.#append(packet, data!);
      this.packets.push(packet);
      this.writable -= length;
      if (data!.byteLength < byteLength) this.#partial = { packet, remaining: byteLength - data!.byteLength };
      return this.#room();
    }
    if (operation === MqttOperation.SUBSCRIBE) {
      let payload = 2;
      for (const item of options!.items!) payload += 2 + new TextEncoder().encode(item.topic).length + 1;
      const length = 1 + remainingLengthBytes(payload) + payload;
      if (length > this.writable) throw new Error('overflow');
      this.packets.push({ operation, id: options!.id!, items: options!.items!, payload: new Uint8Array(0) });
      this.writable -= length;
      return this.#room();
    }
    if (this.writable < 2) throw new Error('overflow');
    this.packets.push({ operation, payload: new Uint8Array(0) });
    this.writable -= 2;
    return this.#room();
  }

  read(count: number): ArrayBuffer | undefined {
    const chunk = this.#inbound.slice(0, count);
    this.#inbound = this.#inbound.slice(count);
    return chunk.buffer;
  }

  close(): void {
    this.closed = true;
  }

  // --- the "network" side, driven by the test ---

  connack(): void {
    this.options.onControl.call(this, { operation: MqttOperation.CONNACK });
  }

  /** The socket drained: the client reports its free space. */
  drain(writable: number): void {
    this.writable = writable;
    if (writable > OVERHEAD) this.options.onWritable.call(this, writable - OVERHEAD);
  }

  puback(id: number): void {
    this.options.onControl.call(this, { operation: MqttOperation.PUBACK, id });
  }

  /** Delivers an incoming PUBLISH in chunks of `chunk` bytes, as the client's parser does. */
  deliver(topic: string, payload: Uint8Array, chunk = payload.length): void {
    for (let at = 0; at < payload.length; at += chunk) {
      const part = payload.subarray(at, at + chunk);
      this.#inbound = part.slice();
      const options: Mqtt419ReadableOptions = { more: at + part.length < payload.length };
      if (at === 0) Object.assign(options, { topic, byteLength: payload.length, QoS: 1 });
      this.options.onReadable.call(this, part.length, options);
    }
  }

  fail(): void {
    this.options.onError.call(this);
    this.closed = true;
  }

  #append(packet: Packet, data: Uint8Array): void {
    const joined = new Uint8Array(packet.payload.length + data.byteLength);
    joined.set(packet.payload);
    joined.set(data, packet.payload.length);
    packet.payload = joined;
  }

  #room(): number {
    return this.writable > OVERHEAD ? this.writable - OVERHEAD : 0;
  }
}

function remainingLengthBytes(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}

const codec: TextCodec = {
  encode: (text) => new TextEncoder().encode(text),
  decode: (bytes) => new TextDecoder('utf-8', { fatal: true }).decode(bytes),
};

function setup(options: { maxQueuedBytes?: number; maxIncomingBytes?: number } = {}) {
  const clock = new SteppedClock();
  const logs: string[] = [];
  const transport = new Mqtt419Transport({
    network: { io: ScriptedClient, dns: { servers: [] }, socket: {} },
    timers: clock.timers,
    codec,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...options,
  });
  const handlers = {
    onConnect: jest.fn<MqttHandlers['onConnect']>(),
    onClose: jest.fn<MqttHandlers['onClose']>(),
    onMessage: jest.fn<MqttHandlers['onMessage']>(),
    onPublishAck: jest.fn<MqttHandlers['onPublishAck']>(),
  };
  transport.connect({
    host: 'broker.local', port: 1883, clientId: 'dev1', username: 'u', password: 'p', keepAliveSeconds: 30,
    cleanSession: false, will: { topic: 'ct/v1/s/dev1/status', payload: '{"state":"offline"}', qos: 1, retain: true },
  }, handlers);
  const client = ScriptedClient.last!;
  return { clock, logs, transport, handlers, client };
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

describe('Mqtt419Transport', () => {
  test('passes connect options in the shape the SDK client reads', () => {
    const { client } = setup();
    const { options } = client;
    expect(options).toMatchObject({ host: 'broker.local', port: 1883, id: 'dev1', clean: false, keepalive: 30_000, user: 'u', password: 'p' });
    expect(options.will).toMatchObject({ topic: 'ct/v1/s/dev1/status', QoS: 1, retain: true });
    expect(options.will!.message).toBeInstanceOf(ArrayBuffer);
    expect(text(new Uint8Array(options.will!.message))).toBe('{"state":"offline"}');
  });

  test('rejects options MQTT 3.1.1 or the binding cannot honour', () => {
    const { transport, handlers } = setup();
    const base = { host: 'h', port: 1883, clientId: 'c', keepAliveSeconds: 60, cleanSession: true };
    expect(() => transport.connect({ ...base, secure: {} }, handlers)).toThrow(/TLS needs device\.network\.mqtts/);
    expect(() => transport.connect({ ...base, password: 'p' }, handlers)).toThrow(/username/);
    expect(() => transport.connect({ ...base, port: 0 }, handlers)).toThrow(/port/);
  });

  test('publishing before CONNACK throws; after it, QoS 1 gets a packet id that PUBACK acknowledges', () => {
    const { transport, handlers, client } = setup();
    expect(() => transport.publish('t', 'x', 1, false)).toThrow(/not connected/);
    client.connack();
    expect(handlers.onConnect).toHaveBeenCalledWith(false);
    client.drain(4096);
    const first = transport.publish('ct/v1/s/dev1/event', '{"seq":1}', 1, false);
    const second = transport.publish('ct/v1/s/dev1/event', '{"seq":2}', 1, false);
    expect(transport.publish('ct/v1/s/dev1/telemetry', '{}', 0, false)).toBe(0);
    expect(first).toBeGreaterThan(0);
    expect(second).not.toBe(first);
    expect(client.packets.map((p) => p.id)).toEqual([first, second, undefined]);
    client.puback(second);
    client.puback(second); // a duplicate PUBACK is not reported twice
    client.puback(999); // nor one we never sent
    expect(handlers.onPublishAck.mock.calls).toEqual([[second]]);
  });

  test('queues what does not fit and writes it when the socket drains', () => {
    const { transport, client } = setup();
    client.connack();
    // No onWritable yet: nothing may be written, nothing may throw.
    transport.subscribe([{ topic: 'ct/v1/s/dev1/command', qos: 1 }]);
    transport.publish('ct/v1/s/dev1/status', '{"state":"online"}', 1, true);
    expect(client.packets).toHaveLength(0);
    client.drain(4096);
    expect(client.packets.map((p) => p.operation)).toEqual([MqttOperation.SUBSCRIBE, MqttOperation.PUBLISH]);
    expect(client.packets[0]!.items).toEqual([{ topic: 'ct/v1/s/dev1/command', QoS: 1 }]);
    expect(client.packets[1]).toMatchObject({ retain: true, QoS: 1 });
  });

  test('splits a payload larger than the free space into fragments, in order', () => {
    const { transport, client } = setup();
    client.connack();
    client.drain(300);
    const payload = JSON.stringify({ pad: 'p'.repeat(1000) });
    transport.publish('ct/v1/s/dev1/event', payload, 1, false);
    transport.publish('ct/v1/s/dev1/event', '{"next":true}', 1, false);
    expect(client.packets).toHaveLength(1);
    for (let i = 0; i < 10 && client.packets.length < 2; i++) client.drain(300);
    expect(client.packets).toHaveLength(2);
    expect(text(client.packets[0]!.payload)).toBe(payload);
    expect(text(client.packets[1]!.payload)).toBe('{"next":true}');
  });

  test('packet ids skip ids still awaiting PUBACK and wrap after 65535', () => {
    const { transport, client } = setup({ maxQueuedBytes: 1 << 30 });
    client.connack();
    client.drain(1 << 30);
    const first = transport.publish('t', 'a', 1, false);
    const seen = new Set([first]);
    for (let i = 1; i < 65_535; i++) {
      const id = transport.publish('t', 'a', 1, false);
      if (seen.has(id) || id < 1 || id > 65_535) throw new Error(`packet id ${id} reused or out of range`);
      seen.add(id);
      client.puback(id);
    }
    expect(seen.size).toBe(65_535);
    // Every id but `first` was acknowledged: the counter wraps past 65535 and skips `first`, still in flight.
    expect(first).toBe(1);
    expect(transport.publish('t', 'a', 1, false)).toBe(2);
  });

  test('reassembles a fragmented incoming payload; retained is always false', () => {
    const { handlers, client } = setup();
    client.connack();
    const body = JSON.stringify({ v: 1, msg: 'command', text: 'héllo'.repeat(300) });
    client.deliver('ct/v1/s/dev1/command', codec.encode(body), 97);
    expect(handlers.onMessage).toHaveBeenCalledTimes(1);
    expect(handlers.onMessage).toHaveBeenCalledWith('ct/v1/s/dev1/command', body, false);
  });

  test('drops malformed UTF-8 and oversized payloads with a log line, and keeps working', () => {
    const { handlers, client, logs } = setup({ maxIncomingBytes: 64 });
    client.connack();
    client.deliver('t/bad', Uint8Array.of(0x7b, 0xff, 0x7d));
    client.deliver('t/big', codec.encode('x'.repeat(65)), 10);
    client.deliver('t/ok', codec.encode('{}'));
    expect(handlers.onMessage.mock.calls).toEqual([['t/ok', '{}', false]]);
    expect(logs.some((line) => line.includes('not UTF-8'))).toBe(true);
    expect(logs.some((line) => line.includes('65-byte'))).toBe(true);
  });

  test('a throwing handler is logged and does not break the client', () => {
    const { handlers, client, logs } = setup();
    handlers.onMessage.mockImplementation(() => {
      throw new Error('app bug');
    });
    client.connack();
    expect(() => client.deliver('t', codec.encode('{}'))).not.toThrow();
    expect(logs.some((line) => line.includes('app bug'))).toBe(true);
  });

  test('an error reports onClose once and the transport refuses to publish', () => {
    const { transport, handlers, client } = setup();
    client.connack();
    client.fail();
    client.options.onError.call(client);
    expect(handlers.onClose).toHaveBeenCalledTimes(1);
    expect(handlers.onClose).toHaveBeenCalledWith('connection lost');
    expect(() => transport.publish('t', 'x', 0, false)).toThrow(/not connected/);
  });

  test('a full send queue drops the connection: publish throws, onClose follows from a timer', () => {
    const { transport, handlers, client, clock } = setup({ maxQueuedBytes: 200 });
    client.connack();
    transport.publish('t', 'x'.repeat(100), 1, false);
    expect(() => transport.publish('t', 'x'.repeat(100), 1, false)).toThrow(/queue full/);
    expect(client.closed).toBe(true);
    expect(handlers.onClose).not.toHaveBeenCalled(); // never re-entrantly, from inside publish()
    clock.advance(1);
    expect(handlers.onClose).toHaveBeenCalledTimes(1);
    expect(handlers.onClose.mock.calls[0]![0]).toMatch(/queue full/);
  });

  test('close() sends DISCONNECT, closes the client and stays silent', () => {
    const { transport, handlers, client } = setup();
    client.connack();
    client.drain(1024);
    transport.close();
    expect(client.packets.at(-1)!.operation).toBe(MqttOperation.DISCONNECT);
    expect(client.closed).toBe(true);
    client.puback(1);
    expect(handlers.onClose).not.toHaveBeenCalled();
    expect(transport.connected).toBe(false);
  });

  test('close() with packets still queued writes them first, then DISCONNECT, and stays silent', () => {
    const { transport, handlers, client } = setup();
    client.connack();
    client.drain(64);
    transport.publish('ct/v1/s/dev1/status', JSON.stringify({ state: 'sleeping', pad: 'x'.repeat(200) }), 1, true);
    const queued = client.packets.length;
    transport.close();
    expect(transport.connected).toBe(false);
    expect(client.closed).toBe(false); // the status is still waiting for socket space
    client.drain(1024);
    const tail = client.packets.slice(queued);
    expect(tail.map((p) => p.operation).at(-1)).toBe(MqttOperation.DISCONNECT);
    const status = client.packets.find((p) => p.topic === 'ct/v1/s/dev1/status')!;
    expect(JSON.parse(text(status.payload))).toMatchObject({ state: 'sleeping' });
    expect(client.closed).toBe(true);
    expect(handlers.onClose).not.toHaveBeenCalled();
    expect(() => transport.publish('t', '{}', 0, false)).toThrow(/not connected/);
  });

  test('a clean close gives up draining after its deadline: no DISCONNECT, so the broker publishes the will', () => {
    const { transport, handlers, client, clock, logs } = setup();
    client.connack();
    transport.publish('ct/v1/s/dev1/status', '{"state":"sleeping"}', 1, true);
    transport.close();
    clock.advance(2999);
    expect(client.closed).toBe(false);
    clock.advance(1);
    expect(client.closed).toBe(true);
    expect(client.packets.some((p) => p.operation === MqttOperation.DISCONNECT)).toBe(false);
    expect(logs.join('\n')).toMatch(/did not fit into the socket in time/);
    expect(handlers.onClose).not.toHaveBeenCalled();
  });

  test('connect() while a clean close still drains cuts the old connection first: one at a time', () => {
    const { transport, client, clock } = setup();
    client.connack();
    transport.publish('ct/v1/s/dev1/status', '{"state":"sleeping"}', 1, true);
    transport.close();
    expect(client.closed).toBe(false);
    const next = { onConnect: jest.fn(), onClose: jest.fn(), onMessage: jest.fn(), onPublishAck: jest.fn() };
    transport.connect({ host: 'h', port: 1883, clientId: 'dev1', keepAliveSeconds: 60, cleanSession: false }, next);
    expect(client.closed).toBe(true);
    expect(client.packets.some((p) => p.operation === MqttOperation.DISCONNECT)).toBe(false);
    expect(ScriptedClient.last).not.toBe(client);
    clock.advance(5000); // the old drain deadline passes without touching anything
    expect(next.onClose).not.toHaveBeenCalled();
  });

  test('a failure while a clean close drains ends it quietly', () => {
    const { transport, handlers, client, clock, logs } = setup();
    client.connack();
    transport.publish('ct/v1/s/dev1/status', '{"state":"sleeping"}', 1, true);
    transport.close();
    client.fail();
    clock.advance(10_000);
    expect(handlers.onClose).not.toHaveBeenCalled();
    expect(logs.join('\n')).toMatch(/failed with 1 packet\(s\) unsent/);
    expect(logs.join('\n')).not.toMatch(/in time/);
  });

  test('a new connect() replaces the old client, whose late callbacks are ignored', () => {
    const { transport, handlers, client } = setup();
    client.connack();
    const next = { onConnect: jest.fn(), onClose: jest.fn(), onMessage: jest.fn(), onPublishAck: jest.fn() };
    transport.connect({ host: 'h', port: 1883, clientId: 'c', keepAliveSeconds: 60, cleanSession: true }, next);
    expect(client.closed).toBe(true);
    client.deliver('t', codec.encode('{}'));
    client.fail();
    expect(handlers.onMessage).not.toHaveBeenCalled();
    expect(handlers.onClose).not.toHaveBeenCalled();
    expect(ScriptedClient.last).not.toBe(client);
  });

  describe('over TLS', () => {
    /** Stands in for the TCP socket under the TLS socket: the test fires its callbacks. */
    class FakeTcp {
      static last: FakeTcp | undefined;
      readonly options: TcpOptions;
      closed = false;
      constructor(options: TcpOptions) {
        this.options = options;
        FakeTcp.last = this;
      }
      read(): unknown { return undefined; }
      write(): number { return 0; }
      close(): void { this.closed = true; }
      format = 'buffer';
    }
    const plainSocket = { io: 'TCP' };
    const tlsSocket = { io: 'TLSSocket', TCP: { io: FakeTcp } };
    const tlsDns = { servers: ['10.0.0.53'] };
    const base = { host: '192.168.1.10', port: 8883, clientId: 'dev1', keepAliveSeconds: 30, cleanSession: false };

    function secureSetup() {
      const clock = new SteppedClock();
      const transport = new Mqtt419Transport({
        network: { io: ScriptedClient, dns: { servers: [] }, socket: plainSocket },
        secureNetwork: { io: ScriptedClient, dns: tlsDns, socket: tlsSocket },
        timers: clock.timers,
        codec,
      });
      const handlers = {
        onConnect: jest.fn<MqttHandlers['onConnect']>(),
        onClose: jest.fn<MqttHandlers['onClose']>(),
        onMessage: jest.fn<MqttHandlers['onMessage']>(),
        onPublishAck: jest.fn<MqttHandlers['onPublishAck']>(),
      };
      return { transport, handlers };
    }

    test('the CA and server name reach the TLS socket as its `secure` options, beside its TCP class', () => {
      const { transport, handlers } = secureSetup();
      const ca = Uint8Array.from([0x30, 0x03, 0x30, 0x01, 0x00]);
      transport.connect({ ...base, secure: { ca, serverName: 'broker.site1.example' } }, handlers);
      const { options } = ScriptedClient.last!;
      expect(options.dns).toBe(tlsDns);
      const socket = options.socket as typeof tlsSocket & { secure: { certificate: ArrayBuffer; serverName: string } };
      expect(socket).toMatchObject({ io: 'TLSSocket', secure: { serverName: 'broker.site1.example' } });
      expect(socket.secure.certificate).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(socket.secure.certificate)]).toEqual([...ca]);
      expect(tlsSocket).not.toHaveProperty('secure'); // the shared configuration is not modified
    });

    test('without a CA or server name the socket gets empty secure options (its defaults: built-in roots, the host name)', () => {
      const { transport, handlers } = secureSetup();
      transport.connect({ ...base, secure: {} }, handlers);
      expect(ScriptedClient.last!.options.socket).toMatchObject({ io: 'TLSSocket', secure: {} });
      expect((ScriptedClient.last!.options.socket as { secure: object }).secure).toEqual({});
    });

    test('the TLS socket gets a guarded TCP class: an exception from its handshake becomes a failure with the reason', () => {
      const { transport, handlers } = secureSetup();
      transport.connect({ ...base, secure: {} }, handlers);
      const client = ScriptedClient.last!;
      const TCP = (client.options.socket as { TCP: { io: new (options: TcpOptions) => FakeTcp } }).TCP.io;
      expect(TCP).not.toBe(FakeTcp);
      // What the TLS socket does: builds its TCP socket with its own callbacks, which run the handshake.
      const tlsOnError = jest.fn(() => client.fail());
      const socket = new TCP({ address: '192.168.1.10', port: 8883, onReadable: () => { throw new Error('invalid certificate'); }, onError: tlsOnError });
      socket.format = 'number';
      expect(FakeTcp.last!.format).toBe('number');
      expect(() => FakeTcp.last!.options.onReadable!(5)).not.toThrow();
      expect(tlsOnError).toHaveBeenCalledTimes(1);
      expect(handlers.onClose).toHaveBeenCalledWith('TLS: invalid certificate');
      FakeTcp.last!.options.onReadable!(5); // later callbacks of the failed socket are ignored
      expect(tlsOnError).toHaveBeenCalledTimes(1);
    });

    test('a plain connect keeps using the plain network', () => {
      const { transport, handlers } = secureSetup();
      transport.connect({ ...base, port: 1883 }, handlers);
      expect(ScriptedClient.last!.options.socket).toBe(plainSocket);
    });

    test('a failed handshake is reported once, naming TLS as a possible cause, and publishing then throws', () => {
      const { transport, handlers } = secureSetup();
      transport.connect({ ...base, secure: { ca: Uint8Array.of(0x30, 0x00) } }, handlers);
      ScriptedClient.last!.fail();
      expect(handlers.onClose).toHaveBeenCalledTimes(1);
      expect(handlers.onClose.mock.calls[0]![0]).toMatch(/TLS/);
      expect(handlers.onConnect).not.toHaveBeenCalled();
      expect(() => transport.publish('t', 'x', 1, false)).toThrow(/not connected/);
    });

    test('once the TLS session is up, it is MQTT as usual', () => {
      const { transport, handlers } = secureSetup();
      transport.connect({ ...base, secure: {} }, handlers);
      const client = ScriptedClient.last!;
      client.connack();
      client.drain(1024);
      const id = transport.publish('ct/v1/s/dev1/event', '{"seq":1}', 1, false);
      expect(client.packets.at(-1)).toMatchObject({ operation: MqttOperation.PUBLISH, id, topic: 'ct/v1/s/dev1/event' });
      client.puback(id);
      expect(handlers.onPublishAck).toHaveBeenCalledWith(id);
    });
  });
});
