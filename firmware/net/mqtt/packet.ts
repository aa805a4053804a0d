// MQTT 3.1.1 (OASIS Standard, 29 October 2014) packets as a client sends them, written from the specification.
// Every packet is built whole into one Uint8Array: ours are small (a protocol payload is at most 8 KB).
import { utf8Encode } from '../../lib/utf8.js';

/** Control packet types (spec §2.2.1). */
export const PacketType = Object.freeze({
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const);

/** Largest Remaining Length the four-byte encoding can carry (spec §2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  retain: boolean;
}

export interface ConnectFields {
  clientId: string;
  keepAliveSeconds: number;
  cleanSession: boolean;
  username?: string;
  password?: string;
  will?: WillMessage;
}

/** Bytes the Remaining Length field takes for `length`. */
function remainingLengthSize(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}

/** A packet with its fixed header written and room for `length` bytes after it; returns it and the body offset. */
function packet(first: number, length: number): { bytes: Uint8Array; at: number } {
  if (length > MAX_REMAINING_LENGTH) throw new RangeError(`MQTT: packet of ${length} bytes is too large`);
  const size = remainingLengthSize(length);
  const bytes = new Uint8Array(1 + size + length);
  bytes[0] = first;
  let value = length;
  for (let i = 1; i <= size; i++) {
    bytes[i] = (value % 128) | (i < size ? 0x80 : 0);
    value = Math.floor(value / 128);
  }
  return { bytes, at: 1 + size };
}

function putUint16(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
  return at + 2;
}

/** A length-prefixed byte string (spec §1.5.3: UTF-8 strings and binary data alike). */
function putString(bytes: Uint8Array, at: number, value: Uint8Array): number {
  at = putUint16(bytes, at, value.length);
  bytes.set(value, at);
  return at + value.length;
}

function field(name: string, value: Uint8Array): Uint8Array {
  if (value.length > 65_535) throw new RangeError(`MQTT: ${name} longer than 65535 bytes`);
  return value;
}

export function encodeConnect(fields: ConnectFields): Uint8Array {
  const { keepAliveSeconds, will } = fields;
  if (!Number.isInteger(keepAliveSeconds) || keepAliveSeconds < 0 || keepAliveSeconds > 65_535)
    throw new RangeError(`MQTT connect: bad keepalive ${keepAliveSeconds}`);
  // §3.1.2.9: a password only with a user name.
  if (fields.password !== undefined && fields.username === undefined)
    throw new Error('MQTT connect: MQTT 3.1.1 allows a password only with a username');
  const clientId = field('client id', utf8Encode(fields.clientId));
  const willTopic = will ? field('will topic', utf8Encode(will.topic)) : undefined;
  const willPayload = will ? field('will payload', will.payload) : undefined;
  const username = fields.username === undefined ? undefined : field('user name', utf8Encode(fields.username));
  const password = fields.password === undefined ? undefined : field('password', utf8Encode(fields.password));
  let length = 10 + 2 + clientId.length;
  if (willTopic && willPayload) length += 2 + willTopic.length + 2 + willPayload.length;
  if (username) length += 2 + username.length;
  if (password) length += 2 + password.length;
  let flags = fields.cleanSession ? 0x02 : 0;
  if (will) flags |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
  if (password) flags |= 0x40;
  if (username) flags |= 0x80;
  const { bytes, at: start } = packet(PacketType.CONNECT << 4, length);
  let at = putString(bytes, start, PROTOCOL_NAME);
  bytes[at++] = 4; // protocol level 4 = 3.1.1
  bytes[at++] = flags;
  at = putUint16(bytes, at, keepAliveSeconds);
  at = putString(bytes, at, clientId);
  if (willTopic && willPayload) {
    at = putString(bytes, at, willTopic);
    at = putString(bytes, at, willPayload);
  }
  if (username) at = putString(bytes, at, username);
  if (password) putString(bytes, at, password);
  return bytes;
}

const PROTOCOL_NAME = Uint8Array.of(0x4d, 0x51, 0x54, 0x54); // "MQTT"

export function encodePublish(topic: Uint8Array, payload: Uint8Array, qos: 0 | 1, retain: boolean, packetId: number): Uint8Array {
  field('topic', topic);
  const length = 2 + topic.length + (qos ? 2 : 0) + payload.length;
  const { bytes, at: start } = packet((PacketType.PUBLISH << 4) | (qos << 1) | (retain ? 1 : 0), length);
  let at = putString(bytes, start, topic);
  if (qos) at = putUint16(bytes, at, packetId);
  bytes.set(payload, at);
  return bytes;
}

export function encodePuback(packetId: number): Uint8Array {
  return Uint8Array.of(PacketType.PUBACK << 4, 2, packetId >> 8, packetId & 0xff);
}

export function encodeSubscribe(packetId: number, filters: readonly { topic: string; qos: 0 | 1 }[]): Uint8Array {
  const topics = filters.map(({ topic }) => field('topic filter', utf8Encode(topic)));
  let length = 2;
  for (const topic of topics) length += 2 + topic.length + 1;
  // §3.8.1: the SUBSCRIBE fixed header's flags are 0010.
  const { bytes, at: start } = packet((PacketType.SUBSCRIBE << 4) | 0x02, length);
  let at = putUint16(bytes, start, packetId);
  topics.forEach((topic, index) => {
    at = putString(bytes, at, topic);
    bytes[at++] = filters[index]!.qos;
  });
  return bytes;
}

export function encodePingreq(): Uint8Array {
  return Uint8Array.of(PacketType.PINGREQ << 4, 0);
}

export function encodeDisconnect(): Uint8Array {
  return Uint8Array.of(PacketType.DISCONNECT << 4, 0);
}
