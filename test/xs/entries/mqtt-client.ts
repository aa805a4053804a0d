// The device's MQTT client (firmware/net/mqtt) on XS, over a scripted ECMA-419 socket and stepped timers that live
// in here. The Node side plays the broker: it sends a script of steps (bytes to deliver as hex, room to offer, time
// to pass, failures) and gets back what the handlers saw and every byte the client wrote, which it parses itself.
import type { MqttConnectOptions, MqttHandlers } from '../../../hal/contract/mqtt.js';
import type { TcpSocket, TcpSocketOptions } from '../../../hal/contract/socket.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { MqttClient } from '../../../firmware/net/mqtt/client.js';
import { PacketReader } from '../../../firmware/net/mqtt/packet-reader.js';
import { fromHex, toHex } from '../../../firmware/lib/hex.js';
import { utf8Decode } from '../../../firmware/lib/utf8.js';
import { ByteQueue } from '../../../hal/host/byte-queue.js';

export type Step =
  | { writable: number }
  /** Hex; a list is delivered one element per onReadable (XS's charCodeAt is slow on long strings: keep each short). */
  | { deliver: string | string[]; chunk?: number }
  | { advance: number }
  | { fail: string | null }
  | { publish: [topic: string, payload: string, qos: 0 | 1, retain: boolean] }
  | { close: true }
  | { readThrows: string };

export interface Scenario {
  connect?: Partial<MqttConnectOptions>;
  maxPacketBytes?: number;
  /** Handlers answer a non-empty message on a …/command topic with a QoS 1 result, as the runtime does. */
  answer?: boolean;
  steps: Step[];
}

export interface Outcome {
  /** connect:<present> | close:<reason> | message:<topic>:<payload hex>:<bytes>:<retained> | ack:<id> | handler-error:… */
  events: string[];
  /** Everything the client wrote, as hex. */
  written: string;
  counters: { oversized: number; malformed: number };
  connected: boolean;
  closed: boolean;
  /** Most bytes a PacketReader held at once. */
  mostBuffered: number;
  /** Exceptions that escaped a socket or timer callback (must stay empty). */
  escaped: string[];
  payloadsAreBytes: boolean;
}

/** Timers that move only when the script says so, in due order (ties in the order set). */
class SteppedTimers implements Timers {
  now = 0;
  #queue: { callback: () => void; due: number; interval: number; order: number }[] = [];
  #order = 0;

  set = (callback: () => void, ms: number): TimerId => this.#add(callback, ms, 0);
  repeat = (callback: () => void, ms: number): TimerId => this.#add(callback, ms, Math.max(1, ms));
  clear = (id: TimerId | undefined): void => {
    const index = this.#queue.indexOf(id as never);
    if (index >= 0) this.#queue.splice(index, 1);
  };

  advance(ms: number, guard: (action: () => void) => void): void {
    const target = this.now + ms;
    for (;;) {
      this.#queue.sort((a, b) => a.due - b.due || a.order - b.order);
      const timer = this.#queue[0];
      if (!timer || timer.due > target) break;
      this.now = timer.due;
      if (timer.interval > 0) {
        timer.due += timer.interval;
        timer.order = this.#order++;
      } else this.#queue.shift();
      guard(timer.callback);
    }
    this.now = target;
  }

  #add(callback: () => void, ms: number, interval: number): TimerId {
    const timer = { callback, due: this.now + Math.max(0, ms), interval, order: this.#order++ };
    this.#queue.push(timer);
    return timer;
  }
}

class ScriptedSocket implements TcpSocket {
  static last: ScriptedSocket | undefined;
  readonly options: TcpSocketOptions;
  room = 0;
  written: number[] = [];
  closed = false;
  readThrows: string | undefined;
  readonly #inbound = new ByteQueue();

  constructor(options: TcpSocketOptions) {
    this.options = options;
    ScriptedSocket.last = this;
  }

