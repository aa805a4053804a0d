// In-XS half of the heap bench (scripts/bench/heap.ts): the host-backed HAL with its MQTT transport replaced by
// the device's own client (firmware/net/mqtt MqttClient, as hal/moddable/index.ts builds it), so the client's
// sessions, queues and parser buffers live in the measured heap. The client runs over PipeSocket, an ECMA-419
// TCP socket (hal/contract/socket.ts) whose other end is a scripted broker on the host: every write goes out with
// callHost('broker.write') and whatever the broker answers (CONNACK, SUBACK, PUBACK, PINGRESP) comes back as
// readable bytes; deliver() hands in packets the broker sends on its own (commands, config, alarm updates).
// The broker keeps its state on the host, so nothing of it is counted; the socket holds bytes only within a
// crank (like lwIP's buffers, outside the XS heap on the device) and is empty whenever the bench measures.
import { MqttClient } from '../../../firmware/net/mqtt/client.js';
import type { Hal, TcpSocket, TcpSocketOptions } from '../../../hal/contract/index.js';
import { callHost, createHalProxy } from '../../support/xs/hal-proxy.js';

declare const Base64: { encode(data: ArrayBuffer): string; decode(text: string): ArrayBuffer };

/** The room a write may use, as onWritable reports it: lwIP's default send buffer on the ESP32 (TCP_SND_BUF). */
const ROOM = 5744;

let current: PipeSocket | undefined;

class PipeSocket implements TcpSocket {
  readonly #options: TcpSocketOptions;
  readonly #id: number;
  #inbound: Uint8Array | undefined;
  #readAt = 0;
  #scheduled = false;
  #closed = false;

  constructor(options: TcpSocketOptions) {
    this.#options = options;
    this.#id = callHost('broker.open', { address: options.address, port: options.port }) as number;
    current = this;
    // Connected: as a real socket, later than the constructor.
    void Promise.resolve().then(() => {
      if (!this.#closed) this.#options.onWritable?.(ROOM);
    });
  }

  read(count?: number): ArrayBuffer | undefined {
    const inbound = this.#inbound;
    if (!inbound) return undefined;
    const left = inbound.length - this.#readAt;
    const take = count === undefined ? left : count;
    if (take > left) throw new RangeError(`read(${take}) with ${left} bytes waiting`);
    const out = inbound.slice(this.#readAt, this.#readAt + take).buffer as ArrayBuffer;
    this.#readAt += take;
    if (this.#readAt === inbound.length) {
      this.#inbound = undefined;
      this.#readAt = 0;
    }
    return out;
  }

  write(data: ArrayBuffer | ArrayBufferView): number {
    if (this.#closed) throw new Error('socket closed');
    const bytes = data instanceof ArrayBuffer ? data : (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
    const answer = callHost('broker.write', { id: this.#id, bytes: Base64.encode(bytes) }) as string;
    if (answer) this.receive(new Uint8Array(Base64.decode(answer)));
    return ROOM;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbound = undefined;
    if (current === this) current = undefined;
    callHost('broker.close', { id: this.#id });
  }

  /** Bytes from the broker: readable once the current job is done (never re-entrantly inside a write). */
  receive(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    if (this.#inbound) {
      const joined = new Uint8Array(this.#inbound.length - this.#readAt + bytes.length);
      joined.set(this.#inbound.subarray(this.#readAt));
      joined.set(bytes, this.#inbound.length - this.#readAt);
      this.#inbound = joined;
      this.#readAt = 0;
    } else this.#inbound = bytes;
    if (this.#scheduled) return;
    this.#scheduled = true;
    void Promise.resolve().then(() => {
      this.#scheduled = false;
      const waiting = this.#inbound ? this.#inbound.length - this.#readAt : 0;
      if (!this.#closed && waiting > 0) this.#options.onReadable?.(waiting);
    });
  }
}

/** The host-backed HAL, made while the bundle loads: its fixed part is in the baseline, as a preloaded binding. */
const proxy = createHalProxy();

/** The HAL a device app gets on the bench: the proxy's parts, and the device's own MQTT client. */
export function benchHal(): Hal {
  const log = proxy.system.log;
  const mqtt = new MqttClient({ network: { socket: { io: PipeSocket } }, timers: proxy.timers, log });
  return { ...proxy, mqtt };
}

/** A packet (or several) the broker sends unasked, as base64. False when no connection is open. */
export function deliver(packet: string): boolean {
  if (!current) return false;
  current.receive(new Uint8Array(Base64.decode(packet)));
  return true;
}
