// The streaming parser for what an MQTT 3.1.1 server sends (firmware/net/mqtt/packet-reader.ts), alone. Streams are
// built with mqtt-packet (the codec of mqtt.js and aedes) where they are well formed, by hand where they are not.
// Whatever the chunking, the same stream must give the same packets, and the reader never holds more than
// maxPacketBytes.
import { describe, expect, test } from '@jest/globals';
import { generate, type Packet } from 'mqtt-packet';
import { PacketReader, type InboundPacket, type OversizedPublish } from '../../firmware/net/mqtt/packet-reader.js';

/** What came out of the reader, payloads copied (they are views into its buffer). */
type Out =
  | { kind: 'packet'; packet: Record<string, unknown> }
  | { kind: 'oversized'; publish: OversizedPublish }
  | { kind: 'failure'; reason: string };

function reader(maxPacketBytes: number) {
  const out: Out[] = [];
  let most = 0;
  const parser = new PacketReader({
    maxPacketBytes,
    onPacket: (packet: InboundPacket) => {
      const copy: Record<string, unknown> = { ...packet };
      if ('payload' in packet) copy.payload = Buffer.from(packet.payload).toString('hex');
      if ('granted' in packet) copy.granted = [...packet.granted];
      out.push({ kind: 'packet', packet: copy });
    },
    onOversized: (publish) => out.push({ kind: 'oversized', publish: { ...publish } }),
  });
  return {
    parser,
    out,
    most: () => most,
    /** Feeds the chunks; records a failure once, as the client would see it. */
    feed(chunks: Iterable<Uint8Array>) {
      for (const chunk of chunks) {
        const failure = parser.push(chunk);
        most = Math.max(most, parser.buffered);
        if (failure !== undefined) {
          out.push({ kind: 'failure', reason: failure });
          return;
        }
      }
    },
  };
}

function* split(stream: Uint8Array, cuts: readonly number[]): Generator<Uint8Array> {
  let at = 0;
  for (const cut of cuts) {
    yield stream.subarray(at, cut);
    at = cut;
  }
  yield stream.subarray(at);
}

function* chunks(stream: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < stream.length; at += size) yield stream.subarray(at, at + size);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const join = (...parts: Uint8Array[]) => Buffer.concat(parts);
const hex = (text: string) => Buffer.from(text).toString('hex');

function publish(topic: string, payload: string | Uint8Array, options: { qos?: 0 | 1; id?: number; retain?: boolean; dup?: boolean } = {}): Uint8Array {
  const qos = options.qos ?? 0;
  return generate({
    cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: options.retain ?? false, dup: options.dup ?? false,
    ...(qos ? { messageId: options.id ?? 1 } : {}),
  });
}

const TOPIC = 'ct/v1/s1/dev1/command';
const MAX = 300;

/** Every kind of packet a server sends us, including an oversized PUBLISH and a 2-byte Remaining Length. */
const SESSION = join(
  generate({ cmd: 'connack', returnCode: 0, sessionPresent: true }),
  generate({ cmd: 'suback', messageId: 1, granted: [1, 0, 0x80] }),
  publish(TOPIC, '{"reqId":"a"}', { qos: 1, id: 0x0102 }),
  publish(TOPIC, '', { qos: 0 }),
  publish(TOPIC, '', { qos: 1, id: 2, retain: true }),
  publish(TOPIC, 'r'.repeat(200), { qos: 1, id: 3, dup: true }),
  generate({ cmd: 'puback', messageId: 65_535 }),
  generate({ cmd: 'unsuback', messageId: 4 } as Packet), // (mqtt-packet's types ask for MQTT 5's reason codes)
  generate({ cmd: 'pingresp' }),
  publish(`${TOPIC}/ü`, 'x'.repeat(1000), { qos: 1, id: 77, retain: true }),
  publish(TOPIC, 'y'.repeat(1000)),
  publish(TOPIC, 'y'.repeat(MAX - 2 - TOPIC.length)),
  publish('a', 'after the big ones'),
);

