// The Node side of the host-backed HAL: answers hal-proxy.ts's issueCommand requests by forwarding them to a
// host `Hal` (test-hal.ts builds one), and turns that Hal's callbacks (timers, MQTT handlers, input edges) into
// events it delivers to the worker one crank at a time, only while the worker is idle.
import { isArrayBuffer } from 'node:util/types';
import type { Digital, MqttHandlers, StoredValue, TimerId } from '../../../hal/contract/index.js';
import type { TestHal } from './test-hal.js';
import type { HalEvent, HalReply, HalRequest, WireData, WireStoredValue } from './wire.js';

/** Test-specific requests worker code makes with `callHost(name, payload)`. May be async. */
export type HostHandlers = Record<string, (payload: unknown) => unknown>;

/** Delivers one event to the worker (one crank). */
export type DeliverEvent = (event: HalEvent) => Promise<unknown>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Timer firings one advance() may cause before we call it a runaway loop. */
const MAX_FIRINGS_PER_ADVANCE = 100_000;

export class HalServer {
  readonly host: TestHal;
  #handlers: HostHandlers;
  #deliver: DeliverEvent | undefined;
  #events: HalEvent[] = [];
  #timers = new Map<number, TimerId>();
  #nextTimer = 1;
  #digitals = new Map<number, Digital>();
  #nextDigital = 1;
  #connection = 0;

  constructor(host: TestHal, handlers: HostHandlers = {}) {
    this.host = host;
    this.#handlers = handlers;
  }

  /** Starts delivering events to a worker; `undefined` detaches (queued events are then dropped). */
  attach(deliver: DeliverEvent | undefined): void {
    this.#deliver = deliver;
    if (!deliver) this.#events = [];
  }

  /** Events waiting for delivery. */
  get pendingEvents(): number {
    return this.#events.length;
  }

