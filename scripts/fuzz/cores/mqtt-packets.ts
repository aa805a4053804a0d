// Fuzz core for the device's MQTT 3.1.1 packet reader (firmware/net/mqtt/packet-reader.ts). Engine-neutral: the
// same function runs on Node and inside XS. One input is a byte stream as a broker would send it; it is pushed
// in chunks of random sizes (1 byte … all of it), and again whole, and both runs must agree.
//
// Asserted: push() never throws; the reader never holds more than maxPacketBytes; no packet larger than that is
// delivered; an oversized PUBLISH is reported by onOversized (with a length over the maximum) instead; once push()
// has returned a reason, the next push returns the same and delivers nothing; what comes out (packets, oversized
// reports, the failure) does not depend on how the stream was chunked; delivered packets are ones a server may
// send (a PUBLISH has a non-empty topic without wildcards, QoS 0/1 with a packet id exactly when QoS 1).
import { type InboundPacket, type OversizedPublish, PacketReader } from '../../../firmware/net/mqtt/packet-reader.js';
import { PacketType } from '../../../firmware/net/mqtt/packet.js';
import { utf8Length } from '../../../firmware/lib/utf8.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';

/** Maxima the reader is built with: tiny ones make oversized packets common; 8448 is the client's default. */
export const MAX_PACKET_CHOICES = [2, 3, 4, 5, 8, 16, 64, 200, 1024, 8192 + 256, 8192 + 256, 8192 + 256];

function hex(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return text;
}

/** One packet as plain text, copied out of the reader's buffer (a payload is only valid during the call). */
function describe(packet: InboundPacket, max: number): string {
  switch (packet.type) {
    case PacketType.PUBLISH: {
      const size = 2 + utf8Length(packet.topic) + (packet.qos ? 2 : 0) + packet.payload.length;
      check(size <= max, () => `PUBLISH of ${size} bytes delivered with maxPacketBytes ${max}`);
      check(packet.topic.length > 0, 'PUBLISH delivered with an empty topic');
      check(!/[#+\u0000]/.test(packet.topic), () => `PUBLISH delivered with topic ${JSON.stringify(packet.topic)}`);
      check(packet.qos === 0 || packet.qos === 1, () => `PUBLISH delivered with QoS ${String(packet.qos)}`);
      check(packet.qos === 1 ? packet.packetId >= 1 && packet.packetId <= 65535 : packet.packetId === 0,
        () => `PUBLISH QoS ${packet.qos} delivered with packet id ${packet.packetId}`);
      return `P ${JSON.stringify(packet.topic)} q${packet.qos} r${packet.retain ? 1 : 0} d${packet.dup ? 1 : 0} id${packet.packetId} ${hex(packet.payload)}`;
    }
    case PacketType.CONNACK:
      check(packet.returnCode >= 0 && packet.returnCode <= 5, () => `CONNACK return code ${packet.returnCode}`);
      return `C ${packet.sessionPresent ? 1 : 0} ${packet.returnCode}`;
    case PacketType.PUBACK:
    case PacketType.UNSUBACK:
      check(packet.packetId >= 1 && packet.packetId <= 65535, () => `packet type ${packet.type} with packet id ${packet.packetId}`);
      return `A${packet.type} ${packet.packetId}`;
    case PacketType.SUBACK:
      check(packet.granted.length >= 1, 'SUBACK without return codes');
      return `S ${packet.packetId} ${packet.granted.join(',')}`;
    case PacketType.PINGRESP:
      return 'R';
    default:
      throw new Error(`unknown packet delivered: ${JSON.stringify(packet)}`);
  }
}

interface Run {
  events: string[];
  failure: string | undefined;
}

function play(stream: Uint8Array, max: number, chunks: Prng | undefined): Run {
  const events: string[] = [];
  const reader = new PacketReader({
    maxPacketBytes: max,
    onPacket: (packet) => events.push(describe(packet, max)),
    onOversized: (info: OversizedPublish) => {
      check(info.length > max, () => `onOversized for ${info.length} bytes with maxPacketBytes ${max}`);
      check(info.qos === 0 || info.qos === 1, () => `oversized PUBLISH reported with QoS ${String(info.qos)}`);
      check(info.qos === 1 ? info.packetId >= 1 : info.packetId === 0, () => `oversized QoS ${info.qos} PUBLISH with packet id ${info.packetId}`);
      events.push(`O ${info.length} q${info.qos} r${info.retain ? 1 : 0} id${info.packetId}`);
    },
  });
  let at = 0;
  let failure: string | undefined;
  while (at < stream.length) {
    const size = chunks ? Math.min(stream.length - at, chunks.chance(0.3) ? 1 : chunks.size(stream.length)) : stream.length;
    failure = reader.push(stream.subarray(at, at + size));
    at += size;
    check(reader.buffered <= max, () => `reader holds ${reader.buffered} bytes with maxPacketBytes ${max}`);
    if (failure !== undefined) {
      check(typeof failure === 'string' && failure.length > 0, 'push() failed without a reason');
      check(reader.failure === failure, 'failure getter differs from what push() returned');
      // The reader must not be used again; if it is, it stays failed and delivers nothing.
      const count = events.length;
      const again = reader.push(Uint8Array.of(0xd0, 0x00, 0x30, 0x03, 0x00, 0x01, 0x61));
      check(again === failure, () => `push() after a failure returned ${JSON.stringify(again)}, first ${JSON.stringify(failure)}`);
      check(events.length === count, 'push() after a failure delivered packets');
      break;
    }
  }
  return { events, failure };
}

/** Runs one stream; throws on a broken property. */
export function runMqttPackets(stream: Uint8Array, runSeed: number): void {
  const rng = new Prng(runSeed);
  const max = rng.pick(MAX_PACKET_CHOICES);
  const chunked = play(stream, max, rng);
  const whole = play(stream, max, undefined);
  check(chunked.events.length === whole.events.length && chunked.events.every((event, i) => event === whole.events[i]),
    () => `chunked and whole streams differ (max ${max}): ${JSON.stringify(chunked.events).slice(0, 300)} vs ${JSON.stringify(whole.events).slice(0, 300)}`);
  check(chunked.failure === whole.failure,
    () => `chunked and whole streams end differently (max ${max}): ${JSON.stringify(chunked.failure)} vs ${JSON.stringify(whole.failure)}`);
}
