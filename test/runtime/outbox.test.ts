import { Outbox } from '../../firmware/runtime/outbox.js';
import { RecordLog } from '../../firmware/runtime/storage/record-log.js';
import { PowerLoss, SimulatedFlash } from '../../hal/host/storage/flash.js';

/** A link the test drives: records every publish and PUBACKs on demand. */
class Link {
  sent: { packetId: number; payload: string }[] = [];
  #nextId = 1;
  #unacked: number[] = [];
  up = true;
  publish = (payload: string): number => {
    if (!this.up) throw new Error('link down');
    const packetId = this.#nextId++;
    this.sent.push({ packetId, payload });
    this.#unacked.push(packetId);
    return packetId;
  };
  /** PUBACKs up to `count` packets, oldest first; `seen` hears of each before the outbox does. */
  ack(outbox: Outbox, count = Infinity, seen?: (packetId: number) => void): number[] {
    const ids = this.#unacked.splice(0, Math.min(count, this.#unacked.length));
    for (const id of ids) {
      seen?.(id);
      outbox.acknowledge(id);
    }
    return ids;
  }
  dropUnacked(): void {
    this.#unacked = [];
  }
  payloads(): string[] {
    return this.sent.map((s) => s.payload);
  }
}

const event = (n: number) => (seq: number) => JSON.stringify({ seq, n });
const seqsOf = (payloads: string[]) => payloads.map((p) => (JSON.parse(p) as { seq: number }).seq);

function flash(blocks = 8, blockSize = 1024) {
  return new SimulatedFlash({ byteLength: blocks * blockSize, blockSize });
}

describe('Outbox', () => {
  it('persists before sending, sends oldest first within the window, and trims what was acknowledged', () => {
    const storage = flash();
    const outbox = new Outbox(new RecordLog(storage), { maxInFlight: 4 });
    for (let n = 0; n < 10; n++) outbox.enqueue(event(n));
    expect(outbox.depth).toBe(10);
    const link = new Link();
    outbox.connected(link.publish);
    expect(seqsOf(link.payloads())).toEqual([1, 2, 3, 4]);
    link.ack(outbox, 2);
    expect(seqsOf(link.payloads())).toEqual([1, 2, 3, 4, 5, 6]);
    link.ack(outbox);
    link.ack(outbox);
    link.ack(outbox);
    expect(seqsOf(link.payloads())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outbox.depth).toBe(0);
    expect(new RecordLog(storage).count).toBe(0);
  });

  it('resends unacknowledged events after a reconnect, identical to the first copy', () => {
    const outbox = new Outbox(new RecordLog(flash()));
    const link = new Link();
    outbox.connected(link.publish);
    for (let n = 0; n < 5; n++) outbox.enqueue(event(n));
    link.ack(outbox, 2);
    const firstCopies = link.payloads().slice(2);
    outbox.disconnected();
    link.dropUnacked();
    const again = new Link();
    outbox.connected(again.publish);
    expect(again.payloads()).toEqual(firstCopies);
    expect(outbox.counters.retransmitted).toBe(3);
  });

  it('keeps unacknowledged events across a restart and never reuses a seq', () => {
    const storage = flash();
    const before = new Outbox(new RecordLog(storage));
    const link = new Link();
    before.connected(link.publish);
    for (let n = 0; n < 6; n++) before.enqueue(event(n));
    link.ack(before, 6);
    for (let n = 6; n < 9; n++) before.enqueue(event(n));
    const after = new Outbox(new RecordLog(storage));
    expect(after.depth).toBe(3);
    const relink = new Link();
    after.connected(relink.publish);
    expect(relink.payloads().map((p) => (JSON.parse(p) as { n: number }).n)).toEqual([6, 7, 8]);
    expect(after.enqueue(event(9))).toBe(10);
  });

  it('drops the oldest events when full and counts them', () => {
    const outbox = new Outbox(new RecordLog(flash(4, 512)));
    let last = 0;
    for (let n = 0; n < 200; n++) last = outbox.enqueue(event(n));
    expect(last).toBe(200);
    expect(outbox.counters.dropped).toBeGreaterThan(0);
    expect(outbox.counters.dropped + outbox.depth).toBe(200);
    const link = new Link();
    outbox.connected(link.publish);
    while (link.ack(outbox).length > 0);
    const seqs = seqsOf(link.payloads());
    expect(seqs.at(-1)).toBe(200);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(outbox.counters.dropped + 1);
  });

  it('refuses an oversized event without storing anything', () => {
    const outbox = new Outbox(new RecordLog(flash()), { maxRecordBytes: 64 });
    expect(() => outbox.enqueue(() => 'x'.repeat(65))).toThrow(/exceeds 64/);
    expect(outbox.depth).toBe(0);
    expect(outbox.enqueue(event(1))).toBe(1);
  });

  it('batches trims to spare the flash', () => {
    const storage = flash(16, 1024);
    const outbox = new Outbox(new RecordLog(storage), { maxInFlight: 64, trimEvery: 16 });
    const link = new Link();
    for (let n = 0; n < 64; n++) outbox.enqueue(event(n));
    outbox.connected(link.publish);
    const writesBefore = storage.writes;
    link.ack(outbox);
    // 64 acknowledgements → 4 trims, each a small marker write, not 64.
    expect(storage.writes - writesBefore).toBeLessThanOrEqual(4 * 2);
    expect(outbox.depth).toBe(0);
  });
});

