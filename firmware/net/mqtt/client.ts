// The device's MQTT 3.1.1 client, written from the specification over the ECMA-419 TCP socket shape
// (hal/contract/socket.ts). The same code runs on the device (the SDK's TCP and TLS sockets) and in the simulator
// (host sockets over node:net / node:tls). It implements the contract's MqttTransport:
// - QoS 0 and 1 both ways: packet ids (never one still in flight), PUBACKs matched to publishes, incoming QoS 1
//   acknowledged after the handler ran;
// - incoming packets are parsed as they stream in and never held beyond maxPacketBytes: a larger PUBLISH is read
//   past, acknowledged if QoS 1 (so the broker stops redelivering it), counted, and the connection stays up; a
//   zero-length payload is an ordinary message; the retain flag is reported;
// - malformed input from the broker closes the connection with the reason (the runtime backs off and retries);
// - keep-alive: PINGREQ when we have been quiet for three quarters of a period, or have heard nothing for a whole
//   one; no answer within half a period ends the connection;
// - writes go through a bounded queue that drains as the socket makes room; a clean close() hands the queue to
//   the socket first (for at most CLOSE_DRAIN_MS), then DISCONNECT;
// - exactly one onClose per connect() that failed or was lost, never after close(), never re-entrantly inside a
//   call from the runtime; nothing thrown ever leaves a socket or timer callback.
import { CLOSE_DRAIN_MS } from '../../../hal/contract/mqtt.js';
import type { MqttConnectOptions, MqttHandlers, MqttTlsOptions, MqttTransport, QoS } from '../../../hal/contract/mqtt.js';
import type { DnsConfig, SocketConfig, TcpSocket } from '../../../hal/contract/socket.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { utf8Encode } from '../../lib/utf8.js';
import {
  encodeConnect, encodeDisconnect, encodePingreq, encodePuback, encodePublish, encodeSubscribe, PacketType,
} from './packet.js';
import type { InboundPacket, OversizedPublish } from './packet-reader.js';
import { PacketReader } from './packet-reader.js';

/** Default largest incoming packet: the protocol's 8192-byte payload plus its longest topic and headers. */
export const MAX_PACKET_BYTES = 8192 + 256;

export interface MqttNetwork {
  /** Resolves host names; without it `host` must be an IPv4 address. */
  dns?: DnsConfig;
  socket: SocketConfig;
  /** The socket configuration for one TLS connection; absent: the build has no TLS and secure connects throw. */
  secureSocket?(tls: MqttTlsOptions): SocketConfig;
}

export interface MqttClientOptions {
  network: MqttNetwork;
  timers: Timers;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Largest incoming Remaining Length kept; larger PUBLISH packets are skipped. Default MAX_PACKET_BYTES. */
  maxPacketBytes?: number;
  /** Outgoing bytes waiting for the socket before the connection is dropped as stuck. Default 16 KB. */
  maxQueuedBytes?: number;
  /** From connect() to CONNACK. Default 30 s. */
  connectTimeoutMs?: number;
  /** Receives what a handler threw (handlers belong to the runtime and must not break the client). */
  onHandlerError?: (error: unknown) => void;
}

export interface MqttClientCounters {
  /** Incoming PUBLISH packets skipped for their size. */
  oversized: number;
  /** Connections ended because the broker sent something malformed. */
  malformed: number;
}

type Phase = 'resolving' | 'connecting' | 'waiting-connack' | 'connected' | 'draining' | 'ended';

/** One connect() call. */
interface Session {
  readonly handlers: MqttHandlers;
  phase: Phase;
  socket: TcpSocket | undefined;
  readonly reader: PacketReader;
  /** What the socket said it can take. */
  room: number;
  queue: Uint8Array[];
  /** Bytes of queue[0] already written. */
  written: number;
  queuedBytes: number;
  /** QoS 1 publishes and subscribes awaiting their acknowledgement, by packet id. */
  readonly awaiting: Map<number, 'publish' | 'subscribe'>;
  timer: TimerId | undefined;
  keepAlive: {
    periodMs: number; timer: TimerId | undefined; sent: boolean; heard: boolean; quietSent: number; quietHeard: number;
    pingOutstanding: boolean; pingAge: number;
  };
}