const SESSION_OUT: Out[] = [
  { kind: 'packet', packet: { type: 2, sessionPresent: true, returnCode: 0 } },
  { kind: 'packet', packet: { type: 9, packetId: 1, granted: [1, 0, 0x80] } },
  { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: hex('{"reqId":"a"}'), qos: 1, retain: false, dup: false, packetId: 0x0102 } },
  { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: '', qos: 0, retain: false, dup: false, packetId: 0 } },
  { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: '', qos: 1, retain: true, dup: false, packetId: 2 } },
  { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: hex('r'.repeat(200)), qos: 1, retain: false, dup: true, packetId: 3 } },
  { kind: 'packet', packet: { type: 4, packetId: 65_535 } },
  { kind: 'packet', packet: { type: 11, packetId: 4 } },
  { kind: 'packet', packet: { type: 13 } },
  { kind: 'oversized', publish: { length: 2 + TOPIC.length + 3 + 2 + 1000, qos: 1, retain: true, packetId: 77, topic: `${TOPIC}/ü` } },
  { kind: 'oversized', publish: { length: 2 + TOPIC.length + 1000, qos: 0, retain: false, packetId: 0, topic: TOPIC } },
  { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: hex('y'.repeat(MAX - 2 - TOPIC.length)), qos: 0, retain: false, dup: false, packetId: 0 } },
  { kind: 'packet', packet: { type: 3, topic: 'a', payload: hex('after the big ones'), qos: 0, retain: false, dup: false, packetId: 0 } },
];

describe('well-formed streams', () => {
  test('a whole session in one chunk gives every packet, the oversized ones by their header only', () => {
    const r = reader(MAX);
    r.feed([SESSION]);
    expect(r.out).toEqual(SESSION_OUT);
    expect(r.parser.failure).toBeUndefined();
    expect(r.parser.buffered).toBe(0);
    expect(r.most()).toBeLessThanOrEqual(MAX);
  });

  test('split in two at every offset: the same packets, never more than maxPacketBytes held', () => {
    for (let cut = 0; cut <= SESSION.length; cut++) {
      const r = reader(MAX);
      r.feed(split(SESSION, [cut]));
      if (JSON.stringify(r.out) !== JSON.stringify(SESSION_OUT)) expect({ cut, out: r.out }).toEqual({ cut, out: SESSION_OUT });
      expect(r.most()).toBeLessThanOrEqual(MAX);
    }
  });

  test('in chunks of every size from 1 to 64 bytes, and at 100 random sets of cuts', () => {
    for (let size = 1; size <= 64; size++) {
      const r = reader(MAX);
      r.feed(chunks(SESSION, size));
      expect({ size, out: r.out }).toEqual({ size, out: SESSION_OUT });
      expect(r.most()).toBeLessThanOrEqual(MAX);
    }
    const next = random(419);
    for (let trial = 0; trial < 100; trial++) {
      const cuts = Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * SESSION.length)).sort((a, b) => a - b);
      const r = reader(MAX);
      r.feed(split(SESSION, cuts));
      expect({ cuts, out: r.out }).toEqual({ cuts, out: SESSION_OUT });
    }
  });

  test('random PUBLISH packets made by mqtt-packet read back field for field, whatever the chunking', () => {
    const next = random(7);
    const alphabet = 'abcxyz/_-09éü€😀';
    const expected: Out[] = [];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const topic = Array.from({ length: 1 + Math.floor(next() * 20) }, () => [...alphabet][Math.floor(next() * [...alphabet].length)]).join('');
      const payload = Uint8Array.from({ length: next() < 0.2 ? 0 : Math.floor(next() * 600) }, () => Math.floor(next() * 256));
      const qos = next() < 0.5 ? 0 : 1;
      const id = 1 + Math.floor(next() * 65_535);
      const retain = next() < 0.3;
      const dup = qos === 1 && next() < 0.2;
      const packet = publish(topic, payload, { qos, id, retain, dup });
      parts.push(packet);
      const length = 2 + Buffer.byteLength(topic) + (qos ? 2 : 0) + payload.length;
      expect(packet.length).toBe(1 + (length < 128 ? 1 : 2) + length);
      expected.push(length > MAX
        ? { kind: 'oversized', publish: { length, qos, retain, packetId: qos ? id : 0, topic } }
        : { kind: 'packet', packet: { type: 3, topic, payload: Buffer.from(payload).toString('hex'), qos, retain, dup, packetId: qos ? id : 0 } });
    }
    const stream = join(...parts);
    expect(expected.some((e) => e.kind === 'oversized')).toBe(true);
    for (const size of [stream.length, 1, 13, 512]) {
      const r = reader(MAX);
      r.feed(chunks(stream, size));
      expect(r.out).toEqual(expected);
      expect(r.most()).toBeLessThanOrEqual(MAX);
    }
  });

  test('exactly maxPacketBytes is kept; one more byte is skipped', () => {
    const fits = publish(TOPIC, 'f'.repeat(MAX - 2 - TOPIC.length));
    const over = publish(TOPIC, 'f'.repeat(MAX + 1 - 2 - TOPIC.length));
    const r = reader(MAX);
    r.feed([join(fits, over)]);
    expect(r.out.map((o) => o.kind)).toEqual(['packet', 'oversized']);
    expect((r.out[1] as { publish: OversizedPublish }).publish.length).toBe(MAX + 1);
  });

  test('Remaining Length in one to four bytes, up to its largest value 268 435 455', () => {
    for (const [length, encoded] of [
      [127, [0x7f]], [128, [0x80, 0x01]], [16_383, [0xff, 0x7f]], [16_384, [0x80, 0x80, 0x01]],
      [2_097_151, [0xff, 0xff, 0x7f]], [2_097_152, [0x80, 0x80, 0x80, 0x01]], [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
    ] as const) {
      const r = reader(100);
      // The header, the topic and the packet id: the reader is then skipping the payload.
      const head = join(bytes(0x33, ...encoded), bytes(0, 1, 0x74, 0x12, 0x34));
      r.feed(chunks(head, 1));
      expect(r.out).toEqual([]);
      expect(r.parser.failure).toBeUndefined();
      expect(r.parser.buffered).toBe(0);
      if (length <= 2_097_152) {
        // Stream the rest: the skip ends exactly at the packet's end, and the next packet is read.
        const rest = new Uint8Array(length - 5);
        r.feed(chunks(join(rest, generate({ cmd: 'pingresp' })), 65_536));
        expect(r.out).toEqual([
          { kind: 'oversized', publish: { length, qos: 1, retain: true, packetId: 0x1234, topic: 't' } },
          { kind: 'packet', packet: { type: 13 } },
        ]);
      }
    }
  });

  test('a skipped PUBLISH keeps the first 96 bytes of its topic, decoded leniently, for the log', () => {
    const topic = `${'t'.repeat(95)}é${'u'.repeat(50)}`; // é straddles the cut at 96 bytes
    const r = reader(64);
    r.feed(chunks(publish(topic, 'p'.repeat(10)), 3));
    expect(r.out).toEqual([{ kind: 'oversized', publish: { length: 2 + 147 + 10, qos: 0, retain: false, packetId: 0, topic: `${'t'.repeat(95)}\ufffd` } }]);
    const bad = reader(8);
    bad.feed([join(bytes(0x30, 12, 0, 3, 0x61, 0xff, 0x62), new Uint8Array(7))]);
    expect(bad.out).toEqual([{ kind: 'oversized', publish: { length: 12, qos: 0, retain: false, packetId: 0, topic: 'a\ufffdb' } }]);
  });

  test('a CONNACK for every return code and session present bit the specification allows', () => {
    const r = reader(MAX);
    r.feed([join(bytes(0x20, 2, 0, 0), bytes(0x20, 2, 1, 0), ...[1, 2, 3, 4, 5].map((code) => bytes(0x20, 2, 0, code)))]);
    expect(r.out.map((o) => (o as { packet: unknown }).packet)).toEqual([
      { type: 2, sessionPresent: false, returnCode: 0 }, { type: 2, sessionPresent: true, returnCode: 0 },
      ...[1, 2, 3, 4, 5].map((returnCode) => ({ type: 2, sessionPresent: false, returnCode })),
    ]);
  });

  test('maxPacketBytes must be an integer from 2 to 268 435 455', () => {
    const options = { onPacket: () => {}, onOversized: () => {} };
    for (const bad of [0, 1, 2.5, Number.NaN, 268_435_456]) expect(() => new PacketReader({ ...options, maxPacketBytes: bad })).toThrow(RangeError);
    expect(() => new PacketReader({ ...options, maxPacketBytes: 2 })).not.toThrow();
  });
});

