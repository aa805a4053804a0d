// Target `mqtt-packets`: the device's MQTT 3.1.1 packet reader (firmware/net/mqtt/packet-reader.ts) on streams
// a broker could send. Seeds are written out byte by byte from the specification (OASIS MQTT 3.1.1, §2.2 fixed
// header, §3.2 CONNACK, §3.3 PUBLISH, §3.4 PUBACK, §3.9 SUBACK, §3.11 UNSUBACK, §3.13 PINGRESP). The structure-
// aware mutation rewrites a Remaining Length (limits of its 1–4 byte encoding, non-minimal and over-long forms),
// a first byte (type, flags, QoS 2/3, DUP), a topic length or a packet id.
import { runMqttPackets } from '../cores/mqtt-packets.js';
import type { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';

const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((pair) => parseInt(pair, 16)));
const ascii = (text: string) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Remaining Length, §2.2.3: 7 bits per byte, least significant first, bit 7 = more bytes follow. */
function remainingLength(length: number): Uint8Array {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Uint8Array.from(bytes);
}

/** A PUBLISH: first byte 0x30 | DUP<<3 | QoS<<1 | RETAIN; topic (u16 length + UTF-8); packet id if QoS 1; payload. */
function publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean; dup?: boolean; id?: number } = {}): Uint8Array {
  const qos = options.qos ?? 0;
  const topicBytes = new TextEncoder().encode(topic);
  const variable = concat(Uint8Array.of(topicBytes.length >> 8, topicBytes.length & 0xff), topicBytes,
    qos === 1 ? Uint8Array.of((options.id ?? 1) >> 8, (options.id ?? 1) & 0xff) : new Uint8Array(0));
  const first = 0x30 | (options.dup ? 0x08 : 0) | (qos << 1) | (options.retain ? 1 : 0);
  return concat(Uint8Array.of(first), remainingLength(variable.length + payload.length), variable, payload);
}

const COMMAND_TOPIC = 'ct/v1/site-1/door-1/command';
const COMMAND = ascii('{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1800000030000}');

export function mqttSeeds(): Uint8Array[] {
  const connack = hex('20 02 00 00');
  const connackSession = hex('20 02 01 00');
  const connackRefused = hex('20 02 00 05');
  const puback = hex('40 02 00 01');
  const pubackHigh = hex('40 02 ff ff');
  const suback = hex('90 03 00 01 01');
  const subackMany = hex('90 06 00 02 00 01 80 01');
  const unsuback = hex('b0 02 00 07');
  const pingresp = hex('d0 00');
  const longTopic = `ct/v1/${'s'.repeat(64)}/${'d'.repeat(64)}/${'x'.repeat(200)}`;
  return [
    connack, connackSession, connackRefused, puback, pubackHigh, suback, subackMany, unsuback, pingresp,
    publish(COMMAND_TOPIC, COMMAND),
    publish(COMMAND_TOPIC, COMMAND, { qos: 1, id: 10 }),
    publish(COMMAND_TOPIC, COMMAND, { qos: 1, id: 65535, dup: true }),
    publish('ct/v1/site-1/door-1/config/desired', ascii('{"v":1,"msg":"config.desired","version":2,"config":{}}'), { retain: true }),
    publish('ct/v1/site-1/door-1/alarm', new Uint8Array(0), { retain: true }), // clears a retained topic
    publish('ct/v1/site-1/door-1/alarm', new Uint8Array(0), { qos: 1, retain: true, id: 3 }),
    publish(COMMAND_TOPIC, new Uint8Array(0), { qos: 1, id: 4 }),
    publish(longTopic, COMMAND, { qos: 1, id: 300 }), // 2-byte Remaining Length
    publish('a', new Uint8Array(126)), // Remaining Length 127..129 around the one-byte limit
    publish('a', new Uint8Array(127)),
    publish(COMMAND_TOPIC, new Uint8Array(8192).fill(0x41), { qos: 1, id: 5 }), // a protocol-limit payload
    publish(COMMAND_TOPIC, new Uint8Array(9000).fill(0x42), { qos: 1, id: 6 }), // over the reader's default maximum
    publish('t/ü/日本', ascii('x')),
    // A session's worth: CONNACK, SUBACK, retained config, a command, PUBACKs, PINGRESP.
    concat(connack, subackMany, publish('ct/v1/site-1/door-1/config/desired', ascii('{}'), { qos: 1, retain: true, id: 1 }),
      publish(COMMAND_TOPIC, COMMAND, { qos: 1, id: 2 }), puback, pingresp, publish(COMMAND_TOPIC, COMMAND), pubackHigh),
    concat(publish(COMMAND_TOPIC, new Uint8Array(0), { qos: 1, id: 9, retain: true }), publish(COMMAND_TOPIC, COMMAND, { qos: 1, id: 10 })),
    concat(publish(COMMAND_TOPIC, new Uint8Array(300).fill(0x43), { qos: 1, id: 11 }), pingresp, publish(COMMAND_TOPIC, COMMAND)),
  ];
}

