// The platform side of the simulator: one MQTT client that watches every device of a site, validates what the
// devices send with the protocol's own validators, and keeps a live row per device. It also speaks for the
// platform where the simulator needs it (desired configuration).
import { connect, type MqttClient } from 'mqtt';
import { PROTOCOL_VERSION, type DesiredConfigMessage, type OutboundMessage, type StatusMessage } from '../firmware/protocol/messages.js';
import { isOutboundChannel, parseTopic, topicFor } from '../firmware/protocol/topics.js';
import { parseOutbound } from '../firmware/protocol/validate.js';
import { waitForChange } from './wait-for.js';

export interface DeviceRow {
  readonly device: string;
  /** From the newest status that is not stale. */
  status?: StatusMessage['state'];
  /** True when that status came as a retained message (sent before we subscribed). */
  statusRetained?: boolean;
  boot?: number;
  conn?: number;
  model?: string;
  fw?: string;
  reset?: string;
  /** Hardware id from the birth: events made before provisioning carry it as `dev`. */
  hw?: string;
  /** Its last birth said safe mode, and why. */
  safe?: string;
  /** Device uptime in ms, from its newest message. */
  up?: number;
  /** From health telemetry. */
  outboxDepth?: number;
  reconnects?: number;
  lastEvent?: { seq: number; type: string; at: number };
  events: number;
  /** Messages that failed validation. */
  invalid: number;
  /** Host time (ms) of the newest message. */
  lastSeen: number;
}

export type MonitorUpdate =
  | { kind: 'message'; row: DeviceRow; channel: string; message: OutboundMessage; retained: boolean; stale: boolean }
  | { kind: 'invalid'; row: DeviceRow; channel: string; error: string };

export interface MonitorOptions {
  /** mqtt://host:port, or mqtts:// with `ca` */
  url: string;
  /** PEM CA certificate the broker's certificate must chain to (mqtts), and the name it must carry if not the host. */
  tls?: { ca: string; serverName?: string };
  /** Site to watch; default every site (`ct/v1/+/+/#`). */
  site?: string;
  clientId?: string;
}

export class Monitor {
  readonly site: string | undefined;
  #client: MqttClient;
  #rows = new Map<string, DeviceRow>();
  #listeners = new Set<(update: MonitorUpdate) => void>();

  private constructor(client: MqttClient, site: string | undefined) {
    this.#client = client;
    this.site = site;
    client.on('message', (topic, payload, packet) => this.#receive(topic, payload.toString('utf8'), packet.retain));
  }

  /** Connects and subscribes; resolves once the subscription is in place. */
  static async start(options: MonitorOptions): Promise<Monitor> {
    const clientId = options.clientId ?? `monitor-${Math.random().toString(36).slice(2, 10)}`;
    const tls = options.tls ? { ca: options.tls.ca, rejectUnauthorized: true, ...(options.tls.serverName ? { servername: options.tls.serverName } : {}) } : {};
    const client = connect(options.url, { protocolVersion: 4, clientId, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000, ...tls });
    const monitor = new Monitor(client, options.site);
    const filter = `ct/v1/${options.site ?? '+'}/+/#`;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        client.end(true);
        reject(new Error(`monitor: cannot reach the broker at ${options.url}: ${error.message}`));
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.subscribe(filter, { qos: 1 }, (error) => {
          client.removeListener('error', fail);
          if (error) fail(error);
          else resolve();
        });
      });
    });
    client.on('error', () => {}); // reconnects on its own; the rows simply stop updating meanwhile
    return monitor;
  }

  /** Rows by key `site/device` (or just `device` when watching one site). */
  get rows(): ReadonlyMap<string, DeviceRow> {
    return this.#rows;
  }

  row(device: string, site = this.site): DeviceRow | undefined {
    return this.#rows.get(this.#key(site ?? '', device));
  }

  onUpdate(listener: (update: MonitorUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when `predicate` holds (checked now and after every update). */
  waitFor(predicate: (monitor: Monitor) => boolean, timeoutMs = 10_000): Promise<void> {
    return waitForChange((listener) => this.onUpdate(listener), () => predicate(this), timeoutMs, `monitor: condition not met within ${timeoutMs} ms`);
  }

  /** Platform → device: a retained desired configuration document. */
  sendDesiredConfig(site: string, device: string, version: number, config: Record<string, unknown>): Promise<void> {
    const message: DesiredConfigMessage = { v: PROTOCOL_VERSION, msg: 'config.desired', version, config };
    const topic = topicFor({ site, device }, 'config/desired');
    return this.#client.publishAsync(topic, JSON.stringify(message), { qos: 1, retain: true }).then(() => {});
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }

  #receive(topic: string, payload: string, retained: boolean): void {
    const parsed = parseTopic(topic);
    // Platform-to-device channels (our own desired config, commands) and cleared retained messages are not news.
    if (!parsed || !isOutboundChannel(parsed.channel) || payload.length === 0) return;
    const row = this.#rowFor(parsed.site, parsed.device);
    row.lastSeen = Date.now();
    const result = parseOutbound(parsed.channel, payload, parsed.device, row.hw);
    if (!result.ok) {
      row.invalid++;
      this.#emit({ kind: 'invalid', row, channel: parsed.channel, error: result.error });
      return;
    }
    const message = result.message;
    const stale = message.msg === 'status' && isStale(row, message);
    if (!stale) apply(row, message);
    this.#emit({ kind: 'message', row, channel: parsed.channel, message, retained, stale });
    if (message.msg === 'status' && !stale) row.statusRetained = retained;
  }

  #rowFor(site: string, device: string): DeviceRow {
    const key = this.#key(site, device);
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = { device, events: 0, invalid: 0, lastSeen: 0 };
      this.#rows.set(key, row);
    }
    return row;
  }

  #key(site: string, device: string): string {
    return this.site === undefined ? `${site}/${device}` : device;
  }

  #emit(update: MonitorUpdate): void {
    for (const listener of [...this.#listeners]) listener(update);
  }
}

/** A status from an older session than the one we know (a late will, a stale retained birth) changes nothing. */
function isStale(row: DeviceRow, status: StatusMessage): boolean {
  if (row.boot === undefined) return false;
  if (status.boot !== row.boot) return status.boot < row.boot;
  return status.conn !== undefined && row.conn !== undefined && status.conn < row.conn;
}

function apply(row: DeviceRow, message: OutboundMessage): void {
  if ('up' in message && typeof message.up === 'number') row.up = message.up;
  switch (message.msg) {
    case 'status':
      row.status = message.state;
      row.boot = message.boot;
      if (message.conn !== undefined) row.conn = message.conn;
      if (message.model !== undefined) row.model = message.model;
      if (message.fw !== undefined) row.fw = message.fw;
      if (message.reset !== undefined) row.reset = message.reset;
      if (message.hw !== undefined) row.hw = message.hw;
      if (message.state === 'online') {
        if (message.safe !== undefined) row.safe = message.safe;
        else delete row.safe;
      }
      break;
    case 'event':
      row.events++;
      row.lastEvent = { seq: message.seq, type: message.type, at: Date.now() };
      break;
    case 'telemetry': {
      const { outboxDepth, reconnects } = message.data;
      if (typeof outboxDepth === 'number') row.outboxDepth = outboxDepth;
      if (typeof reconnects === 'number') row.reconnects = reconnects;
      break;
    }
    default:
      break;
  }
}
