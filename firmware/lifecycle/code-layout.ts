// The byte layout of a provisioning code (docs/protocol.md §17), shared by the device's reader and the platform's
// encoder so the two cannot drift. Big-endian; str8 = u8 length + UTF-8; bin16 = u16 length + bytes.
//
//   text = "CTP1." + base32(record)
//   record = u8 version = 1 | code id (16, random; also the seal's nonce) | u32 issued at | u32 expires at (Unix s)
//            | u8 flags (bit 0 TLS) | u16 port | str8 model | str8 site | str8 device | str8 host
//            | str8 tlsName ("" = none) | bin16 CA certificate, DER (empty = none) | bin16 sealed secrets
//            | seal MAC (16) | signature (64: ECDSA P-256 r‖s over everything before it)
//   secrets (sealed, code-seal.ts) = str8 user | str8 pass | u8 count | count × (u8 key id | str8-sized bytes)
import { utf8DecodeStrict, utf8Encode } from '../lib/utf8.js';

export const CODE_PREFIX = 'CTP1.';
export const CODE_VERSION = 1;
export const CODE_ID_BYTES = 16;
export const SEAL_MAC_BYTES = 16;
export const SIGNATURE_BYTES = 64;
/** A QR code's largest alphanumeric payload (version 40, error correction L): no longer text is a code. */
export const CODE_MAX_CHARS = 4296;
const FLAG_TLS = 1;

/** The keys a code can carry, by the id its secrets name them with. Which a model needs: model-keys.ts. */
export const CODE_KEY_IDS = Object.freeze({ hashKey: 1, syncKey: 2, passKey: 3, passKeyId: 4, commandKey: 5 } as const);
export type CodeKeyName = keyof typeof CODE_KEY_IDS;

/** What a code says in the clear (signed, not secret). */
export interface CodeHeader {
  codeId: Uint8Array;
  /** Unix seconds. */
  issuedAt: number;
  expiresAt: number;
  model: string;
  site: string;
  device: string;
  host: string;
  port: number;
  tls: boolean;
  /** "" when the broker's certificate names `host`. */
  tlsName: string;
  /** DER; empty when there is none (plain MQTT on loopback). */
  ca: Uint8Array;
}

export interface CodeSecrets {
  user: string;
  pass: string;
  keys: ReadonlyArray<{ name: CodeKeyName; value: Uint8Array }>;
}

/** A record split into its parts; `signed` is every byte the signature covers, `sealed` what the MAC covers. */
export interface CodeRecord {
  header: CodeHeader;
  sealedSecrets: Uint8Array;
  sealMac: Uint8Array;
  /** The record up to the seal MAC (what the MAC covers). */
  macCovers: Uint8Array;
  /** The record up to the signature (what the signature covers). */
  signed: Uint8Array;
  signature: Uint8Array;
}

/** The record up to (not including) the seal MAC. Throws RangeError on a field out of range. */
export function encodeHeader(header: CodeHeader, sealedSecrets: Uint8Array): Uint8Array {
  const out = new ByteWriter();
  out.u8(CODE_VERSION);
  out.fixed(header.codeId, CODE_ID_BYTES, 'codeId');
  out.u32(header.issuedAt, 'issuedAt');
  out.u32(header.expiresAt, 'expiresAt');
  out.u8(header.tls ? FLAG_TLS : 0);
  out.u16(header.port, 'port');
  for (const [name, text] of [['model', header.model], ['site', header.site], ['device', header.device], ['host', header.host], ['tlsName', header.tlsName]] as const) out.str8(text, name);
  out.bin16(header.ca, 'ca');
  out.bin16(sealedSecrets, 'secrets');
  return out.bytes();
}

/** Splits a record; a string says what is wrong with its form. */
export function decodeRecord(record: Uint8Array): CodeRecord | string {
  const input = new ByteReader(record);
  const version = input.u8();
  if (version !== CODE_VERSION) return version === undefined ? 'empty' : `unsupported version ${version}`;
  const codeId = input.take(CODE_ID_BYTES);
  const issuedAt = input.u32();
  const expiresAt = input.u32();
  const flags = input.u8();
  const port = input.u16();
  const texts = ['model', 'site', 'device', 'host', 'tlsName'].map(() => input.str8());
  const ca = input.bin16();
  const sealedSecrets = input.bin16();
  const macEnd = input.at;
  const sealMac = input.take(SEAL_MAC_BYTES);
  const signedEnd = input.at;
  const signature = input.take(SIGNATURE_BYTES);
  if (!signature || !sealMac || !sealedSecrets || !ca || texts.includes(undefined) || port === undefined || flags === undefined
    || issuedAt === undefined || expiresAt === undefined || !codeId) return 'truncated, or a text field is not UTF-8';
  if (!input.done) return `${record.length - input.at} bytes after the signature`;
  if ((flags & ~FLAG_TLS) !== 0) return `unknown flags ${flags}`;
  const [model, site, device, host, tlsName] = texts as string[];
  return {
    header: { codeId, issuedAt, expiresAt, model: model!, site: site!, device: device!, host: host!, port, tls: (flags & FLAG_TLS) !== 0, tlsName: tlsName!, ca },
    sealedSecrets,
    sealMac,
    macCovers: record.subarray(0, macEnd),
    signed: record.subarray(0, signedEnd),
    signature,
  };
}

