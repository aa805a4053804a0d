// Durable event outbox: an event is written to flash before it is published, published QoS 1, and kept until
// its PUBACK arrives; after a reconnect or a restart everything not yet acknowledged is sent again, oldest first.
// The record's sequence number in the log IS the event's `seq`, so the platform dedupes by (device, seq) and a
// retransmission is byte-for-byte the first copy.
//
// Overflow policy: drop-oldest. When the log is full the oldest block of events is evicted to make room for the
// new one; `dropped` counts them and the platform sees the gap in `seq`.
//
// Trimming acknowledged events writes a marker to flash, so it is batched: after `trimEvery` acknowledgements or
// when nothing is left in flight. A restart before a trim only causes duplicates, which the dedupe key absorbs.
import { utf8Decode, utf8Encode } from '../lib/utf8.js';
import type { RecordLog } from './storage/record-log.js';

/** Sends one payload QoS 1; returns the MQTT packet id. Throws when the connection is gone. */
export type PublishQoS1 = (payload: string) => number;

export interface OutboxOptions {
  /** Most events awaiting PUBACK at once. */
  maxInFlight?: number;
  trimEvery?: number;
  /** Largest event in bytes. */
  maxRecordBytes?: number;
}

export interface OutboxCounters {
  enqueued: number;
  published: number;
  acknowledged: number;
  retransmitted: number;
  dropped: number;
}

export class Outbox {
  #log: RecordLog;
  #maxInFlight: number;
  #trimEvery: number;
  #maxRecordBytes: number;
  #publish: PublishQoS1 | undefined;
  /** packet id → seq */
  #inFlight = new Map<number, number>();
  /** Acknowledged but not yet trimmed (ahead of a gap or awaiting a batched trim). */
  #acked = new Set<number>();
  /** Next seq to send on this connection. */
  #cursor = 0;
  /** Seqs already sent once since boot: a second send counts as a retransmission. */
  #sentOnce = 0;
  #sinceTrim = 0;
  /** Set while publish() runs: acknowledgements that arrive meanwhile. */
  #earlyAcks: number[] | undefined;
  #counters: OutboxCounters = { enqueued: 0, published: 0, acknowledged: 0, retransmitted: 0, dropped: 0 };

  constructor(log: RecordLog, options: OutboxOptions = {}) {
    this.#log = log;
    this.#maxInFlight = options.maxInFlight ?? 8;
    this.#trimEvery = options.trimEvery ?? 16;
    this.#maxRecordBytes = options.maxRecordBytes ?? 1024;
    this.#cursor = log.first;
    this.#sentOnce = log.first;
  }

  /** Events stored and not yet acknowledged. */
  get depth(): number {
    return this.#log.count - this.#acked.size;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get counters(): Readonly<OutboxCounters> {
    return this.#counters;
  }

  /** The oldest seq still stored. */
  get firstSeq(): number {
    return this.#log.first;
  }

  /** The seq the next event will get. */
  get nextSeq(): number {
    return this.#log.next;
  }

  /**
   * Persists one event. `render(seq)` makes its payload. Durable when this returns; sent now if connected.
   * Returns the event's seq.
   */
  enqueue(render: (seq: number) => string): number {
    const seq = this.#log.next;
    const bytes = utf8Encode(render(seq));
    if (bytes.length > this.#maxRecordBytes)
      throw new RangeError(`outbox: event of ${bytes.length} bytes exceeds ${this.#maxRecordBytes}`);
    const firstBefore = this.#log.first;
    const { seq: stored, evicted } = this.#log.appendEvicting(bytes);
    if (stored !== seq) throw new Error(`outbox: log gave seq ${stored}, expected ${seq}`);
    this.#counters.enqueued++;
    if (evicted > 0) this.#forgetEvicted(firstBefore);
    this.pump();
    return seq;
  }

  /** The connection is up: send everything unacknowledged, oldest first. */
  connected(publish: PublishQoS1): void {
    this.#publish = publish;
    this.#inFlight.clear();
    this.#cursor = this.#log.first;
    this.pump();
  }

  disconnected(): void {
    this.#publish = undefined;
    this.#inFlight.clear();
  }

  acknowledge(packetId: number): boolean {
    // A transport may acknowledge before publish() has returned the id (an in-process broker): hold it until
    // pump() has recorded what it sent.
    if (this.#earlyAcks) {
      this.#earlyAcks.push(packetId);
      return true;
    }
    const seq = this.#inFlight.get(packetId);
    if (seq === undefined) return false;
    this.#inFlight.delete(packetId);
    this.#acked.add(seq);
    this.#counters.acknowledged++;
    this.#sinceTrim++;
    if (this.#sinceTrim >= this.#trimEvery || this.#inFlight.size === 0) this.#trimAcknowledged();
    this.pump();
    return true;
  }

  /** Sends while the window has room. */
  pump(): void {
    const publish = this.#publish;
    if (!publish) return;
    if (this.#cursor < this.#log.first) this.#cursor = this.#log.first;
    while (this.#inFlight.size < this.#maxInFlight && this.#cursor < this.#log.next) {
      const seq = this.#cursor;
      if (this.#acked.has(seq)) {
        this.#cursor++;
        continue;
      }
      const record = this.#log.read(seq);
      if (record === undefined) {
        // A record that no longer reads back (flash damaged after it was written) is lost: count it and let
        // trims pass over it, or nothing after it would ever be trimmed.
        this.#acked.add(seq);
        this.#counters.dropped++;
        this.#cursor++;
        continue;
      }
      let packetId: number;
      this.#earlyAcks = [];
      try {
        packetId = publish(utf8Decode(record));
      } catch {
        // Connection lost under us; the close handler will follow and reconnect resends from the start.
        this.#earlyAcks = undefined;
        this.disconnected();
        return;
      }
      const early = this.#earlyAcks;
      this.#earlyAcks = undefined;
      this.#cursor++;
      this.#inFlight.set(packetId, seq);
      this.#counters.published++;
      if (seq < this.#sentOnce) this.#counters.retransmitted++;
      else this.#sentOnce = seq + 1;
      for (const id of early) this.acknowledge(id);
    }
  }

  #trimAcknowledged(): void {
    let through = this.#log.first - 1;
    while (this.#acked.has(through + 1)) through++;
    if (through < this.#log.first) return;
    this.#log.trim(through);
    for (const seq of this.#acked) if (seq <= through) this.#acked.delete(seq);
    this.#sinceTrim = 0;
  }

  /** Counts evicted events that were never acknowledged as dropped, and forgets every trace of them. */
  #forgetEvicted(firstBefore: number): void {
    const first = this.#log.first;
    for (let seq = firstBefore; seq < first; seq++) if (!this.#acked.delete(seq)) this.#counters.dropped++;
    for (const [packetId, seq] of this.#inFlight) if (seq < first) this.#inFlight.delete(packetId);
  }
}
