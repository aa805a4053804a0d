// The device's MQTT 3.1.1 client (firmware/net/mqtt/client.ts) over a scripted ECMA-419 socket and a stepped clock.
// The test plays the broker in bytes: what the broker sends is built with mqtt-packet (the codec mqtt.js and aedes
// use, an independent oracle) or written out by hand when it must be malformed; what the client wrote is parsed
// back with mqtt-packet and compared field by field, and where it matters byte by byte.
import { describe, expect, jest, test } from '@jest/globals';
import { generate, parser, type Packet } from 'mqtt-packet';
import { CLOSE_DRAIN_MS } from '../../hal/contract/mqtt.js';
import type { MqttConnectOptions, MqttHandlers, MqttTlsOptions } from '../../hal/contract/mqtt.js';
import type { DnsResolveOptions, SocketConfig, TcpSocket, TcpSocketOptions } from '../../hal/contract/socket.js';
import { SteppedClock } from '../../hal/host/clock.js';
import { guardTcp, type NativeTcpOptions } from '../../hal/moddable/tls-guard.js';
import { MAX_PACKET_BYTES, MqttClient, type MqttClientOptions, type MqttNetwork } from '../../firmware/net/mqtt/client.js';
import { PacketReader } from '../../firmware/net/mqtt/packet-reader.js';
import { ByteQueue } from '../../hal/host/byte-queue.js';

type SocketOptions = TcpSocketOptions & Record<string, unknown>;

/** An ECMA-419 TCP socket whose other end is the test. */
class ScriptedSocket implements TcpSocket {
  static made: ScriptedSocket[] = [];
  readonly options: SocketOptions;
  /** Room the socket last reported; write() throws beyond it. */
  room = 0;
  readonly writes: Uint8Array[] = [];
  closed = false;
  readThrows: Error | undefined;
  writeThrows: Error | undefined;
  readonly #inbound = new ByteQueue();

  constructor(options: SocketOptions) {
    this.options = options;
    ScriptedSocket.made.push(this);
  }

  read(count?: number): ArrayBuffer | undefined {
    if (this.readThrows) throw this.readThrows;
    return this.#inbound.take(count);
  }

  write(data: ArrayBuffer | ArrayBufferView): number {
    if (this.closed) throw new Error('closed');
    if (this.writeThrows) throw this.writeThrows;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > this.room) throw new Error(`write of ${bytes.length} bytes with room for ${this.room}`);
    this.writes.push(bytes.slice());
    this.room -= bytes.length;
    return this.room;
  }

  close(): void {
    this.closed = true;
  }

  // ---- the network side ----

  /** Connected, or room freed. */
  writable(room: number): void {
    this.room = room;
    this.options.onWritable?.(room);
  }

  /** Bytes arrive, in chunks of `chunk`, one onReadable each. */
  deliver(bytes: Uint8Array, chunk = Math.max(1, bytes.length)): void {
    for (let at = 0; at < bytes.length; at += chunk) {
      const part = bytes.slice(at, at + chunk);
      this.#inbound.push(part);
      this.options.onReadable?.(this.#inbound.available);
    }
  }

  get unread(): number {
    return this.#inbound.available;
  }

  fail(error?: unknown): void {
    this.options.onError?.(error);
  }

  /** Everything written so far, as one stream. */
  get sent(): Uint8Array {
    return Buffer.concat(this.writes);
  }

  /** What was written, parsed by mqtt-packet. */
  packets(): Decoded[] {
    return decode(this.sent);
  }
}

/** A client packet as mqtt-packet parses it, trimmed to the fields worth comparing. */
interface Decoded {
  cmd: string;
  topic?: string;
  payload?: string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  subscriptions?: { topic: string; qos: number }[];
}

function decode(bytes: Uint8Array): Decoded[] {
  const out: Decoded[] = [];
  const reader = parser({ protocolVersion: 4 });
  reader.on('packet', (packet: Packet) => {
    const entry: Decoded = { cmd: packet.cmd };
    if (packet.cmd === 'publish') {
      Object.assign(entry, { topic: packet.topic, payload: Buffer.from(packet.payload).toString(), qos: packet.qos, retain: packet.retain, dup: packet.dup });
      if (packet.qos > 0) entry.messageId = packet.messageId!;
    } else if (packet.cmd === 'subscribe') {
      Object.assign(entry, { messageId: packet.messageId, subscriptions: packet.subscriptions.map(({ topic, qos }) => ({ topic, qos })) });
    } else if (packet.cmd === 'puback') {
      entry.messageId = packet.messageId!;
    }
    out.push(entry);
  });
  let failure: Error | undefined;
  reader.on('error', (error: Error) => { failure ??= error; });
  reader.parse(Buffer.from(bytes));
  if (failure) throw new Error(`the client wrote something mqtt-packet cannot parse: ${failure.message}`);
  return out;
}

// ---- what the broker sends ----

const CONNACK = Uint8Array.of(0x20, 2, 0, 0);
const PINGRESP = Uint8Array.of(0xd0, 0);
const PINGREQ = Uint8Array.of(0xc0, 0);
const DISCONNECT = Uint8Array.of(0xe0, 0);

function connack(returnCode: number, sessionPresent = false): Uint8Array {
  return Uint8Array.of(0x20, 2, sessionPresent ? 1 : 0, returnCode);
}

function publish(topic: string, payload: string | Uint8Array, options: { qos?: 0 | 1; id?: number; retain?: boolean; dup?: boolean } = {}): Uint8Array {
  const qos = options.qos ?? 0;
  return generate({
    cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload),
    qos, retain: options.retain ?? false, dup: options.dup ?? false,
    ...(qos ? { messageId: options.id ?? 1 } : {}),
  });
}

/** The fixed and variable header of a PUBLISH whose payload (`payloadLength` bytes) follows separately. */
function publishHeader(topic: string, qos: 0 | 1, id: number, payloadLength: number): Uint8Array {
  const name = Buffer.from(topic);
  let length = 2 + name.length + (qos ? 2 : 0) + payloadLength;
  const out = [0x30 | (qos << 1)];
  do {
    out.push((length % 128) | (length >= 128 ? 0x80 : 0));
    length = Math.floor(length / 128);
  } while (length > 0);
  out.push(name.length >> 8, name.length & 0xff, ...name);
  if (qos) out.push(id >> 8, id & 0xff);
  return Uint8Array.from(out);
}

function puback(id: number): Uint8Array {
  return generate({ cmd: 'puback', messageId: id });
}

function suback(id: number, granted: number[]): Uint8Array {
  return generate({ cmd: 'suback', messageId: id, granted });
}

