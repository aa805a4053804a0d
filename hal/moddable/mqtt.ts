// MqttTransport over the Moddable SDK's ECMA-419 MQTT client ($(MODDABLE)/examples/io/tcp/mqttclient/mqttclient.js,
// module "embedded:network/mqtt/client"). That client frames packets, sends keepalive pings and acknowledges incoming
// QoS 1 messages, but leaves the rest to its user, so this adapter adds:
// - packet ids: we pick them (1–65535, never one still in flight) and match PUBACK/SUBACK to them;
// - flow control: the client throws "overflow" when a packet does not fit the socket's free space, so writes go
//   through a bounded queue that drains on onWritable, splitting a large PUBLISH into fragments;
// - reassembly: an incoming payload may arrive in several onReadable calls;
// - exactly one onClose per connect(), after failures only (close() is silent, as on the host binding);
// - a clean close() first hands what is still queued to the socket (within a deadline), so a last message
//   published just before it (the pendant's retained `sleeping` status) is not lost behind a full socket.
//
// Facts about the client (SDK 8.2.3) this relies on:
// - onControl(msg) runs with msg.operation/msg.id; CONNACK with a non-zero return code never reaches onControl,
//   it goes to onError. The CONNACK session-present flag is not reported.
// - onReadable(count, {topic, byteLength, QoS, more}) carries the topic only on a message's first fragment.
//   The PUBLISH retain flag is not reported, so onMessage always says retained = false.
// - every failure (DNS, connect timeout, socket error or close, keepalive timeout, refused CONNACK) calls
//   onError, and the client closes itself right after.
// - write() checks the whole fragment against the socket's free space before writing anything, and returns the
//   free space minus 8; onWritable(count) reports the same measure.
//
// TLS (options.secure): the client is built from `secureNetwork` (device.network.mqtts: the SDK's ECMA-419 TLS
// socket over TCP) with `secure: { certificate, serverName }` added to its socket options, and its TCP class
// wrapped by tls-guard.ts, so a failed handshake or certificate check closes the connection with "TLS: <why>"
// instead of aborting XS with an exception thrown from a socket callback.
//
// Engine-neutral on purpose (no SDK imports): the client class, text codec and timers are handed in, so the
// same code runs against a scripted client in tests.
import { CLOSE_DRAIN_MS } from '../contract/mqtt.js';
import type { MqttConnectOptions, MqttHandlers, MqttTlsOptions, MqttTransport, QoS } from '../contract/mqtt.js';
import type { TimerId, Timers } from '../contract/time.js';
import type {
  Mqtt419Client, Mqtt419ControlMessage, Mqtt419Network, Mqtt419Options, Mqtt419ReadableOptions, Mqtt419WriteOptions,
  Tls419SecureOptions,
} from './mqtt-client.js';
import { MqttOperation } from './mqtt-client.js';
import type { TcpConstructor } from './tls-guard.js';
import { guardTcp } from './tls-guard.js';

export type * from './mqtt-client.js';
export { MqttOperation } from './mqtt-client.js';

export interface TextCodec {
  encode(text: string): Uint8Array;
  /** Throws on malformed UTF-8. */
  decode(bytes: Uint8Array): string;
}

export interface Mqtt419TransportOptions {
  network: Mqtt419Network;
  /** The same over TLS (device.network.mqtts). Without it, a secure connect() throws. */
  secureNetwork?: Mqtt419Network;
  timers: Timers;
  codec: TextCodec;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Bytes of outgoing packets waiting for socket space before the connection is dropped. Default 16 KB. */
  maxQueuedBytes?: number;
  /** Larger incoming payloads are read and discarded. Default 16 KB. */
  maxIncomingBytes?: number;
}

interface QueuedPublish {
  readonly kind: 'publish';
  readonly topic: string;
  readonly topicBytes: number;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly id: number;
  /** Payload bytes handed to the client so far; -1 before the first fragment. */
  sent: number;
}

interface QueuedSubscribe {
  readonly kind: 'subscribe';
  readonly items: { topic: string; QoS: number }[];
  readonly id: number;
  readonly length: number;
}

type Queued = QueuedPublish | QueuedSubscribe;

interface Incoming {
  readonly topic: string;
  /** Undefined when the payload is too large and being discarded. */
  readonly bytes: Uint8Array | undefined;
  received: number;
}