  /**
   * For XsnapWorker's handleCommand. Host errors go back to XS as an Error thrown by the HAL call, except a
   * PowerLoss from host storage, which stops the worker (see XsnapWorker: a throwing handler is fatal).
   */
  handle = async (bytes: Uint8Array): Promise<Uint8Array> => {
    let reply: HalReply;
    try {
      const request = JSON.parse(decoder.decode(bytes)) as HalRequest;
      reply = { ok: true, value: await this.#serve(request) };
    } catch (error) {
      // Power cut on the host's storage: the chip dies mid-call, so the worker is stopped rather than answered.
      if (error instanceof Error && error.name === 'PowerLoss') throw error;
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    return encoder.encode(JSON.stringify(reply));
  };

  /** Delivers queued events, oldest first, including events they cause. */
  async flush(): Promise<void> {
    for (let event = this.#events.shift(); event; event = this.#events.shift()) {
      if (!this.#deliver) return;
      await this.#deliver(event);
    }
  }

  /** Steps the host's clock by `ms`, firing due timers in the worker in time order. */
  async advance(ms: number): Promise<void> {
    const clock = this.host.clock;
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance() needs a finite ms >= 0, got ${ms}`);
    const target = clock.now() + ms;
    await this.flush();
    for (let firings = 0; ; firings++) {
      if (firings > MAX_FIRINGS_PER_ADVANCE) throw new Error(`advance(${ms}): more than ${MAX_FIRINGS_PER_ADVANCE} timer firings`);
      const due = clock.nextDue();
      if (due === undefined || due > target) break;
      clock.advance(Math.max(0, due - clock.now()));
      await this.flush();
    }
    clock.advance(target - clock.now());
    await this.flush();
  }

  #queue(event: HalEvent): void {
    if (this.#deliver) this.#events.push(event);
  }

  async #serve(request: HalRequest): Promise<unknown> {
    const hal = this.host.hal;
    switch (request.op) {
      case 'hal.init':
        return this.host.init();
      case 'clock.now':
        return hal.clock.now();
      case 'wall.get':
        return { now: hal.wallClock.now(), valid: hal.wallClock.valid };
      case 'wall.set':
        return hal.wallClock.set(request.epochMs);
      case 'timer.set':
        return this.#setTimer(request.ms, request.repeat);
      case 'timer.clear':
        hal.timers.clear(this.#timers.get(request.id));
        this.#timers.delete(request.id);
        return undefined;
      case 'kv.get':
        return toWireValue(hal.storage.kv.get(request.domain, request.key));
      case 'kv.set':
        return hal.storage.kv.set(request.domain, request.key, fromWireValue(request.value));
      case 'kv.delete':
        return hal.storage.kv.delete(request.domain, request.key);
      case 'kv.keys':
        return hal.storage.kv.keys(request.domain);
      case 'flash.read':
        return Buffer.from(this.#partition(request.name).read(request.offset, request.byteLength)).toString('base64');
      case 'flash.write':
        return this.#partition(request.name).write(request.offset, request.byteLength, new Uint8Array(Buffer.from(request.data, 'base64')));
      case 'flash.erase':
        return this.#partition(request.name).erase(request.block);
      case 'crypto.sha256':
        return base64(hal.crypto.sha256(fromWireData(request.data)));
      case 'crypto.hmac':
        return base64(hal.crypto.hmacSha256(new Uint8Array(Buffer.from(request.key, 'base64')), fromWireData(request.data)));
      case 'crypto.random':
        return base64(hal.crypto.randomBytes(request.count));
      case 'mqtt.connect':
        return this.#connect(request.options);
      case 'mqtt.publish':
        return hal.mqtt.publish(request.topic, request.payload, request.qos, request.retain);
      case 'mqtt.subscribe':
        return hal.mqtt.subscribe(request.filters);
      case 'mqtt.close':
        return hal.mqtt.close();
      case 'sys.restart':
        return hal.system.restart();
      case 'sys.watchdog':
        if (request.action === 'start') return hal.system.watchdog.start(request.timeoutMs ?? 0);
        return request.action === 'feed' ? hal.system.watchdog.feed() : hal.system.watchdog.stop();
      case 'sys.freeHeap':
        return hal.system.freeHeap() ?? null;
      case 'sys.log':
        return hal.system.log(request.level, request.message);
      case 'sys.deepSleep':
        if (!hal.system.deepSleep) throw new Error('this host offers no deep sleep');
        return hal.system.deepSleep(request.options);
      case 'digital.open':
        return this.#openDigital(request.pin, request.mode, request.edge);
      case 'digital.read':
        return this.#digital(request.id).read();
      case 'digital.write':
        return this.#digital(request.id).write(request.value);
      case 'digital.close':
        this.#digital(request.id).close();
        this.#digitals.delete(request.id);
        return undefined;
      case 'host':
        return this.#callHandler(request.name, request.payload);
      default:
        throw new Error(`unknown HAL request ${JSON.stringify((request as { op?: unknown }).op)}`);
    }
  }

  #setTimer(ms: number, repeat: boolean): number {
    const id = this.#nextTimer++;
    const timers = this.host.hal.timers;
    const timer = repeat
      ? timers.repeat(() => this.#queue({ event: 'timer', id }), ms)
      : timers.set(() => {
          this.#timers.delete(id);
          this.#queue({ event: 'timer', id });
        }, ms);
    this.#timers.set(id, timer);
    return id;
  }

  #connect(options: Parameters<TestHal['hal']['mqtt']['connect']>[0]): number {
    const conn = ++this.#connection;
    const handlers: MqttHandlers = {
      onConnect: (sessionPresent) => this.#queue({ event: 'mqtt.connect', conn, sessionPresent }),
      onClose: (reason) => this.#queue({ event: 'mqtt.close', conn, reason }),
      // The bytes are valid only during the call: encoded at once.
      onMessage: (topic, payload, retained) => this.#queue({ event: 'mqtt.message', conn, topic, payload: base64(payload), retained }),
      onPublishAck: (packetId) => this.#queue({ event: 'mqtt.puback', conn, packetId }),
    };
    this.host.hal.mqtt.connect(options, handlers);
    return conn;
  }

  #openDigital(pin: number, mode: number, edge: number): number {
    const id = this.#nextDigital++;
    const Digital = this.host.hal.device.io.Digital;
    const watch = (edge & (Digital.Rising | Digital.Falling)) !== 0;
    const digital = watch
      ? new Digital({ pin, mode, edge, onReadable: () => this.#queue({ event: 'digital.readable', id }) })
      : new Digital({ pin, mode });
    this.#digitals.set(id, digital);
    return id;
  }

  #digital(id: number): Digital {
    const digital = this.#digitals.get(id);
    if (!digital) throw new Error(`Digital ${id} is not open`);
    return digital;
  }

  #partition(name: string) {
    const partition = this.host.hal.storage.partition(name);
    if (!partition) throw new Error(`no flash partition "${name}"`);
    return partition;
  }

  async #callHandler(name: string, payload: unknown): Promise<unknown> {
    const handler = this.#handlers[name];
    if (!handler) throw new Error(`no host handler "${name}" (known: ${Object.keys(this.#handlers).join(', ') || 'none'})`);
    return handler(payload);
  }
}

function toWireValue(value: StoredValue | undefined): WireStoredValue | undefined {
  if (value === undefined) return undefined;
  // isArrayBuffer, not instanceof: jest runs tests in another realm.
  return isArrayBuffer(value) ? { $bytes: Buffer.from(value).toString('base64') } : value;
}

function fromWireValue(value: WireStoredValue): StoredValue {
  if (typeof value !== 'object') return value;
  // Copied into this realm's ArrayBuffer: host storage checks `instanceof ArrayBuffer`, and Buffer's is Node's.
  return new Uint8Array(Buffer.from(value.$bytes, 'base64')).buffer;
}

function fromWireData(data: WireData): Uint8Array | string {
  return 'text' in data ? data.text : new Uint8Array(Buffer.from(data.bytes, 'base64'));
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