function join(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

// ---- the runtime side ----

type Event =
  | ['connect', boolean]
  | ['close', string]
  | ['message', string, string, boolean]
  | ['ack', number];

const TOPIC = 'ct/v1/s1/dev1/command';
const BASE: MqttConnectOptions = { host: '10.0.0.2', port: 1883, clientId: 'dev1', keepAliveSeconds: 0, cleanSession: false };

interface SetupOptions {
  client?: Partial<MqttClientOptions>;
  connect?: Partial<MqttConnectOptions>;
  /** Runs inside onMessage after it is recorded. */
  onMessage?: (topic: string, payload: Uint8Array, retained: boolean) => void;
  onClose?: (reason: string) => void;
  onConnect?: (sessionPresent: boolean) => void;
}

function setup(options: SetupOptions = {}) {
  ScriptedSocket.made = [];
  const clock = new SteppedClock();
  const logs: string[] = [];
  const handlerErrors: unknown[] = [];
  const client = new MqttClient({
    network: { socket: { io: ScriptedSocket, tag: 'plain' } },
    timers: clock.timers,
    log: (level, message) => logs.push(`${level}: ${message}`),
    onHandlerError: (error) => handlerErrors.push(error),
    ...options.client,
  });
  const events: Event[] = [];
  const payloadTypes: string[] = [];
  const handlers: MqttHandlers = {
    onConnect: (sessionPresent) => {
      events.push(['connect', sessionPresent]);
      options.onConnect?.(sessionPresent);
    },
    onClose: (reason) => {
      events.push(['close', reason]);
      options.onClose?.(reason);
    },
    onMessage: (topic, payload, retained) => {
      payloadTypes.push(Object.prototype.toString.call(payload));
      events.push(['message', topic, Buffer.from(payload).toString(), retained]);
      options.onMessage?.(topic, payload, retained);
    },
    onPublishAck: (id) => events.push(['ack', id]),
  };
  client.connect({ ...BASE, ...options.connect }, handlers);
  const socket = ScriptedSocket.made.at(-1)!;
  return {
    clock, logs, handlerErrors, client, events, handlers, socket, payloadTypes,
    /** The socket connects with `room`, the client writes CONNECT, the broker accepts. */
    accept(room = 64 * 1024, ack: Uint8Array = CONNACK) {
      socket.writable(room);
      socket.deliver(ack);
    },
    /** Packets the client wrote after its CONNECT. */
    after() {
      return socket.packets().slice(1);
    },
  };
}

function messages(events: Event[]): Event[] {
  return events.filter((event) => event[0] === 'message');
}

describe('connecting', () => {
  test('CONNECT is byte for byte what the specification (and mqtt-packet) makes of the options', () => {
    const { socket } = setup({
      connect: {
        username: 'dev1-user', password: 'pässword', keepAliveSeconds: 30, cleanSession: false,
        will: { topic: 'ct/v1/s1/dev1/status', payload: '{"state":"offline"}', qos: 1, retain: true },
      },
    });
    expect(socket.options).toMatchObject({ address: '10.0.0.2', host: '10.0.0.2', port: 1883, nodelay: true, tag: 'plain' });
    expect(socket.writes).toEqual([]); // nothing before the socket says it is connected
    socket.writable(4096);
    expect(Buffer.from(socket.sent).toString('hex')).toBe(generate({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: 'dev1', keepalive: 30,
      username: 'dev1-user', password: Buffer.from('pässword'),
      will: { topic: 'ct/v1/s1/dev1/status', payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true },
    }).toString('hex'));
  });

  test('a minimal CONNECT: clean session, no credentials, no will, keep-alive 0', () => {
    const { socket } = setup({ connect: { cleanSession: true, keepAliveSeconds: 0, clientId: 'c' } });
    socket.writable(100);
    expect([...socket.sent]).toEqual([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 0, 0, 1, 0x63]);
  });

  test('rejects options MQTT 3.1.1 or this build cannot honour, before opening anything', () => {
    const { client, handlers, events } = setup();
    const made = ScriptedSocket.made.length;
    expect(() => client.connect({ ...BASE, password: 'p' }, handlers)).toThrow(/username/);
    expect(() => client.connect({ ...BASE, port: 0 }, handlers)).toThrow(/port/);
    expect(() => client.connect({ ...BASE, port: 65_536 }, handlers)).toThrow(/port/);
    expect(() => client.connect({ ...BASE, host: '' }, handlers)).toThrow(/host/);
    expect(() => client.connect({ ...BASE, keepAliveSeconds: 65_536 }, handlers)).toThrow(/keepalive/);
    expect(() => client.connect({ ...BASE, secure: {} }, handlers)).toThrow(/no TLS socket/);
    expect(ScriptedSocket.made.length).toBe(made);
    expect(events).toEqual([]);
  });

  test('a host name goes through the DNS resolver; the socket gets the address and the name', () => {
    const resolves: DnsResolveOptions[] = [];
    class Dns {
      constructor(readonly config: Record<string, unknown>) {}
      resolve(options: DnsResolveOptions) { resolves.push(options); }
    }
    ScriptedSocket.made = [];
    const clock = new SteppedClock();
    const client = new MqttClient({ network: { dns: { io: Dns, servers: ['10.0.0.53'] }, socket: { io: ScriptedSocket } }, timers: clock.timers });
    const events: Event[] = [];
    const handlers: MqttHandlers = {
      onConnect: (present) => events.push(['connect', present]), onClose: (reason) => events.push(['close', reason]),
      onMessage: () => {}, onPublishAck: () => {},
    };
    client.connect({ ...BASE, host: 'broker.site1.example' }, handlers);
    expect(resolves.map((r) => r.host)).toEqual(['broker.site1.example']);
    expect(ScriptedSocket.made).toHaveLength(0);
    resolves[0]!.onResolved('broker.site1.example', '192.168.7.9');
    expect(ScriptedSocket.made[0]!.options).toMatchObject({ address: '192.168.7.9', host: 'broker.site1.example', port: 1883 });
    resolves[0]!.onResolved('broker.site1.example', '192.168.7.10'); // a second answer opens nothing more
    expect(ScriptedSocket.made).toHaveLength(1);

    client.connect({ ...BASE, host: 'nowhere.example' }, handlers);
    expect(ScriptedSocket.made[0]!.closed).toBe(true);
    resolves[1]!.onError(new Error('NXDOMAIN'));
    expect(events).toEqual([['close', 'cannot resolve nowhere.example']]);
    resolves[1]!.onError(new Error('NXDOMAIN'));
    resolves[1]!.onResolved('nowhere.example', '10.9.9.9');
    expect(events).toHaveLength(1);
    expect(ScriptedSocket.made).toHaveLength(1);
  });

  test('CONNACK accepted: onConnect with session present; refusals end the connection with the reason', () => {
    const present = setup();
    present.accept(4096, connack(0, true));
    expect(present.events).toEqual([['connect', true]]);
    expect(present.client.connected).toBe(true);

    const reasons = [1, 2, 3, 4, 5].map((code) => {
      const { accept, events, socket, client } = setup();
      accept(4096, connack(code));
      expect(socket.closed).toBe(true);
      expect(client.connected).toBe(false);
      expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']); // no DISCONNECT after a refusal
      return events;
    });
    expect(reasons).toEqual([
      [['close', 'connection refused: unacceptable protocol version (1)']],
      [['close', 'connection refused: identifier rejected (2)']],
      [['close', 'connection refused: server unavailable (3)']],
      [['close', 'connection refused: bad user name or password (4)']],
      [['close', 'connection refused: not authorized (5)']],
    ]);
  });

  test('no CONNACK within the connect timeout ends the attempt once; so does a socket that never connects', () => {
    const silent = setup({ client: { connectTimeoutMs: 5000 } });
    silent.socket.writable(4096);
    silent.clock.advance(4999);
    expect(silent.events).toEqual([]);
    silent.clock.advance(1);
    expect(silent.events).toEqual([['close', 'no CONNACK within 5000 ms']]);
    expect(silent.socket.closed).toBe(true);
    silent.socket.deliver(CONNACK); // too late
    silent.clock.advance(60_000);
    expect(silent.events).toHaveLength(1);

    const stuck = setup({ client: { connectTimeoutMs: 5000 } });
    stuck.clock.advance(5000);
    expect(stuck.events).toEqual([['close', 'no CONNACK within 5000 ms']]);
    expect(stuck.socket.writes).toEqual([]);
  });

  test('a refused or failed socket reports onClose once, with the binding\'s reason when it gives one', () => {
    const plain = setup();
    plain.socket.fail();
    plain.socket.fail();
    expect(plain.events).toEqual([['close', 'connection failed or refused']]);
    const reasoned = setup();
    reasoned.socket.fail(new Error('ECONNREFUSED 10.0.0.2:1883'));
    expect(reasoned.events).toEqual([['close', 'ECONNREFUSED 10.0.0.2:1883']]);
    const lost = setup();
    lost.accept();
    lost.socket.fail();
    expect(lost.events).toEqual([['connect', false], ['close', 'connection lost']]);
  });

  test('a packet before CONNACK, or a second CONNACK, is a protocol violation', () => {
    const early = setup();
    early.socket.writable(4096);
    early.socket.deliver(publish(TOPIC, 'x'));
    expect(early.events).toHaveLength(1);
    expect(early.events[0]![0]).toBe('close');
    expect(early.events[0]![1]).toMatch(/^malformed packet from the broker: .*before CONNACK/);
    expect(early.client.counters.malformed).toBe(1);

    const twice = setup();
    twice.accept();
    twice.socket.deliver(CONNACK);
    expect(twice.events[1]![0]).toBe('close');
    expect(twice.events[1]![1]).toMatch(/^malformed packet from the broker: .*second CONNACK/);
    expect(twice.events).toHaveLength(2);
  });
});

describe('publishing and subscribing', () => {
  test('publish() before CONNACK throws; after it QoS 0 and 1 go out as specified and PUBACK reports once', () => {
    const { client, socket, events, after, accept } = setup();
    expect(() => client.publish('t', 'x', 1, false)).toThrow(/not connected/);
    accept();
    const first = client.publish('ct/v1/s1/dev1/event', '{"seq":1}', 1, false);
    const second = client.publish('ct/v1/s1/dev1/event', '{"seq":2}', 1, true);
    expect(client.publish('ct/v1/s1/dev1/telemetry', 'tëlemetry', 0, false)).toBe(0);
    expect(first).toBe(1);
    expect(second).toBe(2);
    expect(after()).toEqual([
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/event', payload: '{"seq":1}', qos: 1, retain: false, dup: false, messageId: 1 },
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/event', payload: '{"seq":2}', qos: 1, retain: true, dup: false, messageId: 2 },
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/telemetry', payload: 'tëlemetry', qos: 0, retain: false, dup: false },
    ]);
    socket.deliver(join(puback(second), puback(second), puback(999)));
    socket.deliver(puback(first));
    expect(events).toEqual([['connect', false], ['ack', 2], ['ack', 1]]);
    expect(() => client.publish('t', 'x', 2 as 1, false)).toThrow(/QoS/);
    expect(() => client.publish('', 'x', 0, false)).toThrow(/topic/);
  });

  test('SUBSCRIBE carries the filters and QoS with the fixed-header flags 0010; a refused filter is logged', () => {
    const { client, socket, after, logs, accept, events } = setup();
    accept();
    client.subscribe([]);
    expect(after()).toEqual([]);
    client.subscribe([{ topic: TOPIC, qos: 1 }, { topic: 'ct/v1/s1/dev1/config/desired', qos: 0 }]);
    expect(socket.writes.at(-1)![0]).toBe(0x82);
    expect(after()).toEqual([{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }, { topic: 'ct/v1/s1/dev1/config/desired', qos: 0 }] }]);
    socket.deliver(suback(1, [1, 0x80]));
    expect(logs).toContain('error: MQTT: broker refused 1 subscription(s)');
    socket.deliver(puback(1)); // an id that belongs to a SUBSCRIBE is not a publish acknowledgement
    expect(events).toEqual([['connect', false]]);
    expect(client.connected).toBe(true);
  });

  test('packet ids skip ids still awaiting PUBACK and wrap after 65535', () => {
    const { client, socket, accept } = setup({ client: { maxQueuedBytes: 1 << 30 } });
    accept(1 << 30);
    const first = client.publish('t', 'a', 1, false);
    const seen = new Set([first]);
    for (let i = 1; i < 65_535; i++) {
      const id = client.publish('t', 'a', 1, false);
      if (seen.has(id) || id < 1 || id > 65_535) throw new Error(`packet id ${id} reused or out of range`);
      seen.add(id);
      socket.deliver(puback(id));
    }
    expect(seen.size).toBe(65_535);
    expect(first).toBe(1);
    // Every id but 1 was acknowledged: the counter wraps past 65535 and skips 1, still in flight.
    expect(client.publish('t', 'a', 1, false)).toBe(2);
    expect(socket.writes.at(-1)).toEqual(bytes(0x32, 6, 0, 1, 0x74, 0, 2, 0x61));
  });

  test('what does not fit waits in the queue, goes out in order as room appears, split across writes', () => {
    const { client, socket, after, accept } = setup();
    const connectBytes = 2 + 10 + 2 + 4; // fixed header, variable header, client id "dev1"
    accept(connectBytes); // room for exactly the CONNECT
    expect(socket.room).toBe(0);
    client.subscribe([{ topic: TOPIC, qos: 1 }]);
    const payload = JSON.stringify({ state: 'online', pad: 'x'.repeat(300) });
    client.publish('ct/v1/s1/dev1/status', payload, 1, true);
    expect(socket.writes).toHaveLength(1);
    for (let i = 0; i < 100 && socket.packets().length < 3; i++) socket.writable(17);
    expect(socket.writes.slice(1).every((chunk) => chunk.length <= 17)).toBe(true);
    expect(after()).toEqual([
      { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }] },
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/status', payload, qos: 1, retain: true, dup: false, messageId: 2 },
    ]);
  });

  test('a full send queue drops the connection: publish throws, onClose follows from a timer', () => {
    const { client, socket, events, clock, accept } = setup({ client: { maxQueuedBytes: 200 } });
    accept(24);
    client.publish('t', 'x'.repeat(100), 1, false);
    expect(() => client.publish('t', 'x'.repeat(100), 1, false)).toThrow(/queue full/);
    expect(socket.closed).toBe(true);
    expect(events).toEqual([['connect', false]]); // never re-entrantly, from inside publish()
    clock.advance(1);
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(['close', expect.stringMatching(/^send queue full/)]);
    expect(() => client.publish('t', 'x', 0, false)).toThrow(/not connected/);
  });

  test('a write that throws ends the connection, reported from a timer, once', () => {
    const { client, socket, events, clock, accept } = setup();
    accept();
    socket.writeThrows = new Error('ENOTCONN');
    expect(() => client.publish('t', 'x', 0, false)).not.toThrow();
    expect(events).toEqual([['connect', false]]);
    clock.advance(1);
    expect(events).toEqual([['connect', false], ['close', 'write failed: ENOTCONN']]);
    expect(socket.closed).toBe(true);
  });
});