  read(count?: number): ArrayBuffer | undefined {
    if (this.readThrows !== undefined) throw new Error(this.readThrows);
    return this.#inbound.take(count);
  }

  write(data: ArrayBuffer | ArrayBufferView): number {
    if (this.closed) throw new Error('closed');
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > this.room) throw new Error('would block');
    for (let i = 0; i < bytes.length; i++) this.written.push(bytes[i]!);
    this.room -= bytes.length;
    return this.room;
  }

  close(): void {
    this.closed = true;
  }

  deliver(bytes: Uint8Array, chunk: number): void {
    for (let at = 0; at < bytes.length; at += chunk) {
      const part = bytes.slice(at, at + chunk);
      this.#inbound.push(part);
      this.options.onReadable?.(this.#inbound.available);
    }
  }
}

let mostBuffered = 0;
const push = PacketReader.prototype.push;
PacketReader.prototype.push = function (this: PacketReader, bytes: Uint8Array) {
  const result = push.call(this, bytes);
  if (this.buffered > mostBuffered) mostBuffered = this.buffered;
  return result;
};

export function run(scenario: Scenario): Outcome {
  ScriptedSocket.last = undefined;
  mostBuffered = 0;
  const timers = new SteppedTimers();
  const events: string[] = [];
  const escaped: string[] = [];
  let payloadsAreBytes = true;
  const client: MqttClient = new MqttClient({
    network: { socket: { io: ScriptedSocket } },
    timers,
    onHandlerError: (error) => events.push(`handler-error:${String(error)}`),
    ...(scenario.maxPacketBytes === undefined ? {} : { maxPacketBytes: scenario.maxPacketBytes }),
  });
  const handlers: MqttHandlers = {
    onConnect: (present) => events.push(`connect:${present}`),
    onClose: (reason) => events.push(`close:${reason}`),
    onMessage: (topic, payload, retained) => {
      if (!(payload instanceof Uint8Array)) payloadsAreBytes = false;
      events.push(`message:${topic}:${toHex(payload)}:${payload.length}:${retained}`);
      if (scenario.answer && payload.length > 0 && topic.endsWith('/command'))
        client.publish(topic.replace(/command$/, 'result'), `answer:${utf8Decode(payload)}`, 1, false);
    },
    onPublishAck: (id) => events.push(`ack:${id}`),
  };
  /** What a socket or timer callback lets escape is recorded instead of aborting the run. */
  const guard = (action: () => void) => {
    try {
      action();
    } catch (error) {
      escaped.push(String(error));
    }
  };
  client.connect({ host: '10.0.0.2', port: 1883, clientId: 'dev1', keepAliveSeconds: 0, cleanSession: false, ...scenario.connect }, handlers);
  const socket = ScriptedSocket.last as ScriptedSocket | undefined;
  if (!socket) throw new Error('connect() made no socket');
  for (const step of scenario.steps) {
    if ('writable' in step) {
      socket.room = step.writable;
      guard(() => socket.options.onWritable?.(step.writable));
    } else if ('deliver' in step) {
      for (const part of typeof step.deliver === 'string' ? [step.deliver] : step.deliver) {
        const bytes = fromHex(part);
        guard(() => socket.deliver(bytes, step.chunk ?? Math.max(1, bytes.length)));
      }
    } else if ('advance' in step) timers.advance(step.advance, guard);
    else if ('fail' in step) guard(() => socket.options.onError?.(step.fail === null ? undefined : new Error(step.fail)));
    else if ('publish' in step) client.publish(...step.publish);
    else if ('close' in step) client.close();
    else if ('readThrows' in step) socket.readThrows = step.readThrows;
  }
  return {
    events, written: toHex(Uint8Array.from(socket.written)), counters: { ...client.counters }, connected: client.connected,
    closed: socket.closed, mostBuffered, escaped, payloadsAreBytes,
  };
}
