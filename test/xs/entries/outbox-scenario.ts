// A device's durable event path on XS: Outbox over a RecordLog on the host's flash partition, published through
// the host's scripted broker. The test boots it, emits events, plays the broker, and reboots it (new worker,
// same flash).
import type { Hal } from '../../../hal/contract/index.js';
import type { EventMessage } from '../../../firmware/protocol/messages.js';
import { topicFor } from '../../../firmware/protocol/topics.js';
import { Outbox } from '../../../firmware/runtime/outbox.js';
import { RecordLog } from '../../../firmware/runtime/storage/record-log.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';

const ADDRESS = { site: 'site-1', device: 'door-7' };
const BOOT = 1;
let hal: Hal;
let outbox: Outbox;

export function boot(maxInFlight: number): void {
  hal = createHalProxy();
  const partition = hal.storage.partition('outbox');
  if (!partition) throw new Error('board has no "outbox" partition');
  outbox = new Outbox(new RecordLog(partition), { maxInFlight });
}

export function connect(): void {
  const topic = topicFor(ADDRESS, 'event');
  hal.mqtt.connect(
    { host: 'broker', port: 1883, clientId: ADDRESS.device, keepAliveSeconds: 30, cleanSession: false },
    {
      onConnect: () => outbox.connected((payload) => hal.mqtt.publish(topic, payload, 1, false)),
      onClose: () => outbox.disconnected(),
      onMessage: () => {},
      onPublishAck: (packetId) => void outbox.acknowledge(packetId),
    },
  );
}

/** Queues one durable event; returns its seq. */
export function emit(n: number): number {
  return outbox.enqueue((seq) => {
    const event: EventMessage = {
      v: 1, msg: 'event', dev: ADDRESS.device, seq, boot: BOOT,
      up: hal.clock.now(), ts: hal.wallClock.now(), tv: hal.wallClock.valid,
      type: 'test.tick', data: { n },
    };
    return JSON.stringify(event);
  });
}

export function status(): { depth: number; inFlight: number; nextSeq: number; counters: unknown } {
  return { depth: outbox.depth, inFlight: outbox.inFlight, nextSeq: outbox.nextSeq, counters: { ...outbox.counters } };
}