describe('closing', () => {
  test('close() sends DISCONNECT, closes the socket and stays silent', () => {
    const { client, socket, events, accept, clock } = setup({ connect: { keepAliveSeconds: 10 } });
    accept();
    client.close();
    expect(socket.writes.at(-1)).toEqual(DISCONNECT);
    expect(socket.closed).toBe(true);
    expect(client.connected).toBe(false);
    socket.deliver(join(puback(1), publish(TOPIC, 'late')));
    socket.fail(new Error('reset'));
    clock.advance(60_000); // no keep-alive either
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect', 'disconnect']);
    expect(events).toEqual([['connect', false]]);
  });

  test('close() with packets still queued writes them first, then DISCONNECT, and stays silent', () => {
    const { client, socket, events, accept } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', JSON.stringify({ state: 'sleeping', pad: 'x'.repeat(200) }), 1, true);
    client.close();
    expect(client.connected).toBe(false);
    expect(socket.closed).toBe(false);
    expect(() => client.publish('t', '{}', 0, false)).toThrow(/not connected/);
    socket.writable(100);
    expect(socket.closed).toBe(false);
    socket.writable(1024);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect', 'publish', 'disconnect']);
    expect(JSON.parse(socket.packets()[1]!.payload!)).toMatchObject({ state: 'sleeping' });
    expect(socket.closed).toBe(true);
    expect(events).toEqual([['connect', false]]);
  });

  test('a drain that ends with the socket exactly full still says DISCONNECT once room comes back', () => {
    const { client, socket, events, accept, clock } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true);
    const size = publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', { qos: 1, retain: true }).length;
    client.close();
    socket.writable(size); // the status fits, nothing more
    socket.writable(1024);
    clock.advance(CLOSE_DRAIN_MS);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect', 'publish', 'disconnect']);
    expect(socket.closed).toBe(true);
    expect(events).toEqual([['connect', false]]);
  });

  test('close() when the socket has no room left waits for room for its DISCONNECT', () => {
    const { client, socket, events, accept } = setup();
    accept(18); // the CONNECT filled the socket
    client.close();
    expect(socket.closed).toBe(false);
    socket.writable(1);
    expect(socket.closed).toBe(false);
    socket.writable(2);
    expect(socket.writes.at(-1)).toEqual(DISCONNECT);
    expect(socket.closed).toBe(true);
    expect(events).toEqual([['connect', false]]);
  });

  test('whatever the broker sends while a close drains, no handler hears of it', () => {
    const { client, socket, events, accept, clock } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true);
    client.close();
    socket.deliver(join(publish(TOPIC, 'x', { qos: 1, id: 4 }), puback(1), CONNACK));
    expect(socket.closed).toBe(true); // the broken stream ends the drain at once
    clock.advance(CLOSE_DRAIN_MS);
    expect(events).toEqual([['connect', false]]);
    expect(client.counters.malformed).toBe(1);
  });

  test('a clean close gives up draining after CLOSE_DRAIN_MS: no DISCONNECT, so the broker publishes the will', () => {
    const { client, socket, events, clock, logs, accept } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true);
    client.close();
    clock.advance(CLOSE_DRAIN_MS - 1);
    expect(socket.closed).toBe(false);
    clock.advance(1);
    expect(socket.closed).toBe(true);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    expect(logs.join('\n')).toMatch(/did not fit into the socket in time/);
    socket.writable(1024);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    expect(events).toEqual([['connect', false]]);
  });

  test('connect() while a clean close still drains cuts the old connection first: one at a time', () => {
    const { client, socket, clock, handlers, events, accept } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true);
    client.close();
    expect(socket.closed).toBe(false);
    const next: Event[] = [];
    client.connect(BASE, { ...handlers, onClose: (reason) => next.push(['close', reason]), onConnect: (p) => next.push(['connect', p]) });
    expect(socket.closed).toBe(true);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    expect(ScriptedSocket.made).toHaveLength(2);
    const fresh = ScriptedSocket.made[1]!;
    fresh.writable(4096);
    fresh.deliver(CONNACK);
    clock.advance(CLOSE_DRAIN_MS + 1000); // the old drain deadline passes without touching anything
    socket.writable(1024);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    expect(next).toEqual([['connect', false]]);
    expect(events).toEqual([['connect', false]]);
    expect(client.connected).toBe(true);
  });

  test('a failure while a clean close drains ends it quietly', () => {
    const { client, socket, events, clock, logs, accept } = setup();
    accept(18);
    client.publish('ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true);
    client.close();
    socket.fail(new Error('reset'));
    clock.advance(10_000);
    expect(events).toEqual([['connect', false]]);
    expect(socket.closed).toBe(true);
    expect(logs.join('\n')).toMatch(/failed with 1 packet\(s\) unsent/);
    expect(logs.join('\n')).not.toMatch(/in time/);
  });

  test('close() before CONNACK closes without DISCONNECT and calls nothing', () => {
    const { client, socket, events, clock } = setup();
    socket.writable(4096);
    client.close();
    expect(socket.closed).toBe(true);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    socket.deliver(CONNACK);
    clock.advance(60_000);
    expect(events).toEqual([]);
  });

  test('a new connect() replaces the old socket, whose late callbacks reach nobody', () => {
    const { client, socket, events, accept } = setup();
    accept();
    const next: Event[] = [];
    client.connect(BASE, {
      onConnect: (p) => next.push(['connect', p]), onClose: (r) => next.push(['close', r]),
      onMessage: (t, p, r) => next.push(['message', t, Buffer.from(p).toString(), r]), onPublishAck: (id) => next.push(['ack', id]),
    });
    expect(socket.closed).toBe(true);
    const writesBefore = socket.writes.length;
    socket.deliver(publish(TOPIC, 'stale', { qos: 1, id: 9 }));
    socket.writable(1024);
    socket.fail();
    expect(socket.writes).toHaveLength(writesBefore);
    expect(events).toEqual([['connect', false]]);
    expect(next).toEqual([]);
    const fresh = ScriptedSocket.made[1]!;
    fresh.writable(4096);
    fresh.deliver(join(CONNACK, publish(TOPIC, 'fresh')));
    expect(next).toEqual([['connect', false], ['message', TOPIC, 'fresh', false]]);
  });
});

