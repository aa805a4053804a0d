// The setup access point's DNS (a captive portal, docs/protocol.md §17.6): every name a phone asks for while joined
// to the setup network resolves to the device itself, so the phone's connectivity probe lands on the setup page
// (its unknown paths answer 302 to /) and the phone opens that page by itself.
// Why not the SDK's dns/server: it answers after the request's own additional records (an EDNS OPT record puts the
// answer in the wrong section), leaves AAAA questions unanswered (the phone waits for a timeout), answers responses
// too, and reads past a short packet. Here each query is checked byte by byte and anything else gets no answer.
// Engine-neutral: the chip's binding (hal/moddable/setup.ts) moves the datagrams over UDP port 53.

/** DNS over UDP without EDNS: a query longer than this is not one a phone's probe sends. */
export const DNS_QUERY_MAX_BYTES = 512;
/** Answers are not to be cached: the same names must resolve normally once the phone leaves the setup network. */
const TTL_S = 0;
const HEADER_BYTES = 12;
const TYPE_A = 1;
const TYPE_ANY = 255;
const CLASS_IN = 1;
const NAME_MAX_BYTES = 255;
const LABEL_MAX_BYTES = 63;
/** The answer's name: a pointer to the question's name at offset 12. */
const NAME_POINTER = 0xc00c;

/** Dotted-quad IPv4 to its 4 bytes, or undefined when it is not one. */
export function ipv4Bytes(address: string): Uint8Array | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

/**
 * The answer to a DNS query: an A (or ANY) question in class IN gets `address`; another type in class IN gets
 * "no data" at once (a phone asks AAAA too and would otherwise wait). Undefined (no answer): not a standard query
 * with one question and no answers (at most one additional record: EDNS), a name that is malformed or
 * compressed, another class, a packet too short or over DNS_QUERY_MAX_BYTES.
 */
export function captiveDnsAnswer(query: Uint8Array, address: Uint8Array): Uint8Array | undefined {
  if (address.length !== 4 || query.length < HEADER_BYTES + 5 || query.length > DNS_QUERY_MAX_BYTES) return undefined;
  const flags = u16(query, 2);
  // QR 0 (a query, never a response: no loops between two servers), opcode 0 (QUERY).
  if ((flags & 0xf800) !== 0) return undefined;
  if (u16(query, 4) !== 1 || u16(query, 6) !== 0 || u16(query, 8) !== 0 || u16(query, 10) > 1) return undefined;
  const end = nameEnd(query, HEADER_BYTES);
  if (end === undefined || end + 4 > query.length) return undefined;
  const type = u16(query, end);
  if (u16(query, end + 2) !== CLASS_IN) return undefined;
  // Whatever follows the question (an EDNS OPT record) is not echoed: the answer carries no additional records.
  const question = query.subarray(HEADER_BYTES, end + 4);
  const answers = type === TYPE_A || type === TYPE_ANY ? 1 : 0;
  const out = new Uint8Array(HEADER_BYTES + question.length + answers * 16);
  out[0] = query[0]!;
  out[1] = query[1]!;
  // QR 1, opcode 0, AA 1, TC 0, RD as asked; RA 0, RCODE 0 (no error).
  out[2] = 0x84 | (query[2]! & 0x01);
  out[3] = 0;
  put16(out, 4, 1);
  put16(out, 6, answers);
  out.set(question, HEADER_BYTES);
  if (answers === 1) {
    let at = HEADER_BYTES + question.length;
    at = put16(out, at, NAME_POINTER);
    at = put16(out, at, TYPE_A);
    at = put16(out, at, CLASS_IN);
    at = put16(out, at, TTL_S >>> 16);
    at = put16(out, at, TTL_S & 0xffff);
    at = put16(out, at, 4);
    out.set(address, at);
  }
  return out;
}

/** Where the uncompressed name starting at `at` ends (past its zero byte), or undefined when it is malformed. */
function nameEnd(packet: Uint8Array, at: number): number | undefined {
  let length = 0;
  for (;;) {
    if (at >= packet.length) return undefined;
    const label = packet[at]!;
    if (label === 0) return at + 1;
    // 0xC0: a compression pointer, 0x40/0x80: reserved label types; none belongs in a question.
    if (label > LABEL_MAX_BYTES) return undefined;
    length += label + 1;
    if (length + 1 > NAME_MAX_BYTES) return undefined;
    at += label + 1;
  }
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function put16(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value & 0xff;
  return at + 2;
}
