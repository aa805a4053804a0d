// The platform side of a load run, kept small and independent of simulator/platform: one persistent mqtt.js
// session (clean: false, QoS 1) on every device's event and status topics, deduplicating events by (dev, seq) as docs/protocol.md
// asks. It records when each event first arrived, so the run can tell what was lost (emitted, never received)
// and what came twice (a QoS 1 redelivery or a device's resend after a reconnect: allowed, and dropped here).
import mqtt, { type MqttClient } from 'mqtt';
import type { EventMessage, StatusMessage } from '../../firmware/protocol/messages.js';

export interface ConsumerOptions {
  url: string;
  site: string;
  clientId?: string;
}

export class EventConsumer {
  readonly #client: MqttClient;
  /** `${dev}/${seq}` → time of the first copy (Date.now()). */
  readonly #firstSeen = new Map<string, number>();
  #duplicates = 0;
  #received = 0;
  /** Called on each event's first copy. */
  onEvent: ((event: EventMessage, at: number) => void) | undefined;
  /** Called on each live (not retained) birth: a device's `online` status, as the platform sees it come back. */
  onBirth: ((dev: string, at: number) => void) | undefined;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      if (topic.endsWith('/event')) this.#receive(payload);
      else if (!packet.retain) this.#status(payload);
    });
  }

  static async start(options: ConsumerOptions): Promise<EventConsumer> {
    const client = await mqtt.connectAsync(options.url, {
      clientId: options.clientId ?? `platform-load-${process.pid}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 200,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    const consumer = new EventConsumer(client);
    await client.subscribeAsync([`ct/v1/${options.site}/+/event`, `ct/v1/${options.site}/+/status`], { qos: 1 });
    return consumer;
  }

  get client(): MqttClient {
    return this.#client;
  }

  /** Distinct events received. */
  get distinct(): number {
    return this.#firstSeen.size;
  }

  /** Copies received, first copies and repeats. */
  get received(): number {
    return this.#received;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  /** When the first copy of (dev, seq) arrived, if it did. */
  seen(dev: string, seq: number): number | undefined {
    return this.#firstSeen.get(`${dev}/${seq}`);
  }

  /** Publishes a retained message (desired config) at QoS 1. */
  async publishRetained(topic: string, payload: string): Promise<void> {
    await this.#client.publishAsync(topic, payload, { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }

  #status(payload: Buffer): void {
    try {
      const status = JSON.parse(payload.toString()) as StatusMessage;
      if (status.state === 'online' && typeof status.dev === 'string') this.onBirth?.(status.dev, Date.now());
    } catch {
      // not ours to judge here
    }
  }

  #receive(payload: Buffer): void {
    let event: EventMessage;
    try {
      event = JSON.parse(payload.toString()) as EventMessage;
    } catch {
      return;
    }
    if (typeof event.dev !== 'string' || typeof event.seq !== 'number') return;
    this.#received++;
    const key = `${event.dev}/${event.seq}`;
    if (this.#firstSeen.has(key)) {
      this.#duplicates++;
      return;
    }
    const at = Date.now();
    this.#firstSeen.set(key, at);
    this.onEvent?.(event, at);
  }
}