describe('receiving', () => {
  /** The runtime's reply to a command: a result, as the device answers. */
  function answering() {
    const state: { client?: MqttClient } = {};
    const fixture = setup({
      onMessage: (topic, payload) => {
        if (payload.length > 0) state.client!.publish('ct/v1/s1/dev1/result', `answer:${Buffer.from(payload).toString()}`, 1, false);
      },
    });
    state.client = fixture.client;
    fixture.accept();
    return fixture;
  }

  const empties: [string, { qos: 0 | 1; id?: number; retain?: boolean }][] = [
    ['QoS 0', { qos: 0 }],
    ['QoS 1', { qos: 1, id: 7 }],
    ['a retained clear (QoS 1)', { qos: 1, id: 7, retain: true }],
    ['a retained clear (QoS 0)', { qos: 0, retain: true }],
  ];
  test.each(empties)('an empty PUBLISH at %s is an ordinary message; the command after it is delivered and answered', (_name, flags) => {
    const { socket, events, after, payloadTypes, client } = answering();
    socket.deliver(publish(TOPIC, '', flags));
    socket.deliver(publish(TOPIC, 'cmd-1', { qos: 1, id: 8 }));
    expect(messages(events)).toEqual([
      ['message', TOPIC, '', flags.retain ?? false],
      ['message', TOPIC, 'cmd-1', false],
    ]);
    expect(payloadTypes).toEqual(['[object Uint8Array]', '[object Uint8Array]']);
    const acks = flags.qos === 1 ? [{ cmd: 'puback', messageId: 7 }] : [];
    expect(after()).toEqual([
      ...acks,
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/result', payload: 'answer:cmd-1', qos: 1, retain: false, dup: false, messageId: 1 },
      { cmd: 'puback', messageId: 8 },
    ]);
    expect(client.connected).toBe(true);
    expect(events.filter((e) => e[0] === 'close')).toEqual([]);
  });

  test('empty PUBLISH packets in every shape, back to back in one chunk and byte by byte', () => {
    const stream = join(
      bytes(0x30, 2 + TOPIC.length, 0, TOPIC.length, ...Buffer.from(TOPIC)), // QoS 0, no payload
      bytes(0x32, 4 + TOPIC.length, 0, TOPIC.length, ...Buffer.from(TOPIC), 0x12, 0x34), // QoS 1, no payload
      bytes(0x3b, 4 + TOPIC.length, 0, TOPIC.length, ...Buffer.from(TOPIC), 0, 1), // QoS 1 DUP retained
      publish(TOPIC, 'after'),
    );
    for (const chunk of [stream.length, 1]) {
      const { socket, events, after } = answering();
      socket.deliver(stream, chunk);
      expect(messages(events)).toEqual([
        ['message', TOPIC, '', false], ['message', TOPIC, '', false], ['message', TOPIC, '', true], ['message', TOPIC, 'after', false],
      ]);
      expect(after().slice(0, 2)).toEqual([{ cmd: 'puback', messageId: 0x1234 }, { cmd: 'puback', messageId: 1 }]);
      expect(socket.writes.slice(-3)).toEqual([bytes(0x40, 2, 0x12, 0x34), bytes(0x40, 2, 0, 1), expect.anything()]);
    }
  });

  test('the retained flag is reported as the PUBLISH carries it', () => {
    const { socket, events } = answering();
    socket.deliver(join(
      publish(TOPIC, 'kept', { qos: 1, id: 3, retain: true }),
      publish(TOPIC, 'live', { qos: 1, id: 4 }),
      publish('ct/v1/s1/dev1/config/desired', '{}', { retain: true }),
    ));
    expect(messages(events)).toEqual([
      ['message', TOPIC, 'kept', true], ['message', TOPIC, 'live', false], ['message', 'ct/v1/s1/dev1/config/desired', '{}', true],
    ]);
  });

  test('a QoS 1 message is acknowledged after its handler ran, even when the handler throws', () => {
    const order: string[] = [];
    const fixture = setup({
      onMessage: (_topic, payload) => {
        order.push(`handler saw ${fixture.socket.writes.length} writes`);
        if (Buffer.from(payload).toString() === 'boom') throw new Error('app bug');
      },
    });
    fixture.accept();
    fixture.socket.deliver(join(publish(TOPIC, 'boom', { qos: 1, id: 5 }), publish(TOPIC, 'next', { qos: 1, id: 6 })));
    expect(order).toEqual(['handler saw 1 writes', 'handler saw 2 writes']);
    expect(fixture.after()).toEqual([{ cmd: 'puback', messageId: 5 }, { cmd: 'puback', messageId: 6 }]);
    expect(fixture.handlerErrors).toEqual([new Error('app bug')]);
    expect(messages(fixture.events).map((e) => e[2])).toEqual(['boom', 'next']);
    expect(fixture.client.connected).toBe(true);
  });

  test('payload bytes arrive as sent, including invalid UTF-8 (the runtime judges it)', () => {
    const raw: number[][] = [];
    const fixture = setup({ onMessage: (_t, payload) => raw.push([...payload]) });
    fixture.accept();
    fixture.socket.deliver(publish(TOPIC, bytes(0x7b, 0xff, 0xc0, 0x7d, 0)));
    expect(raw).toEqual([[0x7b, 0xff, 0xc0, 0x7d, 0]]);
  });

  describe('oversized messages', () => {
    function measured(max: number) {
      let most = 0;
      const original = PacketReader.prototype.push;
      const spy = jest.spyOn(PacketReader.prototype, 'push').mockImplementation(function (this: PacketReader, chunk: Uint8Array) {
        const result = original.call(this, chunk);
        most = Math.max(most, this.buffered);
        return result;
      });
      const fixture = setup({ client: { maxPacketBytes: max } });
      fixture.accept();
      return { ...fixture, most: () => most, restore: () => spy.mockRestore() };
    }

    test('a QoS 1 PUBLISH larger than maxPacketBytes streamed in small chunks is skipped, acknowledged and counted', () => {
      const fixture = measured(256);
      try {
        const { socket, events, after, client, logs } = fixture;
        const big = publish(TOPIC, 'x'.repeat(10_000), { qos: 1, id: 0x0102, retain: true });
        socket.deliver(big, 7);
        expect(socket.unread).toBe(0);
        expect(messages(events)).toEqual([]);
        expect(after()).toEqual([{ cmd: 'puback', messageId: 0x0102 }]);
        expect(client.counters).toEqual({ oversized: 1, malformed: 0 });
        expect(logs).toContain(`warn: MQTT: skipped a ${big.length - 3}-byte message on ${TOPIC} (limit 256)`);
        expect(fixture.most()).toBeLessThanOrEqual(256);
        socket.deliver(publish(TOPIC, 'next', { qos: 1, id: 0x0103 }), 3);
        expect(messages(events)).toEqual([['message', TOPIC, 'next', false]]);
        expect(after().at(-1)).toEqual({ cmd: 'puback', messageId: 0x0103 });
        expect(client.connected).toBe(true);
        expect(events.filter((e) => e[0] === 'close')).toEqual([]);
      } finally {
        fixture.restore();
      }
    });

    test('QoS 0 too: skipped without an acknowledgement; exactly maxPacketBytes is still delivered', () => {
      const fixture = measured(64);
      try {
        const { socket, events, after, client } = fixture;
        const fits = publish(TOPIC, 'y'.repeat(64 - 2 - TOPIC.length));
        expect(fits.length).toBe(66);
        const over = publish(TOPIC, 'y'.repeat(65 - 2 - TOPIC.length));
        socket.deliver(join(over, fits, over, publish(TOPIC, 'z')), 5);
        expect(messages(events).map((e) => (e[2] as string).length)).toEqual([64 - 2 - TOPIC.length, 1]);
        expect(after()).toEqual([]);
        expect(client.counters.oversized).toBe(2);
        expect(fixture.most()).toBeLessThanOrEqual(64);
      } finally {
        fixture.restore();
      }
    });

    test('a 10 MB PUBLISH with the default limit never takes more than MAX_PACKET_BYTES of buffer', () => {
      const fixture = measured(MAX_PACKET_BYTES);
      try {
        const { socket, events, after, client } = fixture;
        const size = 10 * 1024 * 1024;
        // The header of a PUBLISH with `size` payload bytes, then the payload streamed in 4 KB chunks.
        socket.deliver(publishHeader(TOPIC, 1, 42, size));
        const chunk = new Uint8Array(4096).fill(0x61);
        for (let sent = 0; sent < size; sent += chunk.length) socket.deliver(chunk);
        socket.deliver(publish(TOPIC, 'small'));
        expect(after()).toEqual([{ cmd: 'puback', messageId: 42 }]);
        expect(messages(events)).toEqual([['message', TOPIC, 'small', false]]);
        expect(client.counters.oversized).toBe(1);
        expect(fixture.most()).toBeLessThanOrEqual(MAX_PACKET_BYTES);
      } finally {
        fixture.restore();
      }
    });
  });

  test('a whole session delivered one byte at a time gives what it gives in one piece', () => {
    const run = (chunk: number) => {
      // The subscribe and the birth go out from onConnect, as the runtime sends them.
      const state: { client?: MqttClient } = {};
      const fixture = setup({
        connect: { keepAliveSeconds: 10 },
        onConnect: () => {
          state.client!.subscribe([{ topic: TOPIC, qos: 1 }]);
          state.client!.publish('ct/v1/s1/dev1/status', 'online', 1, true);
        },
      });
      const { socket, client, clock } = fixture;
      state.client = client;
      socket.writable(4096);
      const stream = join(
        connack(0, true),
        suback(1, [1]),
        publish(TOPIC, '{"reqId":"a"}', { qos: 1, id: 1 }),
        publish(TOPIC, '', { qos: 0, retain: true }),
        puback(2),
        PINGRESP,
        publish(TOPIC, 'é'.repeat(300), { qos: 1, id: 65_535, dup: true }),
        publish('ct/v1/s1/dev1/alarm', '{}'),
      );
      socket.deliver(stream, chunk);
      clock.advance(1);
      return { events: fixture.events, sent: fixture.after(), counters: { ...client.counters } };
    };
    const whole = run(100_000);
    expect(whole.sent).toEqual([
      { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }] },
      { cmd: 'publish', topic: 'ct/v1/s1/dev1/status', payload: 'online', qos: 1, retain: true, dup: false, messageId: 2 },
      { cmd: 'puback', messageId: 1 },
      { cmd: 'puback', messageId: 65_535 },
    ]);
    expect(whole.counters).toEqual({ oversized: 0, malformed: 0 });
    expect(whole.events).toEqual([
      ['connect', true],
      ['message', TOPIC, '{"reqId":"a"}', false],
      ['message', TOPIC, '', true],
      ['ack', 2],
      ['message', TOPIC, 'é'.repeat(300), false],
      ['message', 'ct/v1/s1/dev1/alarm', '{}', false],
    ]);
    expect(run(1)).toEqual(whole);
    expect(run(3)).toEqual(whole);
  });

  test('more bytes than one read takes (1 KB) are read in several reads within one onReadable', () => {
    const { socket, events, accept } = setup();
    accept();
    const many = join(...Array.from({ length: 50 }, (_, i) => publish(TOPIC, `m${i}`.padEnd(100, '.'))));
    expect(many.length).toBeGreaterThan(4096);
    socket.deliver(many);
    expect(socket.unread).toBe(0);
    expect(messages(events)).toHaveLength(50);
  });
});