export function encodeSecrets(secrets: CodeSecrets): Uint8Array {
  const out = new ByteWriter();
  out.str8(secrets.user, 'user');
  out.str8(secrets.pass, 'pass');
  out.u8(secrets.keys.length);
  for (const { name, value } of secrets.keys) {
    out.u8(CODE_KEY_IDS[name]);
    out.bin8(value, name);
  }
  return out.bytes();
}

export function decodeSecrets(bytes: Uint8Array): CodeSecrets | string {
  const input = new ByteReader(bytes);
  const user = input.str8();
  const pass = input.str8();
  const count = input.u8();
  if (user === undefined || pass === undefined || count === undefined) return 'secrets truncated';
  const keys: Array<{ name: CodeKeyName; value: Uint8Array }> = [];
  for (let i = 0; i < count; i++) {
    const id = input.u8();
    const value = input.bin8();
    if (id === undefined || value === undefined) return 'secrets truncated';
    const name = keyNameOf(id);
    if (name === undefined) return `unknown key id ${id}`;
    if (keys.some((key) => key.name === name)) return `key ${name} twice`;
    keys.push({ name, value });
  }
  if (!input.done) return 'bytes after the secrets';
  return { user, pass, keys };
}

function keyNameOf(id: number): CodeKeyName | undefined {
  for (const name of Object.keys(CODE_KEY_IDS) as CodeKeyName[]) if (CODE_KEY_IDS[name] === id) return name;
  return undefined;
}

class ByteWriter {
  #parts: number[] = [];

  u8(value: number): void {
    this.#parts.push(value & 0xff);
  }

  u16(value: number, name: string): void {
    checkRange(name, value, 0xffff);
    this.#parts.push(value >> 8, value & 0xff);
  }

  u32(value: number, name: string): void {
    checkRange(name, value, 0xffff_ffff);
    this.#parts.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  fixed(bytes: Uint8Array, length: number, name: string): void {
    if (bytes.length !== length) throw new RangeError(`code: ${name} must be ${length} bytes`);
    for (let i = 0; i < bytes.length; i++) this.#parts.push(bytes[i]!);
  }

  str8(text: string, name: string): void {
    this.bin8(utf8Encode(text), name);
  }

  bin8(bytes: Uint8Array, name: string): void {
    checkRange(`${name} length`, bytes.length, 0xff);
    this.u8(bytes.length);
    this.fixed(bytes, bytes.length, name);
  }

  bin16(bytes: Uint8Array, name: string): void {
    this.u16(bytes.length, `${name} length`);
    this.fixed(bytes, bytes.length, name);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

/** Reads fields in order; every read past the end gives undefined (and so does every read after it). */
class ByteReader {
  #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get at(): number {
    return this.#at;
  }

  get done(): boolean {
    return this.#at === this.#bytes.length;
  }

  take(count: number): Uint8Array | undefined {
    if (this.#at + count > this.#bytes.length) {
      this.#at = this.#bytes.length + 1;
      return undefined;
    }
    const part = this.#bytes.subarray(this.#at, this.#at + count);
    this.#at += count;
    return part;
  }

  u8(): number | undefined {
    return this.take(1)?.[0];
  }

  u16(): number | undefined {
    const bytes = this.take(2);
    return bytes && (bytes[0]! << 8) | bytes[1]!;
  }

  u32(): number | undefined {
    const bytes = this.take(4);
    return bytes && ((bytes[0]! << 24) >>> 0) + ((bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!);
  }

  bin8(): Uint8Array | undefined {
    const length = this.u8();
    return length === undefined ? undefined : this.take(length);
  }

  bin16(): Uint8Array | undefined {
    const length = this.u16();
    return length === undefined ? undefined : this.take(length);
  }

  /** Strict UTF-8 (no lone surrogates, no overlongs): a code is all-or-nothing. */
  str8(): string | undefined {
    const bytes = this.bin8();
    return bytes && utf8DecodeStrict(bytes);
  }
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`code: ${name} must be an integer 0…${max}, got ${value}`);
}