const LENGTHS: readonly (readonly number[])[] = [
  [0x00], [0x01], [0x02], [0x7f], [0x80, 0x01], [0xff, 0x7f], [0x80, 0x80, 0x01], [0xff, 0xff, 0x7f], [0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0x7f], [0xff, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x00], [0x80, 0x80, 0x80, 0x80], [0x81, 0x40], [0x80],
];
const FIRST_BYTES = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a, 0x3b, 0x3f, 0x20, 0x21, 0x40, 0x42, 0x50, 0x62, 0x70, 0x82, 0x90, 0x92,
  0xa2, 0xb0, 0xb1, 0xc0, 0xd0, 0xd1, 0xe0, 0xf0, 0x00, 0x10];

/** Where the packets of a stream start (following Remaining Lengths; stops at the first that does not decode). */
function packetStarts(stream: Uint8Array): number[] {
  const starts: number[] = [];
  let at = 0;
  while (at < stream.length && starts.length < 64) {
    starts.push(at);
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    for (; i < stream.length && i < at + 5; i++) {
      length += (stream[i]! & 0x7f) * multiplier;
      multiplier *= 128;
      if ((stream[i]! & 0x80) === 0) break;
    }
    if (i >= stream.length || (stream[i]! & 0x80) !== 0) break;
    at = i + 1 + length;
  }
  return starts;
}

function mqttMutate(input: Uint8Array, rng: Prng, generic: (input: Uint8Array) => Uint8Array): Uint8Array {
  const starts = packetStarts(input);
  if (starts.length === 0 || rng.chance(0.45)) return generic(input);
  const at = rng.pick(starts);
  const out = input.slice();
  switch (rng.below(5)) {
    case 0: { // another Remaining Length encoding
      let end = at + 1;
      while (end < out.length && end < at + 5 && (out[end]! & 0x80) !== 0) end++;
      return concat(out.subarray(0, at + 1), Uint8Array.from(rng.pick(LENGTHS)), out.subarray(Math.min(out.length, end + 1)));
    }
    case 1: // another first byte (type and flags)
      out[at] = rng.chance(0.7) ? rng.pick(FIRST_BYTES) : out[at]! ^ (1 << rng.below(8));
      return out;
    case 2: { // a topic length or packet id field at its limits
      let i = at + 1;
      while (i < out.length && (out[i]! & 0x80) !== 0) i++;
      const field = i + 1 + (rng.chance(0.5) ? 0 : 2 + rng.below(8));
      if (field + 1 >= out.length) return out;
      const value = rng.pick([0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, out.length - field, out.length - field - 1]);
      out[field] = (value >> 8) & 0xff;
      out[field + 1] = value & 0xff;
      return out;
    }
    case 3: // cut the stream inside a packet
      return out.slice(0, at + rng.below(Math.max(1, out.length - at)));
    default: { // repeat a packet
      const next = starts.find((start) => start > at) ?? out.length;
      const packet = out.subarray(at, next);
      return concat(out.subarray(0, next), packet, out.subarray(next));
    }
  }
}

export const mqttPacketsTarget: FuzzTarget = {
  name: 'mqtt-packets',
  format: 'bytes',
  weight: 2,
  seeds: mqttSeeds,
  mutate: (input, rng, context) => mqttMutate(input, rng, context.generic),
  run: runMqttPackets,
  xsCore: 'mqtt-packets',
  xsBudget: 20_000_000,
};