describe('malformed input from the broker', () => {
  const topic = Buffer.from(TOPIC);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a Remaining Length of five bytes', bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), /Remaining Length longer than four bytes/],
    ['CONNECT (a client packet)', bytes(0x10, 0), /unexpected packet type 1/],
    ['SUBSCRIBE', bytes(0x82, 5, 0, 1, 0, 1, 0x61), /unexpected packet type 8/],
    ['PUBREC (QoS 2, never used)', bytes(0x50, 2, 0, 1), /unexpected packet type 5/],
    ['PUBREL', bytes(0x62, 2, 0, 1), /unexpected packet type 6/],
    ['PUBCOMP', bytes(0x70, 2, 0, 1), /unexpected packet type 7/],
    ['DISCONNECT from a server', bytes(0xe0, 0), /unexpected packet type 14/],
    ['reserved type 0', bytes(0x00, 0), /unexpected packet type 0/],
    ['reserved type 15', bytes(0xf0, 0), /unexpected packet type 15/],
    ['CONNACK with Remaining Length 3', bytes(0x20, 3, 0, 0, 0), /packet type 2 with Remaining Length 3/],
    ['CONNACK with header flags', bytes(0x21, 2, 0, 0), /packet type 2 with flags 1/],
    ['PUBACK with header flags', bytes(0x42, 2, 0, 1), /packet type 4 with flags 2/],
    ['PUBACK with packet id 0', bytes(0x40, 2, 0, 0), /packet id 0/],
    ['PINGRESP with a body', bytes(0xd0, 1, 0), /packet type 13 with Remaining Length 1/],
    ['UNSUBACK with Remaining Length 4', bytes(0xb0, 4, 0, 1, 0, 0), /packet type 11 with Remaining Length 4/],
    ['PUBLISH at QoS 3', bytes(0x36, 5, 0, 1, 0x61, 0, 1), /PUBLISH with QoS 3/],
    ['PUBLISH at QoS 2', bytes(0x34, 5, 0, 1, 0x61, 0, 1), /PUBLISH with QoS 2/],
    ['PUBLISH QoS 0 with DUP', bytes(0x38, 3, 0, 1, 0x61), /DUP/],
    ['PUBLISH whose topic overruns it', bytes(0x30, 3, 0, 5, 0x61), /topic of 5 bytes overruns/],
    ['PUBLISH QoS 1 whose packet id is cut off', bytes(0x32, 4, 0, 1, 0x61, 0), /topic of 1 bytes overruns/],
    ['PUBLISH with Remaining Length 1', bytes(0x30, 1, 0), /PUBLISH with Remaining Length 1/],
    ['PUBLISH QoS 1 with packet id 0', bytes(0x32, 5, 0, 1, 0x61, 0, 0), /packet id 0/],
    ['PUBLISH with an empty topic', bytes(0x30, 3, 0, 0, 0x61), /empty topic/],
    ['PUBLISH topic with +', bytes(0x30, 5, 0, 3, 0x61, 0x2b, 0x62), /wildcard/],
    ['PUBLISH topic with #', bytes(0x30, 4, 0, 2, 0x61, 0x23), /wildcard/],
    ['PUBLISH topic of invalid UTF-8', bytes(0x30, 4, 0, 2, 0x61, 0xff), /not valid UTF-8/],
    ['PUBLISH topic with an overlong NUL', bytes(0x30, 4, 0, 2, 0xc0, 0x80), /not valid UTF-8/],
    ['PUBLISH topic with U+0000', bytes(0x30, 4, 0, 2, 0x61, 0x00), /U\+0000/],
    ['SUBACK with return code 3', bytes(0x90, 3, 0, 1, 3), /SUBACK return code 3/],
    ['SUBACK with no return code', bytes(0x90, 2, 0, 1), /SUBACK with Remaining Length 2/],
    ['CONNACK refusing with session present', bytes(0x20, 2, 1, 5), /session present/],
    ['CONNACK with reserved acknowledge flags', bytes(0x20, 2, 2, 0), /reserved flags/],
    ['CONNACK with return code 6', bytes(0x20, 2, 0, 6), /return code 6/],
    ['a SUBACK larger than maxPacketBytes', join(bytes(0x90, 0x80, 0x80, 0x01, 0, 1), new Uint8Array(100)), /packet type 9 of 16384 bytes/],
    ['an oversized QoS 1 PUBLISH with packet id 0', join(bytes(0x32, 0x80, 0x80, 0x01, 0, topic.length), topic, bytes(0, 0), new Uint8Array(16_384 - 4 - topic.length)), /packet id 0/],
    ['an oversized PUBLISH whose topic overruns it', bytes(0x30, 0x80, 0x80, 0x01, 0xff, 0xff), /overruns/],
  ];

  test.each(cases)('%s: onClose once, "malformed packet from the broker: …", nothing after it', (_name, stream, why) => {
    for (const chunk of [stream.length, 1]) {
      const { socket, events, client, clock, accept } = setup({ connect: { keepAliveSeconds: 10 } });
      accept();
      const writes = socket.writes.length;
      // A good message before it in the same chunk is delivered; a good one after it is not.
      socket.deliver(join(publish(TOPIC, 'before'), stream, publish(TOPIC, 'after', { qos: 1, id: 3 })), chunk);
      socket.deliver(publish(TOPIC, 'later'));
      socket.fail(new Error('reset'));
      clock.advance(60_000);
      expect(events.slice(0, 2)).toEqual([['connect', false], ['message', TOPIC, 'before', false]]);
      expect(events).toHaveLength(3);
      const close = events[2]!;
      expect(close[0]).toBe('close');
      expect(close[1]).toMatch(/^malformed packet from the broker: /);
      expect(close[1]).toMatch(why);
      expect(socket.closed).toBe(true);
      expect(socket.writes).toHaveLength(writes); // no PUBACK, no DISCONNECT (§4.8: just close)
      expect(client.connected).toBe(false);
      expect(client.counters.malformed).toBe(1);
    }
  });

  test('malformed bytes in the CONNACK\'s place end the attempt as malformed', () => {
    const { socket, events, client } = setup();
    socket.writable(4096);
    socket.deliver(bytes(0x20, 0x80, 0x80, 0x80, 0x80));
    expect(events).toEqual([['close', 'malformed packet from the broker: Remaining Length longer than four bytes']]);
    expect(client.counters.malformed).toBe(1);
  });

  test('a truncated packet followed by a socket error: onClose once, with the error, nothing delivered', () => {
    const { socket, events, accept, after } = setup();
    accept();
    const whole = publish(TOPIC, 'cut short', { qos: 1, id: 4 });
    socket.deliver(whole.subarray(0, whole.length - 3), 2);
    socket.fail(new Error('ECONNRESET'));
    socket.fail(new Error('ECONNRESET'));
    socket.deliver(whole.subarray(whole.length - 3));
    expect(events).toEqual([['connect', false], ['close', 'ECONNRESET']]);
    expect(after()).toEqual([]);
    expect(socket.closed).toBe(true);
  });
});

