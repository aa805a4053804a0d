// A `Hal` for code running inside the xsnap worker, backed by the Node host: every call is one synchronous
// `issueCommand` JSON request; timers, MQTT traffic and input edges come back as host events through
// `globalThis.handleCommand`. ECMAScript plus xsnap's globals only (issueCommand, Base64, TextEncoder) — no Node.
import type {
  Crypto,
  DeepSleepOptions,
  Digital,
  DigitalOptions,
  FlashPartition,
  Hal,
  KeyValueStore,
  MqttConnectOptions,
  MqttHandlers,
  MqttTransport,
  QoS,
  StoredValue,
  System,
  TimerId,
  Timers,
  WallClock,
} from '../../../hal/contract/index.js';
import { DIGITAL_EDGES, DIGITAL_MODES } from '../../../hal/contract/io.js';
import type { HalEvent, HalInit, HalReply, HalRequest, WireData, WireStoredValue } from './wire.js';

declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
declare const Base64: { encode(data: ArrayBuffer | string): string; decode(text: string): ArrayBuffer };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends one request to the host; throws the host's error text as an Error inside XS. */
export function request(message: HalRequest): unknown {
  const bytes = encoder.encode(JSON.stringify(message));
  const reply = JSON.parse(decoder.decode(issueCommand(bytes.buffer as ArrayBuffer))) as HalReply;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

/** Calls a test-specific host handler (`hostHandlers[name]` given to runOnXs / XsSession). */
export function callHost(name: string, payload?: unknown): unknown {
  return request({ op: 'host', name, payload });
}

type EventListener = (event: HalEvent) => void;
const listeners: EventListener[] = [];

// The host delivers each event as its own crank; every HAL part listens for the kinds it owns.
(globalThis as unknown as { handleCommand(message: ArrayBuffer): void }).handleCommand = (message) => {
  const event = JSON.parse(decoder.decode(message)) as HalEvent;
  for (const listener of listeners) listener(event);
};

function toBytes(buffer: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (buffer instanceof ArrayBuffer) return buffer;
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

function wireData(data: Uint8Array | string): WireData {
  return typeof data === 'string' ? { text: data } : { bytes: Base64.encode(toBytes(data)) };
}

function fromBase64(text: unknown): Uint8Array {
  return new Uint8Array(Base64.decode(text as string));
}

class ProxyTimers implements Timers {
  #callbacks = new Map<number, { callback: () => void; repeat: boolean }>();
  #ids = new WeakMap<object, number>();

  constructor() {
    listeners.push((event) => {
      if (event.event !== 'timer') return;
      const entry = this.#callbacks.get(event.id);
      if (!entry) return;
      if (!entry.repeat) this.#callbacks.delete(event.id);
      entry.callback();
    });
  }

  set(callback: () => void, ms: number): TimerId {
    return this.#start(callback, ms, false);
  }

  repeat(callback: () => void, ms: number): TimerId {
    return this.#start(callback, ms, true);
  }

  clear(timer: TimerId | undefined): void {
    if (timer === undefined) return;
    const id = this.#ids.get(timer);
    if (id === undefined || !this.#callbacks.delete(id)) return;
    request({ op: 'timer.clear', id });
  }

  #start(callback: () => void, ms: number, repeat: boolean): TimerId {
    const id = request({ op: 'timer.set', ms, repeat }) as number;
    this.#callbacks.set(id, { callback, repeat });
    const timer = Object.freeze({ timer: id });
    this.#ids.set(timer, id);
    return timer;
  }
}

class ProxyWallClock implements WallClock {
  now(): number {
    return (request({ op: 'wall.get' }) as { now: number }).now;
  }
  get valid(): boolean {
    return (request({ op: 'wall.get' }) as { valid: boolean }).valid;
  }
  set(epochMs: number): void {
    request({ op: 'wall.set', epochMs });
  }
}

class ProxyKeyValueStore implements KeyValueStore {
  get(domain: string, key: string): StoredValue | undefined {
    const value = request({ op: 'kv.get', domain, key }) as WireStoredValue | undefined | null;
    if (value === undefined || value === null) return undefined;
    return typeof value === 'object' ? Base64.decode(value.$bytes) : value;
  }
  set(domain: string, key: string, value: StoredValue): void {
    const wire: WireStoredValue = value instanceof ArrayBuffer ? { $bytes: Base64.encode(value) } : value;
    request({ op: 'kv.set', domain, key, value: wire });
  }
  delete(domain: string, key: string): void {
    request({ op: 'kv.delete', domain, key });
  }
  keys(domain: string): string[] {
    return request({ op: 'kv.keys', domain }) as string[];
  }
}

class ProxyFlashPartition implements FlashPartition {
  readonly #name: string;
  readonly byteLength: number;
  readonly blockSize: number;

  constructor(name: string, byteLength: number, blockSize: number) {
    this.#name = name;
    this.byteLength = byteLength;
    this.blockSize = blockSize;
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    return Base64.decode(request({ op: 'flash.read', name: this.#name, offset, byteLength }) as string);
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    request({ op: 'flash.write', name: this.#name, offset, byteLength, data: Base64.encode(toBytes(buffer)) });
  }
  erase(block: number): void {
    request({ op: 'flash.erase', name: this.#name, block });
  }
}

class ProxyCrypto implements Crypto {
  sha256(data: Uint8Array | string): Uint8Array {
    return fromBase64(request({ op: 'crypto.sha256', data: wireData(data) }));
  }
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array {
    return fromBase64(request({ op: 'crypto.hmac', key: Base64.encode(toBytes(key)), data: wireData(data) }));
  }
  randomBytes(count: number): Uint8Array {
    return fromBase64(request({ op: 'crypto.random', count }));
  }
}

class ProxyMqtt implements MqttTransport {
  #conn = 0;
  #handlers: MqttHandlers | undefined;

  constructor() {
    listeners.push((event) => {
      if (!event.event.startsWith('mqtt.') || !('conn' in event) || event.conn !== this.#conn) return;
      const handlers = this.#handlers;
      if (!handlers) return;
      if (event.event === 'mqtt.connect') handlers.onConnect(event.sessionPresent);
      else if (event.event === 'mqtt.close') handlers.onClose(event.reason);
      else if (event.event === 'mqtt.message') handlers.onMessage(event.topic, fromBase64(event.payload), event.retained);
      else if (event.event === 'mqtt.puback') handlers.onPublishAck(event.packetId);
    });
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#handlers = handlers;
    this.#conn = request({ op: 'mqtt.connect', options }) as number;
  }
  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    return request({ op: 'mqtt.publish', topic, payload, qos, retain }) as number;
  }
  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    request({ op: 'mqtt.subscribe', filters: filters.map(({ topic, qos }) => ({ topic, qos })) });
  }
  close(): void {
    this.#handlers = undefined;
    request({ op: 'mqtt.close' });
  }
}

function makeDigital(): Hal['device']['io']['Digital'] {
  const readers = new Map<number, ProxyDigital>();
  listeners.push((event) => {
    if (event.event === 'digital.readable') readers.get(event.id)?.readable();
  });

  class ProxyDigital implements Digital {
    static readonly Input = DIGITAL_MODES.Input;
    static readonly InputPullUp = DIGITAL_MODES.InputPullUp;
    static readonly InputPullDown = DIGITAL_MODES.InputPullDown;
    static readonly InputPullUpDown = DIGITAL_MODES.InputPullUpDown;
    static readonly Output = DIGITAL_MODES.Output;
    static readonly OutputOpenDrain = DIGITAL_MODES.OutputOpenDrain;
    static readonly Rising = DIGITAL_EDGES.Rising;
    static readonly Falling = DIGITAL_EDGES.Falling;
    readonly #id: number;
    readonly #onReadable: ((this: Digital) => void) | undefined;

    constructor(options: DigitalOptions) {
      this.#id = request({ op: 'digital.open', pin: options.pin, mode: options.mode as number, edge: options.edge ?? 0 }) as number;
      this.#onReadable = options.onReadable;
      if (this.#onReadable) readers.set(this.#id, this);
    }
    read(): 0 | 1 {
      return request({ op: 'digital.read', id: this.#id }) as 0 | 1;
    }
    write(value: 0 | 1): void {
      request({ op: 'digital.write', id: this.#id, value });
    }
    close(): void {
      readers.delete(this.#id);
      request({ op: 'digital.close', id: this.#id });
    }
    readable(): void {
      this.#onReadable?.call(this);
    }
  }
  return ProxyDigital;
}

function makeSystem(init: HalInit): System {
  return {
    restart: () => void request({ op: 'sys.restart' }),
    watchdog: {
      start: (timeoutMs) => void request({ op: 'sys.watchdog', action: 'start', timeoutMs }),
      feed: () => void request({ op: 'sys.watchdog', action: 'feed' }),
      stop: () => void request({ op: 'sys.watchdog', action: 'stop' }),
    },
    freeHeap: () => (request({ op: 'sys.freeHeap' }) as number | null) ?? undefined,
    resetReason: () => init.resetReason,
    hardwareId: init.hardwareId,
    firmwareVersion: init.firmwareVersion,
    log: (level, message) => void request({ op: 'sys.log', level, message }),
    // The host stops the device (its timers and connection) before it answers; nothing runs here afterwards.
    ...(init.deepSleep && {
      deepSleep: (options: DeepSleepOptions) => void request({ op: 'sys.deepSleep', options }),
      wakeCause: () => init.wakeCause,
    }),
  };
}

let created: Hal | undefined;

/** The host-backed HAL. One per worker (it owns the event routing), so a second call returns the first. */
export function createHalProxy(): Hal {
  created ??= build();
  return created;
}

function build(): Hal {
  const init = request({ op: 'hal.init' }) as HalInit;
  const partitions = new Map(
    init.partitions.map(({ name, byteLength, blockSize }) => [name, new ProxyFlashPartition(name, byteLength, blockSize)]),
  );
  return {
    device: { io: { Digital: makeDigital() }, board: init.board },
    clock: { now: () => request({ op: 'clock.now' }) as number },
    wallClock: new ProxyWallClock(),
    timers: new ProxyTimers(),
    storage: { kv: new ProxyKeyValueStore(), partition: (name) => partitions.get(name) },
    mqtt: new ProxyMqtt(),
    crypto: new ProxyCrypto(),
    system: makeSystem(init),
  };
}