describe('Outbox under power loss at every write', () => {
  /** A fixed workload: offline events, connect, partial acks, more events, a drop, more acks. */
  function workload(outbox: Outbox, durable: Map<number, string>, acked: Set<number>) {
    const link = new Link();
    const enqueue = (n: number) => {
      let payload = '';
      const seq = outbox.enqueue((s) => (payload = event(n)(s)));
      durable.set(seq, payload);
    };
    const ack = (count: number) =>
      link.ack(outbox, count, (id) => {
        const sent = link.sent.find((s) => s.packetId === id)!;
        acked.add((JSON.parse(sent.payload) as { seq: number }).seq);
      });
    for (let n = 0; n < 6; n++) enqueue(n);
    outbox.connected(link.publish);
    ack(3);
    for (let n = 6; n < 12; n++) enqueue(n);
    ack(5);
    outbox.disconnected();
    link.dropUnacked();
    for (let n = 12; n < 30; n++) enqueue(n);
    outbox.connected(link.publish);
    ack(40);
    for (let n = 30; n < 34; n++) enqueue(n);
  }

  const total = (() => {
    const storage = flash(4, 1024);
    workload(new Outbox(new RecordLog(storage), { trimEvery: 4 }), new Map(), new Set());
    return storage.power.mutations;
  })();

  it('has a workload that writes many times', () => {
    expect(total).toBeGreaterThan(40);
  });

  for (const torn of [false, true]) {
    it(`loses no stored event and returns no torn one (${torn ? 'torn' : 'clean'} cuts)`, () => {
      for (let cut = 0; cut <= total; cut++) {
        const storage = flash(4, 1024);
        storage.power.failAfterWrites(cut, { torn });
        const durable = new Map<number, string>();
        const acked = new Set<number>();
        try {
          workload(new Outbox(new RecordLog(storage), { trimEvery: 4 }), durable, acked);
        } catch (error) {
          if (!(error instanceof PowerLoss)) throw error;
        }
        storage.power.powerOn();
        const outbox = new Outbox(new RecordLog(storage), { trimEvery: 4 });
        const link = new Link();
        outbox.connected(link.publish);
        while (link.ack(outbox).length > 0);
        const resent = new Map(link.payloads().map((p) => [(JSON.parse(p) as { seq: number }).seq, p]));
        const context = `cut at write ${cut}`;
        for (const [seq, payload] of durable) {
          if (!acked.has(seq)) expect([context, seq, resent.get(seq)]).toEqual([context, seq, payload]);
        }
        for (const [seq, payload] of resent) {
          // Anything resent is a record some append wrote in full: a durable one, or the cut one if it landed.
          if (durable.has(seq)) expect([context, payload]).toEqual([context, durable.get(seq)]);
          else expect([context, seq]).toEqual([context, Math.max(0, ...durable.keys()) + 1]);
        }
        const order = [...resent.keys()];
        expect(order).toEqual([...order].sort((a, b) => a - b));
        const next = outbox.enqueue(event(99));
        expect(next).toBeGreaterThan(Math.max(0, ...durable.keys()));
      }
    });
  }
});

describe('Outbox with a transport that acknowledges inside publish()', () => {
  it('still matches each acknowledgement to its event and empties', () => {
    const outbox = new Outbox(new RecordLog(flash()), { maxInFlight: 2 });
    for (let n = 0; n < 7; n++) outbox.enqueue(event(n));
    const sent: string[] = [];
    let id = 0;
    outbox.connected((payload) => {
      sent.push(payload);
      outbox.acknowledge(++id);
      return id;
    });
    expect(seqsOf(sent)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(outbox.depth).toBe(0);
    expect(outbox.inFlight).toBe(0);
  });
});

describe('Outbox with a damaged record', () => {
  it('counts it as dropped and keeps trimming past it', () => {
    const storage = flash();
    const log = new RecordLog(storage);
    const outbox = new Outbox(log, { maxInFlight: 8, trimEvery: 1 });
    for (let n = 0; n < 5; n++) outbox.enqueue(event(n));
    // Flip payload bits of seq 2 (NOR writes can only clear bits): its CRC no longer matches.
    const bytes = new Uint8Array(storage.read(0, storage.blockSize));
    const marker = new TextEncoder().encode('"seq":2');
    const at = bytes.findIndex((_, i) => marker.every((b, j) => bytes[i + j] === b));
    expect(at).toBeGreaterThan(0);
    storage.write(at + 1, 1, new Uint8Array([0x00]));
    const reopened = new Outbox(new RecordLog(storage), { maxInFlight: 8, trimEvery: 1 });
    const link = new Link();
    reopened.connected(link.publish);
    link.ack(reopened);
    expect(seqsOf(link.payloads())).toEqual([1, 3, 4, 5]);
    expect(reopened.counters.dropped).toBe(1);
    expect(reopened.depth).toBe(0);
    expect(new RecordLog(storage).count).toBe(0);
  });
});