describe('keep-alive', () => {
  test('idle: PINGREQ after three quarters of the period; no PINGRESP within half a period ends the connection', () => {
    const { socket, events, clock, accept, client } = setup({ connect: { keepAliveSeconds: 10 } });
    accept();
    const writes = socket.writes.length;
    clock.advance(7499);
    expect(socket.writes).toHaveLength(writes);
    clock.advance(1);
    expect(socket.writes.slice(writes)).toEqual([PINGREQ]);
    clock.advance(4999);
    expect(client.connected).toBe(true);
    clock.advance(1);
    expect(events).toEqual([['connect', false], ['close', 'keep-alive: the broker did not answer PINGREQ']]);
    expect(socket.closed).toBe(true);
    expect(socket.writes.slice(writes)).toEqual([PINGREQ]); // no DISCONNECT
    clock.advance(60_000);
    expect(events).toHaveLength(2);
  });

  test('answered PINGREQs keep an idle connection up for good', () => {
    const { socket, events, clock, accept, client } = setup({ connect: { keepAliveSeconds: 10 } });
    accept();
    let pings = 0;
    for (let second = 0; second < 120; second++) {
      const before = socket.writes.length;
      clock.advance(1000);
      for (const write of socket.writes.slice(before)) {
        expect(write).toEqual(PINGREQ);
        pings++;
        socket.deliver(PINGRESP);
      }
    }
    expect(client.connected).toBe(true);
    expect(events).toEqual([['connect', false]]);
    expect(pings).toBe(12); // one each period while idle, the first at 7.5 s
  });

  test('no PINGREQ while publishes are acknowledged; one when the broker has been silent for a whole period', () => {
    const busy = setup({ connect: { keepAliveSeconds: 10 } });
    busy.accept();
    for (let i = 0; i < 15; i++) {
      busy.clock.advance(2000);
      const id = busy.client.publish('ct/v1/s1/dev1/telemetry', `{"n":${i}}`, 1, false);
      busy.socket.deliver(puback(id));
    }
    expect(busy.after().filter((p) => p.cmd === 'pingreq')).toEqual([]);

    const deaf = setup({ connect: { keepAliveSeconds: 10 } });
    deaf.accept();
    const at: number[] = [];
    for (let ms = 0; ms < 10_000; ms += 1000) {
      deaf.client.publish('ct/v1/s1/dev1/telemetry', '{}', 0, false);
      const before = deaf.socket.writes.length;
      deaf.clock.advance(1000);
      if (deaf.socket.writes.slice(before).some((w) => w[0] === 0xc0)) at.push(ms + 1000);
    }
    expect(at).toEqual([10_000]);
  });

  test('keep-alive 0: no PINGREQ ever, the connection stays', () => {
    const { socket, clock, accept, client } = setup({ connect: { keepAliveSeconds: 0 } });
    accept();
    clock.advance(3_600_000);
    expect(socket.packets().map((p) => p.cmd)).toEqual(['connect']);
    expect(client.connected).toBe(true);
  });
});

