// Chained events: runtime.emit(type, data, { chain }) links each event of a chain to the previous one by hash,
// across restarts and power cuts; the platform-side verifier recomputes the links and tells breaks from gaps.
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { CHAIN_GENESIS } from '../../firmware/runtime/event-chain.js';
import { createHostStorage, PowerLoss } from '../../hal/host/storage/index.js';
import { ChainVerifier, chainLink } from '../../scripts/platform/event-chain.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice } from '../support/device.js';

function device() {
  const fakes: FakeMqtt[] = [];
  const storage = createHostStorage({ partitions: { outbox: 64 * 1024 } });
  const d = new TestDevice({
    storage,
    transport: () => {
      // PUBACKs come later, as from a real broker (a PUBACK inside publish() would arrive before the outbox
      // knows the packet id).
      const fake = new FakeMqtt();
      fake.autoAck = false;
      fakes.push(fake);
      return fake;
    },
  });
  /** Every event payload the broker got, first copies only, in seq order. */
  const events = () => {
    const fake = fakes.at(-1)!;
    for (let before = -1; before !== fake.published.length;) {
      before = fake.published.length;
      fake.ackAll();
    }
    const bySeq = new Map<number, string>();
    for (const fake of fakes) {
      for (const p of fake.published) {
        if (!p.topic.endsWith('/event')) continue;
        const seq = (JSON.parse(p.payload) as EventMessage).seq;
        if (!bySeq.has(seq)) bySeq.set(seq, p.payload);
      }
    }
    return [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, payload]) => payload);
  };
  return { d, storage, events };
}

const parse = (payload: string) => JSON.parse(payload) as EventMessage;

describe('chained events', () => {
  it('link each event of a chain to the previous one; other events carry no link', () => {
    const { d, events } = device();
    d.boot();
    d.runtime.emit('access.granted', { door: 1 }, { chain: 'access' });
    d.runtime.emit('sim.other', { x: 1 });
    d.runtime.emit('access.denied', { door: 1, reason: 'unknown' }, { chain: 'access' });
    d.runtime.emit('access.granted', { door: 1 }, { chain: 'access' });
    const sent = events();
    expect(sent.map((p) => parse(p).type)).toEqual(['access.granted', 'sim.other', 'access.denied', 'access.granted']);
    expect(parse(sent[0]!).data.prev).toBe(CHAIN_GENESIS);
    expect(parse(sent[1]!).data).toEqual({ x: 1 });
    expect(parse(sent[2]!).data.prev).toBe(chainLink(sent[0]!));
    expect(parse(sent[3]!).data.prev).toBe(chainLink(sent[2]!));
    for (const payload of sent) expect(validateOutbound(JSON.parse(payload))).toMatchObject({ ok: true });
  });

  it('does not link to a chained event whose append was refused, even when another event takes its seq', () => {
    const { d, events } = device();
    d.boot();
    d.runtime.emit('access.granted', { door: 1 }, { chain: 'access' });
    expect(() => d.runtime.emit('access.granted', { pad: 'x'.repeat(2000) }, { chain: 'access' })).toThrow(/exceeds/);
    d.runtime.emit('sim.other', { x: 1 });
    d.runtime.emit('access.denied', { door: 1 }, { chain: 'access' });
    const sent = events();
    expect(sent.map((p) => parse(p).type)).toEqual(['access.granted', 'sim.other', 'access.denied']);
    expect(parse(sent[2]!).data.prev).toBe(chainLink(sent[0]!));
    d.powerCycle();
    d.runtime.emit('access.granted', { door: 1 }, { chain: 'access' });
    expect(parse(events().at(-1)!).data.prev).toBe(chainLink(sent[2]!));
  });

  it('keeps separate chains apart and continues each across restarts', () => {
    const { d, events } = device();
    d.boot();
    d.runtime.emit('a.one', {}, { chain: 'first' });
    d.runtime.emit('b.one', {}, { chain: 'second' });
    d.powerCycle();
    d.runtime.emit('a.two', {}, { chain: 'first' });
    d.runtime.emit('b.two', {}, { chain: 'second' });
    const sent = events();
    const byType = Object.fromEntries(sent.map((p) => [parse(p).type, p]));
    expect(parse(byType['a.two']!).data.prev).toBe(chainLink(byType['a.one']!));
    expect(parse(byType['b.two']!).data.prev).toBe(chainLink(byType['b.one']!));
    expect(parse(byType['b.one']!).data.prev).toBe(CHAIN_GENESIS);
  });

  it('refuses a chain name that cannot be a key-value key', () => {
    const { d } = device();
    d.boot();
    expect(() => d.runtime.emit('x.y', {}, { chain: 'Access' })).toThrow(/chain name/);
    expect(() => d.runtime.emit('x.y', {}, { chain: 'a_very_long_chain_name' })).toThrow(/chain name/);
  });

  it('stays unbroken when the power fails at any write of a chained emit', () => {
    for (const torn of [false, true]) {
      for (let cut = 0; cut < 6; cut++) {
        const { d, storage, events } = device();
        d.boot();
        for (let i = 0; i < 3; i++) d.runtime.emit('access.granted', { i }, { chain: 'access' });
        storage.failAfterWrites(cut, { torn });
        expect(() => {
          for (let i = 3; i < 10; i++) d.runtime.emit('access.granted', { i }, { chain: 'access' });
        }).toThrow(PowerLoss);
        storage.powerOn();
        d.powerCycle();
        for (let i = 10; i < 13; i++) d.runtime.emit('access.granted', { i }, { chain: 'access' });
        const verifier = new ChainVerifier();
        for (const payload of events()) verifier.add(payload);
        expect({ torn, cut, findings: verifier.findings }).toEqual({ torn, cut, findings: [] });
        expect(verifier.linked).toBe(events().length - 1);
      }
    }
  });
});

