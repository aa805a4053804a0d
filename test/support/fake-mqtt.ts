// A scripted MQTT transport for runtime tests: the test decides when connects succeed, when PUBACKs come and
// what arrives, and reads back everything the device published.
import type { MqttConnectOptions, MqttHandlers, MqttTransport, QoS } from '../../hal/contract/index.js';
import { utf8Encode } from '../../firmware/lib/utf8.js';

export interface Published {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  packetId: number;
}

export class FakeMqtt implements MqttTransport {
  /** Accept connects at once (true), refuse them (false), or leave them pending (undefined). */
  accept: boolean | undefined = true;
  /** PUBACK QoS 1 publishes at once. */
  autoAck = true;
  readonly published: Published[] = [];
  readonly subscriptions: string[] = [];
  connects = 0;
  options: MqttConnectOptions | undefined;
  #handlers: MqttHandlers | undefined;
  #connected = false;
  #nextId = 1;
  #unacked: number[] = [];

  get connected(): boolean {
    return this.#connected;
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.connects++;
    this.options = options;
    this.#handlers = handlers;
    if (this.accept === true) this.#open();
    else if (this.accept === false) handlers.onClose('connection refused');
  }

  /** Completes a pending connect. */
  completeConnect(): void {
    this.#open();
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    if (!this.#connected) throw new Error('not connected');
    const packetId = qos === 1 ? this.#nextId++ : 0;
    if (this.#nextId > 65535) this.#nextId = 1;
    this.published.push({ topic, payload, qos, retain, packetId });
    if (qos === 1) {
      if (this.autoAck) this.#handlers!.onPublishAck(packetId);
      else this.#unacked.push(packetId);
    }
    return packetId;
  }

  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    if (!this.#connected) throw new Error('not connected');
    for (const filter of filters) this.subscriptions.push(filter.topic);
  }

  close(): void {
    this.#connected = false;
    this.#unacked = [];
  }

  /** PUBACKs everything outstanding, oldest first. */
  ackAll(): void {
    const ids = this.#unacked;
    this.#unacked = [];
    for (const id of ids) this.#handlers!.onPublishAck(id);
  }

  /** The network drops: the device sees its connection close. */
  drop(reason = 'network down'): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#unacked = [];
    this.#handlers!.onClose(reason);
  }

  /** The network goes down (connects refused, the link drops) or comes back (SimDevice's network cut). */
  setNetworkUp(up: boolean): void {
    this.accept = up;
    if (!up) this.drop();
  }

  /** A PUBLISH from the broker: text goes out as its UTF-8, bytes as they are (malformed UTF-8 included). */
  deliver(topic: string, payload: string | Uint8Array, retained = false): void {
    if (!this.#connected) throw new Error('not connected');
    this.#handlers!.onMessage(topic, typeof payload === 'string' ? utf8Encode(payload) : payload, retained);
  }

  /** Parsed payloads published on topics ending with `channel`. */
  messages<T = Record<string, unknown>>(channel: string): T[] {
    return this.published.filter((p) => p.topic.endsWith(`/${channel}`)).map((p) => JSON.parse(p.payload) as T);
  }

  #open(): void {
    this.#connected = true;
    this.#handlers!.onConnect(false);
  }
}