describe('never throws out of a socket callback', () => {
  test('read() throwing ends the connection with the reason, once', () => {
    const { socket, events, accept } = setup();
    accept();
    socket.readThrows = new Error('invalid');
    expect(() => socket.deliver(publish(TOPIC, 'x'))).not.toThrow();
    expect(events).toEqual([['connect', false], ['close', 'internal error: invalid']]);
    expect(socket.closed).toBe(true);
    expect(() => socket.deliver(publish(TOPIC, 'x'))).not.toThrow();
    expect(() => socket.fail()).not.toThrow();
    expect(events).toHaveLength(2);
  });

  test('a handler that throws (even onClose) is reported and does not escape', () => {
    const fixture = setup({
      onMessage: () => { throw new Error('app bug'); },
      onClose: () => { throw new Error('close bug'); },
    });
    fixture.accept();
    expect(() => fixture.socket.deliver(publish(TOPIC, 'x', { qos: 1, id: 2 }))).not.toThrow();
    expect(fixture.after()).toEqual([{ cmd: 'puback', messageId: 2 }]);
    expect(() => fixture.socket.fail()).not.toThrow();
    expect(fixture.handlerErrors).toEqual([new Error('app bug'), new Error('close bug')]);
  });

  test('a socket constructor that throws is a failed connection reported once', () => {
    class Refusing {
      constructor() { throw new Error('no route'); }
    }
    const clock = new SteppedClock();
    const client = new MqttClient({ network: { socket: { io: Refusing as unknown as SocketConfig['io'] } }, timers: clock.timers });
    const events: Event[] = [];
    let inside = true;
    client.connect(BASE, {
      onConnect: () => {}, onMessage: () => {}, onPublishAck: () => {},
      onClose: (reason) => events.push(['close', `${inside ? 'inside connect: ' : ''}${reason}`]),
    });
    inside = false;
    clock.advance(60_000);
    expect(events).toHaveLength(1);
    expect(events[0]![1]).toBe('connection failed: no route');
    expect(events[0]![1]).not.toMatch(/^inside connect/); // never re-entrantly, from inside connect()
  });
});