describe('malformed streams', () => {
  const cases: [string, Uint8Array, string][] = [
    ['Remaining Length of five bytes', bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 'Remaining Length longer than four bytes'],
    ['CONNECT', bytes(0x10, 0), 'unexpected packet type 1'],
    ['PUBREL', bytes(0x62, 2, 0, 1), 'unexpected packet type 6'],
    ['SUBSCRIBE', bytes(0x82, 2, 0, 1), 'unexpected packet type 8'],
    ['PINGREQ', bytes(0xc0, 0), 'unexpected packet type 12'],
    ['type 15', bytes(0xf0, 0), 'unexpected packet type 15'],
    ['CONNACK with Remaining Length 1', bytes(0x20, 1, 0), 'packet type 2 with Remaining Length 1'],
    ['CONNACK with flags', bytes(0x2f, 2, 0, 0), 'packet type 2 with flags 15'],
    ['CONNACK acknowledge flags 0x80', bytes(0x20, 2, 0x80, 0), 'CONNACK with reserved flags set'],
    ['CONNACK return code 6', bytes(0x20, 2, 0, 6), 'CONNACK return code 6'],
    ['CONNACK refusal with session present', bytes(0x20, 2, 1, 4), 'refusing CONNACK with session present'],
    ['PUBACK packet id 0', bytes(0x40, 2, 0, 0), 'packet type 4 with packet id 0'],
    ['SUBACK code 0x81', bytes(0x90, 3, 0, 1, 0x81), 'SUBACK return code 129'],
    ['PINGRESP with flags', bytes(0xd1, 0), 'packet type 13 with flags 1'],
    ['PUBLISH QoS 3', bytes(0x36, 0), 'PUBLISH with QoS 3'],
    ['PUBLISH QoS 2', bytes(0x35, 0), 'PUBLISH with QoS 2'],
    ['PUBLISH QoS 0 DUP', bytes(0x39, 0), 'PUBLISH QoS 0 with DUP set'],
    ['PUBLISH QoS 1 with Remaining Length 3', bytes(0x32, 3, 0, 0, 0), 'PUBLISH with Remaining Length 3'],
    ['PUBLISH topic overrun', bytes(0x30, 4, 0, 3, 0x61, 0x62), 'PUBLISH topic of 3 bytes overruns the packet'],
    ['PUBLISH topic invalid UTF-8', bytes(0x30, 3, 0, 1, 0x80), 'PUBLISH topic is not valid UTF-8'],
    ['PUBLISH topic with a lone surrogate', bytes(0x30, 5, 0, 3, 0xed, 0xa0, 0x80), 'PUBLISH topic is not valid UTF-8'],
    ['PUBLISH wildcard topic', bytes(0x30, 5, 0, 3, 0x61, 0x2f, 0x23), 'PUBLISH topic with a wildcard'],
    ['PUBLISH empty topic', bytes(0x30, 2, 0, 0), 'PUBLISH with an empty topic'],
    ['PUBLISH QoS 1 packet id 0', bytes(0x32, 5, 0, 1, 0x61, 0, 0), 'PUBLISH QoS 1 with packet id 0'],
    ['oversized CONNACK', bytes(0x20, 0xac, 0x02), 'packet type 2 with Remaining Length 300'],
    ['oversized SUBACK', bytes(0x90, 0xad, 0x02), 'packet type 9 of 301 bytes'],
    ['oversized PUBLISH topic overrun', bytes(0x30, 0xad, 0x02, 0x01, 0x2c), 'PUBLISH topic of 300 bytes overruns the packet'],
    ['oversized PUBLISH QoS 1 packet id 0', join(bytes(0x32, 0xad, 0x02, 0, 1, 0x61, 0, 0), new Uint8Array(296)), 'PUBLISH QoS 1 with packet id 0'],
  ];

  test.each(cases)('%s', (_name, bad, reason) => {
    const good = publish(TOPIC, 'ok', { qos: 1, id: 9 });
    const stream = join(good, bad, good);
    for (const size of [stream.length, 1, 2, 3]) {
      const r = reader(MAX);
      r.feed(chunks(stream, size));
      expect(r.out).toEqual([
        { kind: 'packet', packet: { type: 3, topic: TOPIC, payload: hex('ok'), qos: 1, retain: false, dup: false, packetId: 9 } },
        { kind: 'failure', reason },
      ]);
      // Sticky: the reader takes nothing more and keeps saying why.
      expect(r.parser.push(good)).toBe(reason);
      expect(r.parser.failure).toBe(reason);
      expect(r.parser.buffered).toBe(0);
      expect(r.out).toHaveLength(2);
    }
  });

  test('a truncated packet is just incomplete: nothing comes out, and the rest completes it', () => {
    const whole = publish(TOPIC, 'z'.repeat(50), { qos: 1, id: 5 });
    const r = reader(MAX);
    r.feed([whole.subarray(0, whole.length - 1)]);
    expect(r.out).toEqual([]);
    expect(r.parser.buffered).toBe(whole.length - 2);
    r.feed([whole.subarray(whole.length - 1)]);
    expect(r.out).toHaveLength(1);
    expect(r.parser.buffered).toBe(0);
  });
});

test('mqtt-packet agrees on the packets the reader accepts (server → client types)', () => {
  const packets: Packet[] = [
    { cmd: 'connack', returnCode: 5, sessionPresent: false },
    { cmd: 'puback', messageId: 300 },
    { cmd: 'unsuback', messageId: 301 } as Packet,
    { cmd: 'suback', messageId: 302, granted: [0, 1, 2, 128] },
    { cmd: 'pingresp' },
  ];
  const r = reader(MAX);
  r.feed([join(...packets.map((p) => generate(p)))]);
  expect(r.out.map((o) => (o as { packet: unknown }).packet)).toEqual([
    { type: 2, sessionPresent: false, returnCode: 5 },
    { type: 4, packetId: 300 },
    { type: 11, packetId: 301 },
    { type: 9, packetId: 302, granted: [0, 1, 2, 128] },
    { type: 13 },
  ]);
});
