// A scripted MQTT 3.1.1 transport for tests: nothing happens on its own. The device side calls the
// MqttTransport methods; the test plays the broker (accept or refuse a connect, PUBACK, drop, inject messages).
// Control methods are async: when a worker is attached they resolve once the device has handled the event.
import type { MqttConnectOptions, MqttHandlers, MqttTransport, QoS } from '../../../hal/contract/index.js';
import { utf8Encode } from '../../../firmware/lib/utf8.js';

export interface PublishedMessage {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  /** 0 for QoS 0. */
  packetId: number;
  /** Connection number (1 = first connect) the publish happened on. */
  connection: number;
  acked: boolean;
}

export type ScriptedMqttState = 'idle' | 'connecting' | 'connected';

export class ScriptedMqtt implements MqttTransport {
  /** Every connect() the device made, oldest first. */
  readonly connects: MqttConnectOptions[] = [];
  readonly published: PublishedMessage[] = [];
  readonly subscriptions: { topic: string; qos: QoS }[] = [];
  /** Runs after each control call (the session delivers the queued events to the worker). */
  afterControl: () => Promise<void> = async () => {};
  #state: ScriptedMqttState = 'idle';
  #handlers: MqttHandlers | undefined;
  #nextPacketId = 1;

  get state(): ScriptedMqttState {
    return this.#state;
  }

  /** QoS 1 publishes of the current connection still waiting for a PUBACK. */
  get unacked(): PublishedMessage[] {
    return this.published.filter((message) => message.qos === 1 && !message.acked && message.connection === this.connects.length);
  }

  // ---- MqttTransport (the device side) ----

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    if (this.#state !== 'idle') throw new Error(`mqtt: connect() while ${this.#state}`);
    this.connects.push(structuredClone(options));
    this.#handlers = handlers;
    this.#state = 'connecting';
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    if (this.#state !== 'connected') throw new Error('mqtt: not connected');
    if (qos !== 0 && qos !== 1) throw new RangeError(`mqtt: unsupported QoS ${String(qos)}`);
    const packetId = qos === 1 ? this.#takePacketId() : 0;
    this.published.push({ topic, payload, qos, retain, packetId, connection: this.connects.length, acked: false });
    return packetId;
  }

  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    if (this.#state !== 'connected') throw new Error('mqtt: not connected');
    this.subscriptions.push(...filters.map(({ topic, qos }) => ({ topic, qos })));
  }

  close(): void {
    this.#state = 'idle';
    this.#handlers = undefined;
  }

  // ---- the broker's side, driven by the test ----

  /** CONNACK accepted. */
  accept(sessionPresent = false): Promise<void> {
    const handlers = this.#expect('connecting', 'accept');
    this.#state = 'connected';
    handlers.onConnect(sessionPresent);
    return this.afterControl();
  }

  /** The connect attempt failed. */
  refuse(reason = 'connection refused'): Promise<void> {
    const handlers = this.#expect('connecting', 'refuse');
    this.#state = 'idle';
    this.#handlers = undefined;
    handlers.onClose(reason);
    return this.afterControl();
  }

  /** The connection drops; unacknowledged publishes stay unacknowledged. */
  drop(reason = 'connection lost'): Promise<void> {
    const handlers = this.#expect('connected', 'drop');
    this.#state = 'idle';
    this.#handlers = undefined;
    handlers.onClose(reason);
    return this.afterControl();
  }

  /** PUBACK for one packet id of the current connection. */
  puback(packetId: number): Promise<void> {
    const handlers = this.#expect('connected', 'puback');
    const message = this.unacked.find((candidate) => candidate.packetId === packetId);
    if (!message) throw new Error(`mqtt: no unacknowledged QoS 1 publish with packet id ${packetId}`);
    message.acked = true;
    handlers.onPublishAck(packetId);
    return this.afterControl();
  }

  /** PUBACKs, oldest first, until nothing is outstanding (publishes the acks provoke included); returns how many. */
  async pubackAll(limit = 10_000): Promise<number> {
    let count = 0;
    for (let message = this.unacked[0]; message; message = this.unacked[0]) {
      if (++count > limit) throw new Error(`mqtt: still publishing after ${limit} PUBACKs`);
      await this.puback(message.packetId);
    }
    return count;
  }

  /**
   * A message from the broker on a subscribed topic: text is sent as its UTF-8, bytes as they are (so malformed
   * UTF-8 or a zero-length payload can be injected).
   */
  inject(topic: string, payload: string | Uint8Array, retained = false): Promise<void> {
    const handlers = this.#expect('connected', 'inject');
    handlers.onMessage(topic, typeof payload === 'string' ? utf8Encode(payload) : payload, retained);
    return this.afterControl();
  }

  #expect(state: ScriptedMqttState, action: string): MqttHandlers {
    if (this.#state !== state || !this.#handlers) throw new Error(`mqtt: cannot ${action} while ${this.#state}`);
    return this.#handlers;
  }

  #takePacketId(): number {
    const id = this.#nextPacketId;
    this.#nextPacketId = id === 65535 ? 1 : id + 1;
    return id;
  }
}