/** One connect() call. */
interface Session {
  client: Mqtt419Client | undefined;
  readonly handlers: MqttHandlers;
  connected: boolean;
  ended: boolean;
  /** What write() or onWritable last reported as free. */
  room: number;
  queue: Queued[];
  queuedBytes: number;
  /** QoS 1 publishes and subscribes awaiting their acknowledgement, by packet id. */
  awaiting: Map<number, 'publish' | 'subscribe'>;
  incoming: Incoming | undefined;
  /** close() was called with packets still queued: they drain, then DISCONNECT; handlers hear nothing. */
  closing: boolean;
  /** Timer that gives up draining. */
  drainTimer: TimerId | undefined;
  /** What the TLS layer threw, if it did (see tls-guard.ts). */
  tlsFailure: string | undefined;
}

const MAX_PACKET_ID = 65_535;

export class Mqtt419Transport implements MqttTransport {
  #network: Mqtt419Network;
  #secureNetwork: Mqtt419Network | undefined;
  #timers: Timers;
  #codec: TextCodec;
  #log: NonNullable<Mqtt419TransportOptions['log']>;
  #maxQueuedBytes: number;
  #maxIncomingBytes: number;
  #session: Session | undefined;
  /** A cleanly closed session still handing its queue to the socket. */
  #draining: Session | undefined;
  #lastId = 0;

  constructor(options: Mqtt419TransportOptions) {
    this.#network = options.network;
    this.#secureNetwork = options.secureNetwork;
    this.#timers = options.timers;
    this.#codec = options.codec;
    this.#log = options.log ?? (() => {});
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 16 * 1024;
    this.#maxIncomingBytes = options.maxIncomingBytes ?? 16 * 1024;
  }

