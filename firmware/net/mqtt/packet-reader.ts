// Streaming parser for the packets an MQTT 3.1.1 server sends a client, written from the specification. Bytes go
// in as they arrive, in chunks of any size; whole packets come out. It never holds more than one packet of at most
// `maxPacketBytes` (Remaining Length): a larger PUBLISH is read past as it streams in and reported by its header
// only (topic, QoS, packet id), so the client can acknowledge it and the broker stops redelivering it.
// Anything the specification does not allow a server to send to this client is malformed: push() returns why and
// the reader stops; the caller closes the connection (spec §4.8: on a protocol violation the client closes).
import { utf8Decode, utf8DecodeStrict } from '../../lib/utf8.js';
import { MAX_REMAINING_LENGTH, PacketType } from './packet.js';

export interface ConnackPacket {
  readonly type: typeof PacketType.CONNACK;
  readonly sessionPresent: boolean;
  /** 0 accepted; 1–5 refused (spec §3.2.2.3). */
  readonly returnCode: number;
}

export interface PublishPacket {
  readonly type: typeof PacketType.PUBLISH;
  readonly topic: string;
  /** A view into the reader's buffer: valid until the next push(). */
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly dup: boolean;
  /** 0 for QoS 0. */
  readonly packetId: number;
}

export interface IdPacket {
  readonly type: typeof PacketType.PUBACK | typeof PacketType.UNSUBACK;
  readonly packetId: number;
}

export interface SubackPacket {
  readonly type: typeof PacketType.SUBACK;
  readonly packetId: number;
  /** Granted QoS per filter, 0x80 for a refused one. */
  readonly granted: readonly number[];
}

export interface PingrespPacket {
  readonly type: typeof PacketType.PINGRESP;
}

export type InboundPacket = ConnackPacket | PublishPacket | IdPacket | SubackPacket | PingrespPacket;

/** A PUBLISH larger than maxPacketBytes, read past without keeping it. */
export interface OversizedPublish {
  /** Its Remaining Length. */
  readonly length: number;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** 0 for QoS 0. */
  readonly packetId: number;
  /** The topic, or its first TOPIC_KEPT bytes decoded leniently: for a log line only. */
  readonly topic: string;
}

export interface PacketReaderOptions {
  /** Largest Remaining Length kept. Larger PUBLISH packets are skipped; any other larger packet is malformed. */
  maxPacketBytes: number;
  onPacket(packet: InboundPacket): void;
  onOversized(publish: OversizedPublish): void;
}

/** What a skipped PUBLISH keeps of its topic, for the log. */
const TOPIC_KEPT = 96;

const State = { HEADER: 0, LENGTH: 1, BODY: 2, SKIP: 3, FAILED: 4 } as const;
type State = (typeof State)[keyof typeof State];

export class PacketReader {
  readonly #max: number;
  readonly #onPacket: PacketReaderOptions['onPacket'];
  readonly #onOversized: PacketReaderOptions['onOversized'];
  #state: State = State.HEADER;
  #type = 0;
  #flags = 0;
  /** Remaining Length being decoded, then of the current packet. */
  #length = 0;
  #lengthBytes = 0;
  #multiplier = 1;
  #body: Uint8Array | undefined;
  /** Bytes of the current packet's body read so far. */
  #read = 0;
  #skip = { topicLength: 0, topic: new Uint8Array(0), topicKept: 0, packetId: 0 };
  #failure: string | undefined;

  constructor(options: PacketReaderOptions) {
    if (!Number.isInteger(options.maxPacketBytes) || options.maxPacketBytes < 2 || options.maxPacketBytes > MAX_REMAINING_LENGTH)
      throw new RangeError(`MQTT reader: bad maxPacketBytes ${options.maxPacketBytes}`);
    this.#max = options.maxPacketBytes;
    this.#onPacket = options.onPacket;
    this.#onOversized = options.onOversized;
  }

  /** Why the stream is malformed, once it is. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Bytes held for the packet being read (never more than maxPacketBytes). */
  get buffered(): number {
    return this.#body?.length ?? 0;
  }