describe('over TLS', () => {
  function secure() {
    ScriptedSocket.made = [];
    const clock = new SteppedClock();
    const seen: MqttTlsOptions[] = [];
    const network: MqttNetwork = {
      socket: { io: ScriptedSocket, kind: 'plain' },
      secureSocket: (tls) => {
        seen.push(tls);
        return { io: ScriptedSocket, kind: 'tls', secure: { ...tls } };
      },
    };
    const client = new MqttClient({ network, timers: clock.timers });
    const events: Event[] = [];
    const handlers: MqttHandlers = {
      onConnect: (p) => events.push(['connect', p]), onClose: (r) => events.push(['close', r]),
      onMessage: (t, p, r) => events.push(['message', t, Buffer.from(p).toString(), r]), onPublishAck: (id) => events.push(['ack', id]),
    };
    return { client, events, handlers, seen, clock };
  }
  const ca = Uint8Array.of(0x30, 0x03, 0x30, 0x01, 0x00);

  test('the CA and server name reach the TLS socket configuration; a plain connect keeps the plain one', () => {
    const { client, handlers, seen } = secure();
    client.connect({ ...BASE, port: 8883, secure: { ca, serverName: 'broker.site1.example' } }, handlers);
    expect(seen).toEqual([{ ca, serverName: 'broker.site1.example' }]);
    expect(ScriptedSocket.made[0]!.options).toMatchObject({ kind: 'tls', address: '10.0.0.2', port: 8883, secure: { ca, serverName: 'broker.site1.example' } });
    client.connect({ ...BASE, port: 1883 }, handlers);
    expect(ScriptedSocket.made[1]!.options).toMatchObject({ kind: 'plain', port: 1883 });
    expect(ScriptedSocket.made[1]!.options).not.toHaveProperty('secure');
  });

  test('a failed handshake is reported once with the binding\'s "TLS:" reason, and publishing then throws', () => {
    const { client, handlers, events } = secure();
    client.connect({ ...BASE, port: 8883, secure: { ca } }, handlers);
    const socket = ScriptedSocket.made[0]!;
    socket.fail(new Error('TLS: certificate signature failure'));
    socket.fail(new Error('TLS: certificate signature failure'));
    expect(events).toEqual([['close', 'TLS: certificate signature failure']]);
    expect(() => client.publish('t', 'x', 1, false)).toThrow(/not connected/);
  });

  test('once the TLS session is up, it is MQTT as usual', () => {
    const { client, handlers, events } = secure();
    client.connect({ ...BASE, port: 8883, secure: {} }, handlers);
    const socket = ScriptedSocket.made[0]!;
    socket.writable(4096);
    socket.deliver(CONNACK);
    const id = client.publish('ct/v1/s1/dev1/event', '{"seq":1}', 1, false);
    socket.deliver(puback(id));
    expect(events).toEqual([['connect', false], ['ack', id]]);
  });

  describe('the Moddable binding (hal/moddable/network.ts) over stand-ins for the SDK modules', () => {
    /** The TCP socket under the TLS socket. */
    class FakeTcp {
      static last: FakeTcp | undefined;
      readonly options: NativeTcpOptions;
      closed = false;
      format = 'buffer';
      constructor(options: NativeTcpOptions) {
        this.options = options;
        FakeTcp.last = this;
      }
      read(): unknown { return undefined; }
      write(): number { return 0; }
      close(): void { this.closed = true; }
    }
    /** What the SDK's TLS socket does that matters here: builds its TCP socket, runs the handshake in its callbacks, reports onError() with no reason. */
    class FakeTls {
      static last: FakeTls | undefined;
      readonly options: SocketOptions & { TCP: { io: new (o: NativeTcpOptions) => FakeTcp }; secure: { certificate?: ArrayBuffer; serverName?: string } };
      readonly tcp: FakeTcp;
      handshake: () => void = () => {};
      constructor(options: FakeTls['options']) {
        this.options = options;
        FakeTls.last = this;
        this.tcp = new options.TCP.io({
          address: options.address, port: options.port,
          onReadable: () => this.handshake(),
          onError: () => this.options.onError?.(),
        });
      }
      read(): ArrayBuffer | undefined { return undefined; }
      write(): number { return 0; }
      close(): void {}
    }

    async function binding() {
      jest.unstable_mockModule('net', () => ({ default: { get: (name: string) => (name === 'DNS' ? ['192.168.1.1', '0.0.0.0', 7, '1.1.1.1'] : undefined) } }));
      jest.unstable_mockModule('embedded:io/socket/tcp', () => ({ default: FakeTcp }), { virtual: true });
      jest.unstable_mockModule('embedded:io/socket/tcp/tls', () => ({ default: FakeTls }), { virtual: true });
      jest.unstable_mockModule('embedded:io/socket/udp', () => ({ default: class Udp {} }), { virtual: true });
      jest.unstable_mockModule('embedded:network/dns/resolver/udp', () => ({ default: class Resolver {} }), { virtual: true });
      // Not type-checked here: the module is typed against @moddable/typings (tsconfig.moddable.json).
      const path: string = '../../hal/moddable/network.js';
      return (await import(path)) as { mqttNetwork(): MqttNetwork };
    }

    test('secure options: the CA as DER in an ArrayBuffer, the server name, and a guarded TCP class beside them', async () => {
      const { mqttNetwork } = await binding();
      const network = mqttNetwork();
      expect(network.dns).toMatchObject({ servers: ['192.168.1.1', '1.1.1.1', '8.8.8.8'] });
      expect(network.socket.io).toBe(FakeTcp);
      const config = network.secureSocket!({ ca, serverName: 'broker.site1.example' });
      const secureOptions = config.secure as { certificate: ArrayBuffer; serverName: string };
      expect(secureOptions.certificate).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(secureOptions.certificate)]).toEqual([...ca]);
      expect(secureOptions.serverName).toBe('broker.site1.example');
      const tcp = (config.TCP as { io: unknown }).io;
      expect(tcp).not.toBe(FakeTcp);
      expect(network.secureSocket!({}).secure).toEqual({});
    });

    test('an exception from the handshake becomes onClose("TLS: …") once, and the TCP socket\'s later callbacks are ignored', async () => {
      const { mqttNetwork } = await binding();
      const clock = new SteppedClock();
      const client = new MqttClient({ network: mqttNetwork(), timers: clock.timers });
      const events: Event[] = [];
      client.connect({ ...BASE, host: '192.168.1.10', port: 8883, secure: { ca, serverName: 'broker.site1.example' } }, {
        onConnect: (p) => events.push(['connect', p]), onClose: (r) => events.push(['close', r]), onMessage: () => {}, onPublishAck: () => {},
      });
      const tls = FakeTls.last!;
      expect(tls.options).toMatchObject({ address: '192.168.1.10', host: '192.168.1.10', port: 8883, secure: { serverName: 'broker.site1.example' } });
      let handshakes = 0;
      tls.handshake = () => {
        handshakes++;
        throw new Error('invalid certificate');
      };
      expect(() => FakeTcp.last!.options.onReadable!(5)).not.toThrow();
      expect(() => FakeTcp.last!.options.onReadable!(5)).not.toThrow();
      expect(handshakes).toBe(1);
      expect(events).toEqual([['close', 'TLS: invalid certificate']]);
      clock.advance(60_000);
      expect(events).toHaveLength(1);
    });
  });

  test('guardTcp forwards format and I/O, and turns a callback exception into one onError', () => {
    const errors: unknown[] = [];
    class Tcp {
      static last: Tcp | undefined;
      format = 'buffer';
      readonly calls: unknown[][] = [];
      constructor(readonly options: NativeTcpOptions) { Tcp.last = this; }
      read(...args: unknown[]): unknown { this.calls.push(['read', ...args]); return 'r'; }
      write(...args: unknown[]): number { this.calls.push(['write', ...args]); return 9; }
      close(): void { this.calls.push(['close']); }
    }
    const Guarded = guardTcp(Tcp, (error) => errors.push(error));
    let onError = 0;
    const socket = new Guarded({ address: '1.2.3.4', port: 1, onReadable: () => { throw new Error('bad record'); }, onError: () => { onError++; } });
    socket.format = 'number';
    expect(Tcp.last!.format).toBe('number');
    expect(socket.read()).toBe('r');
    expect(socket.write(1, 2)).toBe(9);
    socket.close();
    expect(Tcp.last!.calls).toEqual([['read'], ['write', 1, 2], ['close']]);
    Tcp.last!.options.onReadable!(3);
    Tcp.last!.options.onReadable!(3);
    Tcp.last!.options.onError!();
    expect(errors).toEqual([new Error('bad record')]);
    expect(onError).toBe(1);
  });
});