  get connected(): boolean {
    return this.#session?.connected ?? false;
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#close(false);
    // One connection at a time (same client id, and on TLS the heap of one session): a drain still going is cut.
    if (this.#draining) this.#finishClose(this.#draining, false);
    const network = options.secure ? this.#secureNetwork : this.#network;
    if (!network) throw new Error('MQTT connect: TLS needs device.network.mqtts (include manifest_mqttsclient.json)');
    if (!options.host) throw new Error('MQTT connect: host required');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
      throw new RangeError(`MQTT connect: bad port ${options.port}`);
    if (options.password !== undefined && options.username === undefined)
      throw new Error('MQTT connect: MQTT 3.1.1 allows a password only with a username');
    if (!Number.isInteger(options.keepAliveSeconds) || options.keepAliveSeconds < 0 || options.keepAliveSeconds > 65_535)
      throw new RangeError(`MQTT connect: bad keepalive ${options.keepAliveSeconds}`);

    const session: Session = {
      client: undefined, handlers, connected: false, ended: false, room: 0,
      queue: [], queuedBytes: 0, awaiting: new Map(), incoming: undefined, closing: false, drainTimer: undefined,
      tlsFailure: undefined,
    };
    this.#session = session;
    const transport = this;
    const refused = options.secure ? 'connection failed or refused (or the TLS handshake or certificate check failed)' : 'connection failed or refused';
    const failure = () => session.tlsFailure === undefined ? undefined : `TLS: ${session.tlsFailure}`;
    const clientOptions: Mqtt419Options = {
      dns: network.dns,
      socket: options.secure
        ? secureSocket(network.socket, options.secure, (error) => { session.tlsFailure ??= describe(error); })
        : network.socket,
      host: options.host,
      port: options.port,
      id: options.clientId,
      clean: options.cleanSession,
      keepalive: options.keepAliveSeconds * 1000,
      onControl(message) {
        transport.#onControl(session, message);
      },
      onReadable(count, readable) {
        transport.#onReadable(session, this, count, readable);
      },
      onWritable(count) {
        transport.#onWritable(session, count);
      },
      onError() {
        // While a clean close drains, a failure just ends it: the client closes itself.
        if (session.closing) transport.#abandonClose(session);
        else transport.#end(session, failure() ?? (session.connected ? 'connection lost' : refused), false);
      },
    };
    // The client sends user and password only when they are non-empty strings.
    if (options.username) clientOptions.user = options.username;
    if (options.password) clientOptions.password = options.password;
    if (options.will) {
      const { topic, payload, qos, retain } = options.will;
      clientOptions.will = { topic, message: toArrayBuffer(this.#codec.encode(payload)), QoS: qos, retain };
    }
    try {
      session.client = new network.io(clientOptions);
    } catch (error) {
      this.#session = undefined;
      session.ended = true;
      throw new Error(`MQTT connect: ${describe(error)}`);
    }
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    const session = this.#live('publish');
    if (qos !== 0 && qos !== 1) throw new RangeError(`MQTT publish: unsupported QoS ${String(qos)}`);
    if (!topic) throw new Error('MQTT publish: empty topic');
    const bytes = this.#codec.encode(payload);
    const topicBytes = this.#codec.encode(topic).length;
    const id = qos === 1 ? this.#nextId(session) : 0;
    this.#enqueue(session, { kind: 'publish', topic, topicBytes, payload: bytes, qos, retain, id, sent: -1 }, bytes.length + topicBytes + 8);
    if (qos === 1) session.awaiting.set(id, 'publish');
    this.#pump(session);
    return id;
  }

  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    const session = this.#live('subscribe');
    if (filters.length === 0) return;
    const items = filters.map(({ topic, qos }) => ({ topic, QoS: qos }));
    let payload = 2;
    for (const { topic } of filters) payload += 2 + this.#codec.encode(topic).length + 1;
    const id = this.#nextId(session);
    const length = 1 + remainingLengthBytes(payload) + payload;
    this.#enqueue(session, { kind: 'subscribe', items, id, length }, length);
    session.awaiting.set(id, 'subscribe');
    this.#pump(session);
  }

  /**
   * Ends the connection cleanly: what is still queued goes out first (for up to CLOSE_DRAIN_MS), then
   * DISCONNECT (so no will), then close. Handlers hear nothing more.
   */
  close(): void {
    this.#close(true);
  }

  #close(drain: boolean): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    const wasConnected = session.connected;
    session.ended = true;
    session.connected = false;
    if (!session.client) return;
    if (drain && wasConnected && session.queue.length > 0) {
      session.closing = true;
      this.#draining = session;
      session.drainTimer = this.#timers.set(() => {
        session.drainTimer = undefined;
        this.#log('warn', `MQTT close: ${session.queue.length} packet(s) did not fit into the socket in time`);
        this.#finishClose(session, false);
      }, CLOSE_DRAIN_MS);
      this.#pump(session);
      return;
    }
    this.#finishClose(session, wasConnected);
  }

  #finishClose(session: Session, sayGoodbye: boolean): void {
    this.#stopDraining(session);
    const client = session.client;
    if (!client) return;
    try {
      if (sayGoodbye && session.room >= 2 && !isMidPublish(session)) client.write(null, { operation: MqttOperation.DISCONNECT });
    } catch {
      // The socket is going away anyway.
    }
    try {
      client.close();
    } catch (error) {
      this.#log('warn', `MQTT close: ${describe(error)}`);
    }
  }

  #live(what: string): Session {
    const session = this.#session;
    if (!session || !session.connected || session.ended) throw new Error(`MQTT ${what}: not connected`);
    return session;
  }

  #nextId(session: Session): number {
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      this.#lastId = this.#lastId >= MAX_PACKET_ID ? 1 : this.#lastId + 1;
      if (!session.awaiting.has(this.#lastId)) return this.#lastId;
    }
    throw new Error('MQTT: every packet id is in flight');
  }

  #enqueue(session: Session, item: Queued, bytes: number): void {
    if (session.queuedBytes + bytes > this.#maxQueuedBytes) {
      this.#end(session, `send queue full (${session.queuedBytes} bytes waiting for the socket)`, true);
      throw new Error('MQTT: send queue full; connection dropped');
    }
    session.queue.push(item);
    session.queuedBytes += bytes;
  }

  /** Hands queued packets to the client while the socket has room. */
  #pump(session: Session): void {
    const client = session.client;
    if (!client) return;
    try {
      while ((session.connected || session.closing) && session.queue.length > 0) {
        const item = session.queue[0]!;
        if (item.kind === 'subscribe') {
          if (item.length > session.room) return;
          session.room = client.write(null, { operation: MqttOperation.SUBSCRIBE, items: item.items, id: item.id });
          this.#dequeue(session, item.length);
          continue;
        }
        const total = item.payload.length;
        if (item.sent < 0) {
          const header = 1 + remainingLengthBytes(2 + item.topicBytes + (item.qos ? 2 : 0) + total) + 2 + item.topicBytes + (item.qos ? 2 : 0);
          const first = Math.min(total, session.room - header);
          if (first < 0 || (first === 0 && total > 0)) return;
          const options: Mqtt419WriteOptions = { topic: item.topic, QoS: item.qos, retain: item.retain, byteLength: total };
          if (item.qos) options.id = item.id;
          session.room = client.write(item.payload.subarray(0, first), options);
          item.sent = first;
        }
        else {
          const next = Math.min(total - item.sent, session.room);
          if (next <= 0) return;
          session.room = client.write(item.payload.subarray(item.sent, item.sent + next));
          item.sent += next;
        }
        if (item.sent === total) this.#dequeue(session, total + item.topicBytes + 8);
      }
      if (session.closing && session.queue.length === 0) this.#finishClose(session, true);
    } catch (error) {
      if (session.closing) this.#finishClose(session, false);
      else this.#end(session, `write failed: ${describe(error)}`, true);
    }
  }

  #dequeue(session: Session, bytes: number): void {
    session.queue.shift();
    session.queuedBytes -= bytes;
  }

  #onControl(session: Session, message: Mqtt419ControlMessage): void {
    if (session.ended) return;
    switch (message.operation) {
      case MqttOperation.CONNACK:
        session.connected = true;
        this.#call(() => session.handlers.onConnect(false));
        break;
      case MqttOperation.PUBACK: {
        const id = message.id ?? 0;
        if (session.awaiting.get(id) !== 'publish') return;
        session.awaiting.delete(id);
        this.#call(() => session.handlers.onPublishAck(id));
        break;
      }
      case MqttOperation.SUBACK: {
        const id = message.id ?? 0;
        if (session.awaiting.get(id) !== 'subscribe') return;
        session.awaiting.delete(id);
        const refused = (message.payload ?? []).filter((granted) => granted === 0x80).length;
        if (refused > 0) this.#log('error', `MQTT: broker refused ${refused} subscription(s)`);
        break;
      }
    }
  }

  #onReadable(session: Session, client: Mqtt419Client, count: number, options: Mqtt419ReadableOptions): void {
    // Always read what is offered: the client's parser waits until the payload is consumed.
    const chunk = client.read(count);
    if (session.ended) return;
    if (options.topic !== undefined) {
      const total = options.byteLength ?? count;
      const fits = total <= this.#maxIncomingBytes;
      if (!fits) this.#log('warn', `MQTT: dropped a ${total}-byte message on ${options.topic}`);
      session.incoming = { topic: options.topic, bytes: fits ? new Uint8Array(total) : undefined, received: 0 };
    }
    const incoming = session.incoming;
    if (!incoming) return;
    if (incoming.bytes && chunk) {
      const bytes = new Uint8Array(chunk);
      if (incoming.received + bytes.length <= incoming.bytes.length) incoming.bytes.set(bytes, incoming.received);
      incoming.received += bytes.length;
    }
    if (options.more) return;
    session.incoming = undefined;
    if (!incoming.bytes) return;
    let text: string;
    try {
      text = this.#codec.decode(incoming.bytes.subarray(0, Math.min(incoming.received, incoming.bytes.length)));
    } catch {
      this.#log('warn', `MQTT: dropped a message on ${incoming.topic}: payload is not UTF-8`);
      return;
    }
    this.#call(() => session.handlers.onMessage(incoming.topic, text, false));
  }

  #abandonClose(session: Session): void {
    this.#stopDraining(session);
    this.#log('warn', `MQTT close: the connection failed with ${session.queue.length} packet(s) unsent`);
  }

  #stopDraining(session: Session): void {
    session.closing = false;
    if (this.#draining === session) this.#draining = undefined;
    this.#timers.clear(session.drainTimer);
    session.drainTimer = undefined;
  }

  #onWritable(session: Session, count: number): void {
    if (session.ended && !session.closing) return;
    session.room = count;
    this.#pump(session);
  }

  /**
   * Ends a session after a failure and reports it once. `deferred` when we are inside a call from the runtime
   * (publish, subscribe), so its handlers never run re-entrantly.
   */
  #end(session: Session, reason: string, deferred: boolean): void {
    if (session.ended) return;
    session.ended = true;
    session.connected = false;
    if (this.#session === session) this.#session = undefined;
    if (deferred) {
      try {
        session.client?.close();
      } catch {
        // Already closing.
      }
      this.#timers.set(() => this.#call(() => session.handlers.onClose(reason)), 0);
    }
    else this.#call(() => session.handlers.onClose(reason));
  }

  /** Handlers belong to the runtime; an exception there must not break the client's parser. */
  #call(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#log('error', `MQTT handler failed: ${describe(error)}`);
    }
  }
}

/** The TLS socket's configuration for one connection: its TCP class guarded, the CA and server name added. */
function secureSocket(socket: object, tls: MqttTlsOptions, onException: (error: unknown) => void): object {
  const secure: Tls419SecureOptions = {};
  if (tls.ca) secure.certificate = toArrayBuffer(tls.ca);
  if (tls.serverName) secure.serverName = tls.serverName;
  const tcp = (socket as { TCP?: { io?: TcpConstructor } }).TCP;
  // The guard is what keeps a failed handshake from aborting the machine: no TLS without it.
  if (!tcp?.io) throw new Error('MQTT connect: the TLS socket configuration has no TCP class to guard');
  return { ...socket, TCP: { ...tcp, io: guardTcp(tcp.io, onException) }, secure };
}

function isMidPublish(session: Session): boolean {
  const head = session.queue[0];
  return head !== undefined && head.kind === 'publish' && head.sent >= 0;
}

function remainingLengthBytes(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}

/** The client accepts an ArrayBuffer (not a view) as will message. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