  /**
   * Takes the next bytes of the stream; handlers run for every packet they complete. Returns undefined while the
   * stream is well formed, else why it is not (and every later call returns the same).
   */
  push(bytes: Uint8Array): string | undefined {
    let at = 0;
    while (at < bytes.length && this.#state !== State.FAILED) {
      switch (this.#state) {
        case State.HEADER:
          this.#header(bytes[at++]!);
          break;
        case State.LENGTH:
          this.#lengthByte(bytes[at++]!);
          break;
        case State.BODY: {
          const body = this.#body!;
          const take = Math.min(bytes.length - at, body.length - this.#read);
          body.set(bytes.subarray(at, at + take), this.#read);
          this.#read += take;
          at += take;
          if (this.#read === body.length) this.#complete();
          break;
        }
        case State.SKIP:
          at = this.#skipBytes(bytes, at);
          break;
      }
    }
    return this.#failure;
  }

  #fail(reason: string): void {
    this.#failure = reason;
    this.#state = State.FAILED;
    this.#body = undefined;
  }

  #header(byte: number): void {
    const type = byte >> 4;
    const flags = byte & 0x0f;
    switch (type) {
      case PacketType.PUBLISH: {
        const qos = (flags >> 1) & 3;
        // We subscribe at QoS 0/1 only, so a server never sends QoS 2 (§3.8.4); QoS 3 is never valid (§3.3.1.2).
        if (qos > 1) return this.#fail(`PUBLISH with QoS ${qos}`);
        if (qos === 0 && (flags & 0x08) !== 0) return this.#fail('PUBLISH QoS 0 with DUP set'); // §3.3.1.1
        break;
      }
      case PacketType.CONNACK:
      case PacketType.PUBACK:
      case PacketType.SUBACK:
      case PacketType.UNSUBACK:
      case PacketType.PINGRESP:
        if (flags !== 0) return this.#fail(`packet type ${type} with flags ${flags}`); // §2.2.2
        break;
      default:
        // CONNECT, SUBSCRIBE, ... go to servers; PUBREC/PUBREL/PUBCOMP belong to QoS 2, which we never use.
        return this.#fail(`unexpected packet type ${type}`);
    }
    this.#type = type;
    this.#flags = flags;
    this.#length = 0;
    this.#lengthBytes = 0;
    this.#multiplier = 1;
    this.#state = State.LENGTH;
  }

  #lengthByte(byte: number): void {
    this.#length += (byte & 0x7f) * this.#multiplier;
    this.#multiplier *= 128;
    this.#lengthBytes++;
    if (byte & 0x80) {
      if (this.#lengthBytes === 4) this.#fail('Remaining Length longer than four bytes'); // §2.2.3
      return;
    }
    this.#begin();
  }

  /** The fixed header is complete: check the length against the type, then read, skip or finish the body. */
  #begin(): void {
    const length = this.#length;
    const type = this.#type;
    const expected = type === PacketType.CONNACK || type === PacketType.PUBACK || type === PacketType.UNSUBACK ? 2
      : type === PacketType.PINGRESP ? 0 : -1;
    if (expected >= 0 && length !== expected) return this.#fail(`packet type ${type} with Remaining Length ${length}`);
    if (type === PacketType.SUBACK && length < 3) return this.#fail(`SUBACK with Remaining Length ${length}`);
    if (type === PacketType.PUBLISH && length < 2 + ((this.#flags >> 1) & 1) * 2)
      return this.#fail(`PUBLISH with Remaining Length ${length}`);
    this.#read = 0;
    if (length > this.#max) {
      if (type !== PacketType.PUBLISH) return this.#fail(`packet type ${type} of ${length} bytes`);
      this.#skip = { topicLength: 0, topic: new Uint8Array(0), topicKept: 0, packetId: 0 };
      this.#state = State.SKIP;
      return;
    }
    if (length === 0) {
      this.#body = EMPTY;
      this.#complete();
      return;
    }
    this.#body = new Uint8Array(length);
    this.#state = State.BODY;
  }

  /** A whole body is in: decode it, get ready for the next packet, then hand it over. */
  #complete(): void {
    const body = this.#body!;
    this.#body = undefined;
    this.#state = State.HEADER;
    const decoded = this.#decode(body);
    if (typeof decoded === 'string') return this.#fail(decoded);
    this.#onPacket(decoded);
  }

  #decode(body: Uint8Array): InboundPacket | string {
    switch (this.#type) {
      case PacketType.CONNACK: {
        if ((body[0]! & 0xfe) !== 0) return 'CONNACK with reserved flags set'; // §3.2.2.1
        const sessionPresent = (body[0]! & 1) === 1;
        const returnCode = body[1]!;
        if (returnCode > 5) return `CONNACK return code ${returnCode}`;
        if (returnCode !== 0 && sessionPresent) return 'refusing CONNACK with session present'; // §3.2.2.2
        return { type: PacketType.CONNACK, sessionPresent, returnCode };
      }
      case PacketType.PUBACK:
      case PacketType.UNSUBACK: {
        const packetId = (body[0]! << 8) | body[1]!;
        if (packetId === 0) return `packet type ${this.#type} with packet id 0`;
        return { type: this.#type as IdPacket['type'], packetId };
      }
      case PacketType.SUBACK: {
        const packetId = (body[0]! << 8) | body[1]!;
        const granted: number[] = [];
        for (let i = 2; i < body.length; i++) {
          const code = body[i]!;
          if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) return `SUBACK return code ${code}`; // §3.9.3
          granted.push(code);
        }
        return { type: PacketType.SUBACK, packetId, granted };
      }
      case PacketType.PINGRESP:
        return { type: PacketType.PINGRESP };
      default:
        return this.#decodePublish(body);
    }
  }

  #decodePublish(body: Uint8Array): PublishPacket | string {
    const qos = ((this.#flags >> 1) & 1) as 0 | 1;
    const topicLength = (body[0]! << 8) | body[1]!;
    let at = 2 + topicLength;
    if (at + qos * 2 > body.length) return `PUBLISH topic of ${topicLength} bytes overruns the packet`;
    const topic = utf8DecodeStrict(body.subarray(2, at));
    const problem = topicProblem(topic);
    if (problem) return problem;
    let packetId = 0;
    if (qos) {
      packetId = (body[at]! << 8) | body[at + 1]!;
      if (packetId === 0) return 'PUBLISH QoS 1 with packet id 0'; // §2.3.1
      at += 2;
    }
    return {
      type: PacketType.PUBLISH, topic: topic!, payload: body.subarray(at), qos,
      retain: (this.#flags & 1) === 1, dup: (this.#flags & 0x08) !== 0, packetId,
    };
  }

  /** Reads past an oversized PUBLISH, keeping its topic's start and its packet id. Returns the new offset. */
  #skipBytes(bytes: Uint8Array, at: number): number {
    const skip = this.#skip;
    const qos = (this.#flags >> 1) & 1;
    while (at < bytes.length && this.#read < this.#length) {
      const position = this.#read;
      if (position < 2) {
        skip.topicLength = (skip.topicLength << 8) | bytes[at++]!;
        this.#read++;
        if (position === 1) {
          if (2 + skip.topicLength + qos * 2 > this.#length) {
            this.#fail(`PUBLISH topic of ${skip.topicLength} bytes overruns the packet`);
            return at;
          }
          skip.topic = new Uint8Array(Math.min(skip.topicLength, TOPIC_KEPT));
        }
      } else if (position < 2 + skip.topicLength) {
        const take = Math.min(bytes.length - at, 2 + skip.topicLength - position);
        const keep = Math.max(0, Math.min(take, skip.topic.length - skip.topicKept));
        skip.topic.set(bytes.subarray(at, at + keep), skip.topicKept);
        skip.topicKept += keep;
        this.#read += take;
        at += take;
      } else if (position < 2 + skip.topicLength + qos * 2) {
        skip.packetId = (skip.packetId << 8) | bytes[at++]!;
        this.#read++;
      } else {
        const take = Math.min(bytes.length - at, this.#length - position);
        this.#read += take;
        at += take;
      }
    }
    if (this.#read === this.#length) {
      this.#state = State.HEADER;
      if (qos && skip.packetId === 0) {
        this.#fail('PUBLISH QoS 1 with packet id 0');
        return at;
      }
      this.#onOversized({
        length: this.#length, qos: qos as 0 | 1, retain: (this.#flags & 1) === 1, packetId: skip.packetId,
        topic: utf8Decode(skip.topic),
      });
    }
    return at;
  }
}

const EMPTY = new Uint8Array(0);

/** A topic name a server may send (spec §4.7: no wildcards in a topic name; §1.5.3: no U+0000). */
function topicProblem(topic: string | undefined): string | undefined {
  if (topic === undefined) return 'PUBLISH topic is not valid UTF-8';
  if (topic.length === 0) return 'PUBLISH with an empty topic';
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return 'PUBLISH topic with a wildcard';
    if (c === 0) return 'PUBLISH topic with U+0000';
  }
  return undefined;
}