describe('the platform chain verifier', () => {
  function stream(count: number) {
    const { d, events } = device();
    d.boot();
    for (let i = 0; i < count; i++) {
      d.runtime.emit('access.granted', { i }, { chain: 'access' });
      if (i % 3 === 1) d.runtime.emit('sys.note', { i });
    }
    return events();
  }

  it('accepts an intact stream with retransmitted copies', () => {
    const sent = stream(8);
    const verifier = new ChainVerifier();
    for (const payload of [...sent.slice(0, 5), sent[2]!, sent[3]!, ...sent.slice(5)]) verifier.add(payload);
    expect(verifier.findings).toEqual([]);
    expect(verifier.linked).toBe(7);
  });

  it('sees a break where a chained event was altered or removed with nothing missing', () => {
    const sent = stream(6);
    // seq 4 is the chained event with i = 2; seq 5 links to it.
    const altered = sent.map((p) => (parse(p).seq === 4 ? p.replace('"i":2', '"i":9') : p));
    expect(altered).not.toEqual(sent);
    const a = new ChainVerifier();
    for (const payload of altered) a.add(payload);
    expect(a.findings).toEqual([{ kind: 'break', seq: 5 }]);

    // Reordering two chained events:
    const swapped = [...sent];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    const b = new ChainVerifier();
    for (const payload of swapped) b.add(payload);
    expect(b.findings.map((f) => f.kind)).toContain('break');
  });

  it('sees a gap where events never arrived, and a conflicting second copy', () => {
    const sent = stream(6);
    const lost = sent.filter((p) => ![4, 5].includes(parse(p).seq));
    const verifier = new ChainVerifier();
    for (const payload of lost) verifier.add(payload);
    expect(verifier.findings).toEqual([{ kind: 'gap', seq: 6, missing: [4, 5] }]);
    verifier.add(sent[0]!.replace('"i":0', '"i":7'));
    expect(verifier.findings.at(-1)).toEqual({ kind: 'conflict', seq: 1 });
  });
});