const MAX_PACKET_ID = 65_535;
const READ_CHUNK = 1024;
/** CONNACK return codes (spec §3.2.2.3). */
const REFUSALS = ['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];

export class MqttClient implements MqttTransport {
  readonly #network: MqttNetwork;
  readonly #timers: Timers;
  readonly #log: NonNullable<MqttClientOptions['log']>;
  readonly #maxPacketBytes: number;
  readonly #maxQueuedBytes: number;
  readonly #connectTimeoutMs: number;
  readonly #onHandlerError: (error: unknown) => void;
  #session: Session | undefined;
  /** A cleanly closed session still handing its queue to the socket. */
  #draining: Session | undefined;
  #lastId = 0;
  readonly #counters: MqttClientCounters = { oversized: 0, malformed: 0 };

  constructor(options: MqttClientOptions) {
    this.#network = options.network;
    this.#timers = options.timers;
    this.#log = options.log ?? (() => {});
    this.#maxPacketBytes = options.maxPacketBytes ?? MAX_PACKET_BYTES;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 16 * 1024;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.#onHandlerError = options.onHandlerError ?? ((error) => this.#log('error', `MQTT handler failed: ${describe(error)}`));
  }

  get connected(): boolean {
    return this.#session?.phase === 'connected';
  }

  get counters(): Readonly<MqttClientCounters> {
    return this.#counters;
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#closeSession(false);
    // One connection at a time (the same client id, and on TLS one session's heap): a drain still going is cut.
    if (this.#draining) this.#finishClose(this.#draining, false);
    if (!options.host) throw new Error('MQTT connect: host required');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
      throw new RangeError(`MQTT connect: bad port ${options.port}`);
    const socketConfig = options.secure ? this.#network.secureSocket?.(options.secure) : this.#network.socket;
    if (!socketConfig) throw new Error('MQTT connect: this build has no TLS socket');
    const will = options.will && { ...options.will, payload: utf8Encode(options.will.payload) };
    const connectPacket = encodeConnect({
      clientId: options.clientId, keepAliveSeconds: options.keepAliveSeconds, cleanSession: options.cleanSession,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(will ? { will } : {}),
    });

    const session: Session = {
      handlers, phase: 'resolving', socket: undefined, room: 0, queue: [connectPacket], written: 0,
      queuedBytes: connectPacket.length, awaiting: new Map(), timer: undefined,
      keepAlive: { periodMs: options.keepAliveSeconds * 1000, timer: undefined, sent: false, heard: false, quietSent: 0, quietHeard: 0, pingOutstanding: false, pingAge: 0 },
      reader: new PacketReader({
        maxPacketBytes: this.#maxPacketBytes,
        onPacket: (packet) => this.#onPacket(session, packet),
        onOversized: (publish) => this.#onOversized(session, publish),
      }),
    };
    this.#session = session;
    session.timer = this.#timers.set(() => {
      session.timer = undefined;
      this.#end(session, `no CONNACK within ${this.#connectTimeoutMs} ms`);
    }, this.#connectTimeoutMs);

    const open = (address: string, host: string, deferred: boolean) => this.#guard(session, () => {
      if (session.phase !== 'resolving') return;
      session.phase = 'connecting';
      try {
        session.socket = new socketConfig.io({
          ...socketConfig, address, host, port: options.port, nodelay: true,
          onReadable: (count: number) => this.#guard(session, () => this.#onReadable(session, count)),
          onWritable: (count: number) => this.#guard(session, () => this.#onWritable(session, count)),
          onError: (error?: unknown) => this.#guard(session, () => this.#onSocketError(session, error)),
        });
      } catch (error) {
        // Inside connect(): reported from a timer, never re-entrantly.
        this.#end(session, `connection failed: ${describe(error)}`, deferred);
      }
    });
    const dns = this.#network.dns;
    if (isIPv4(options.host) || !dns) {
      open(options.host, options.host, true);
      return;
    }
    try {
      new dns.io(dns).resolve({
        host: options.host,
        onResolved: (host, address) => open(address, host, false),
        onError: () => this.#guard(session, () => this.#end(session, `cannot resolve ${options.host}`)),
      });
    } catch (error) {
      this.#timers.clear(session.timer);
      this.#session = undefined;
      session.phase = 'ended';
      throw new Error(`MQTT connect: ${describe(error)}`);
    }
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    const session = this.#live('publish');
    if (qos !== 0 && qos !== 1) throw new RangeError(`MQTT publish: unsupported QoS ${String(qos)}`);
    if (!topic) throw new Error('MQTT publish: empty topic');
    const id = qos === 1 ? this.#nextId(session) : 0;
    this.#send(session, encodePublish(utf8Encode(topic), utf8Encode(payload), qos, retain, id));
    if (qos === 1) session.awaiting.set(id, 'publish');
    return id;
  }

  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    const session = this.#live('subscribe');
    if (filters.length === 0) return;
    const id = this.#nextId(session);
    this.#send(session, encodeSubscribe(id, filters));
    session.awaiting.set(id, 'subscribe');
  }

  /**
   * Ends the connection cleanly: what is still queued goes out first (for up to CLOSE_DRAIN_MS), then
   * DISCONNECT (so no will), then close. Handlers hear nothing more.
   */
  close(): void {
    this.#closeSession(true);
  }

  // ---- outgoing ----

  #live(what: string): Session {
    const session = this.#session;
    if (!session || session.phase !== 'connected') throw new Error(`MQTT ${what}: not connected`);
    return session;
  }

  #nextId(session: Session): number {
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      this.#lastId = this.#lastId >= MAX_PACKET_ID ? 1 : this.#lastId + 1;
      if (!session.awaiting.has(this.#lastId)) return this.#lastId;
    }
    throw new Error('MQTT: every packet id is in flight');
  }

  /** Queues a packet from a runtime call: a full queue drops the connection (reported later) and throws. */
  #send(session: Session, packet: Uint8Array): void {
    if (!this.#enqueue(session, packet)) {
      this.#end(session, `send queue full (${session.queuedBytes} bytes waiting for the socket)`, true);
      throw new Error('MQTT: send queue full; connection dropped');
    }
    this.#pump(session);
  }

  #enqueue(session: Session, packet: Uint8Array): boolean {
    if (session.queuedBytes + packet.length > this.#maxQueuedBytes) return false;
    session.queue.push(packet);
    session.queuedBytes += packet.length;
    return true;
  }

  /** Hands queued bytes to the socket while it has room. A write that throws ends the connection. */
  #pump(session: Session): void {
    const socket = session.socket;
    if (!socket || session.phase === 'resolving' || session.phase === 'connecting' || session.phase === 'ended') return;
    try {
      while (session.queue.length > 0 && session.room > 0) {
        const head = session.queue[0]!;
        const take = Math.min(head.length - session.written, session.room);
        // A whole packet as it is; a piece as a copy of its own (not every socket honours a view's offset).
        const piece = session.written === 0 && take === head.length ? head : head.slice(session.written, session.written + take);
        session.room = socket.write(piece);
        session.written += take;
        session.keepAlive.sent = true;
        if (session.written < head.length) continue;
        session.queue.shift();
        session.queuedBytes -= head.length;
        session.written = 0;
      }
    } catch (error) {
      if (session.phase === 'draining') this.#finishClose(session, false);
      else this.#end(session, `write failed: ${describe(error)}`, true);
      return;
    }
    if (session.phase === 'draining' && session.queue.length === 0 && session.room >= 2) this.#finishClose(session, true);
  }

  // ---- incoming ----

  #onWritable(session: Session, count: number): void {
    if (session.phase === 'ended') return;
    session.room = count;
    if (session.phase === 'connecting') session.phase = 'waiting-connack'; // the CONNECT heads the queue
    this.#pump(session);
  }

  #onReadable(session: Session, count: number): void {
    const socket = session.socket;
    if (!socket) return;
    let left = count;
    while (left > 0 && (session.phase === 'waiting-connack' || session.phase === 'connected' || session.phase === 'draining')) {
      const chunk = socket.read(Math.min(left, READ_CHUNK));
      if (!chunk || chunk.byteLength === 0) return;
      left -= chunk.byteLength;
      session.keepAlive.heard = true;
      const failure = session.reader.push(new Uint8Array(chunk));
      if (failure !== undefined && (session.phase as Phase) !== 'ended') return this.#malformed(session, failure);
    }
  }

  /** The broker broke the protocol (spec §4.8): close, with the reason. */
  #malformed(session: Session, failure: string): void {
    this.#counters.malformed++;
    if (session.phase === 'draining') this.#finishClose(session, false);
    else this.#end(session, `malformed packet from the broker: ${failure}`);
  }

  #onPacket(session: Session, packet: InboundPacket): void {
    if (session.phase === 'ended') return;
    if (session.phase === 'waiting-connack') {
      if (packet.type !== PacketType.CONNACK) return this.#malformed(session, `packet type ${packet.type} before CONNACK`);
      if (packet.returnCode !== 0) return this.#end(session, `connection refused: ${REFUSALS[packet.returnCode]} (${packet.returnCode})`);
      this.#timers.clear(session.timer);
      session.timer = undefined;
      session.phase = 'connected';
      this.#startKeepAlive(session);
      this.#call(() => session.handlers.onConnect(packet.sessionPresent));
      return;
    }
    switch (packet.type) {
      case PacketType.CONNACK:
        return this.#malformed(session, 'a second CONNACK');
      case PacketType.PUBLISH:
        if (session.phase !== 'connected') return; // draining: no handler hears anything more
        this.#call(() => session.handlers.onMessage(packet.topic, packet.payload, packet.retain));
        if (packet.qos === 1) this.#acknowledge(session, packet.packetId);
        return;
      case PacketType.PUBACK:
        if (session.awaiting.get(packet.packetId) !== 'publish') return;
        session.awaiting.delete(packet.packetId);
        if (session.phase === 'connected') this.#call(() => session.handlers.onPublishAck(packet.packetId));
        return;
      case PacketType.SUBACK: {
        if (session.awaiting.get(packet.packetId) !== 'subscribe') return;
        session.awaiting.delete(packet.packetId);
        const refused = packet.granted.filter((granted) => granted === 0x80).length;
        if (refused > 0) this.#log('error', `MQTT: broker refused ${refused} subscription(s)`);
        return;
      }
      case PacketType.PINGRESP:
        session.keepAlive.pingOutstanding = false;
        return;
    }
  }

  #onOversized(session: Session, publish: OversizedPublish): void {
    if (session.phase === 'ended') return;
    this.#counters.oversized++;
    this.#log('warn', `MQTT: skipped a ${publish.length}-byte message on ${publish.topic} (limit ${this.#maxPacketBytes})`);
    if (publish.qos === 1 && session.phase === 'connected') this.#acknowledge(session, publish.packetId);
  }

  /** A PUBACK; should the queue be full, the connection is stuck anyway and ends (the broker redelivers). */
  #acknowledge(session: Session, packetId: number): void {
    if (session.phase !== 'connected') return;
    if (!this.#enqueue(session, encodePuback(packetId))) {
      this.#end(session, `send queue full (${session.queuedBytes} bytes waiting for the socket)`);
      return;
    }
    this.#pump(session);
  }

  #onSocketError(session: Session, error: unknown): void {
    if (session.phase === 'draining') {
      this.#log('warn', `MQTT close: the connection failed with ${session.queue.length} packet(s) unsent`);
      this.#finishClose(session, false);
      return;
    }
    const why = error === undefined ? undefined : describe(error);
    this.#end(session, why || (session.phase === 'connected' ? 'connection lost' : 'connection failed or refused'));
  }

  // ---- keep-alive (spec §3.1.2.10) ----

  #startKeepAlive(session: Session): void {
    const state = session.keepAlive;
    if (state.periodMs === 0) return;
    state.sent = state.heard = false;
    // Ticks at a quarter of the period. A PINGREQ goes out after three quiet ticks of ours, so no gap between our
    // packets exceeds one period (the broker allows one and a half), and an idle device pings once a period; or
    // when nothing has been heard for a whole period, so a dead link is found even while we keep publishing. The
    // answer may take two ticks.
    state.timer = this.#timers.repeat(() => this.#guard(session, () => {
      if (state.pingOutstanding && ++state.pingAge >= 2) return this.#end(session, 'keep-alive: the broker did not answer PINGREQ');
      state.quietSent = state.sent ? 0 : state.quietSent + 1;
      state.quietHeard = state.heard ? 0 : state.quietHeard + 1;
      state.sent = state.heard = false;
      if (!state.pingOutstanding && (state.quietSent >= 3 || state.quietHeard >= 4)) {
        if (!this.#enqueue(session, encodePingreq())) return this.#end(session, 'send queue full');
        state.pingOutstanding = true;
        state.pingAge = 0;
        state.quietHeard = 0;
        this.#pump(session);
      }
    }), state.periodMs / 4);
  }

  // ---- ending ----

  #closeSession(drain: boolean): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    const wasConnected = session.phase === 'connected';
    this.#stopTimers(session);
    if (drain && wasConnected && (session.queue.length > 0 || session.room < 2)) {
      session.phase = 'draining';
      this.#draining = session;
      session.timer = this.#timers.set(() => {
        session.timer = undefined;
        this.#log('warn', `MQTT close: ${session.queue.length} packet(s) did not fit into the socket in time`);
        this.#finishClose(session, false);
      }, CLOSE_DRAIN_MS);
      this.#pump(session);
      return;
    }
    this.#finishClose(session, wasConnected);
  }

  /** Closes the socket, after DISCONNECT when `goodbye` and it fits whole. */
  #finishClose(session: Session, goodbye: boolean): void {
    if (this.#draining === session) this.#draining = undefined;
    this.#stopTimers(session);
    session.phase = 'ended';
    const socket = session.socket;
    session.socket = undefined;
    session.queue = [];
    if (!socket) return;
    try {
      if (goodbye && session.written === 0 && session.room >= 2) socket.write(encodeDisconnect());
    } catch {
      // The socket is going away anyway.
    }
    try {
      socket.close();
    } catch (error) {
      this.#log('warn', `MQTT close: ${describe(error)}`);
    }
  }

  /**
   * Ends a session after a failure and reports it once. `deferred` inside a call from the runtime (publish,
   * subscribe), so its handlers never run re-entrantly.
   */
  #end(session: Session, reason: string, deferred = false): void {
    if (session.phase === 'ended') return;
    if (this.#session === session) this.#session = undefined;
    this.#finishClose(session, false);
    if (deferred) this.#timers.set(() => this.#call(() => session.handlers.onClose(reason)), 0);
    else this.#call(() => session.handlers.onClose(reason));
  }

  #stopTimers(session: Session): void {
    this.#timers.clear(session.timer);
    session.timer = undefined;
    this.#timers.clear(session.keepAlive.timer);
    session.keepAlive.timer = undefined;
  }

  /** Socket and timer callbacks: nothing thrown may leave them (XS aborts on an exception from a callback). */
  #guard(session: Session, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#log('error', `MQTT: ${describe(error)}`);
      try {
        if (session.phase === 'draining') this.#finishClose(session, false);
        else this.#end(session, `internal error: ${describe(error)}`);
      } catch {
        // Nothing more can be done for this session.
      }
    }
  }

  #call(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#onHandlerError(error);
    }
  }
}

function isIPv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
