// Firmware updates (docs/protocol.md §18): the commands' names and bounds, the manifest's signing text, the chunk
// links and the version order, shared by the device (ota.ts) and the platform's image tool, so both build the same
// bytes.
//
// An image travels as chunks of `chunkBytes`. Each chunk is verified as it arrives, with constant memory and across
// restarts, by a hash chain (as in Gennaro–Rohatgi stream signing): chunk n comes with the hash of chunk n + 1's link,
// and its own link hash must equal what chunk n − 1 announced (the signed manifest's `head` for chunk 0):
//   link(n) = SHA-256(u32 n ‖ data ‖ next)      head = link(0)      next = link(n + 1), 32 bytes; none for the last
// So a manifest stays small whatever the image's size, and the device keeps only the next expected hash.
import { isHex64 } from '../lib/hex.js';

export const OTA_BEGIN = 'ota.begin';
export const OTA_CHUNK = 'ota.chunk';
export const OTA_APPLY = 'ota.apply';
export const OTA_STATUS = 'ota.status';
export const OTA_APPLIED = 'ota.applied';
export const OTA_ROLLED_BACK = 'ota.rolled_back';

/** Bytes of one chunk: its base64 (5464 characters) leaves room in an 8 KB command. */
export const MAX_OTA_CHUNK_BYTES = 4096;
export const MIN_OTA_CHUNK_BYTES = 256;
export const MAX_OTA_CHUNKS = 65_535;
export const OTA_LINK_BYTES = 32;
export const MAX_OTA_CHUNK_TEXT = Math.ceil(MAX_OTA_CHUNK_BYTES / 3) * 4;

export interface OtaManifest {
  /** The device model the image is built for. */
  model: string;
  /** MAJOR.MINOR.PATCH, each 0 … 65535. */
  version: string;
  /** Bytes of the image. */
  size: number;
  chunkBytes: number;
  chunks: number;
  /** Hex link hash of chunk 0. */
  head: string;
}

export interface SignedOtaManifest extends OtaManifest {
  /** Hex of the raw 64-byte P-256 signature (r‖s) over otaSigningText(). */
  sig: string;
}

/** What the manifest's signature covers: fixed field order, one per line. JSON key order never matters. */
export function otaSigningText(manifest: OtaManifest): string {
  return ['ct-ota/1', manifest.model, manifest.version, String(manifest.size), String(manifest.chunkBytes), String(manifest.chunks), manifest.head].join('\n');
}

/** The bytes one chunk link hashes: u32 n ‖ data ‖ next (empty for the last chunk). */
export function linkBytes(n: number, data: Uint8Array, next: Uint8Array | undefined): Uint8Array {
  const bytes = new Uint8Array(4 + data.length + (next?.length ?? 0));
  bytes[0] = (n >>> 24) & 0xff;
  bytes[1] = (n >>> 16) & 0xff;
  bytes[2] = (n >>> 8) & 0xff;
  bytes[3] = n & 0xff;
  bytes.set(data, 4);
  if (next) bytes.set(next, 4 + data.length);
  return bytes;
}

/** Bytes of chunk n of an image described by `manifest`: chunkBytes, the last one what is left. */
export function chunkLength(manifest: Pick<OtaManifest, 'size' | 'chunkBytes' | 'chunks'>, n: number): number {
  return n < manifest.chunks - 1 ? manifest.chunkBytes : manifest.size - (manifest.chunks - 1) * manifest.chunkBytes;
}

const VERSION = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})$/;
/** A running build's version may carry a suffix (`0.1.0-sim`): ordered by its numbers alone. */
const RUNNING_VERSION = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:[-+][0-9A-Za-z.+-]{0,48})?$/;

/** A version's place in the order (MAJOR, MINOR, PATCH), or undefined when it is not one. `loose`: a suffix allowed. */
export function versionRank(version: string, loose = false): number | undefined {
  const match = (loose ? RUNNING_VERSION : VERSION).exec(version);
  if (!match) return undefined;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (major > 0xffff || minor > 0xffff || patch > 0xffff) return undefined;
  return (major * 0x1_0000 + minor) * 0x1_0000 + patch;
}

const MANIFEST_FIELDS: readonly string[] = Object.freeze(['model', 'version', 'size', 'chunkBytes', 'chunks', 'head']);

/** The first problem of `ota.begin`'s args (strict: only the manifest's fields and sig), or the signed manifest. */
export function checkOtaManifest(args: Record<string, unknown>): SignedOtaManifest | string {
  for (const key of Object.keys(args)) if (key !== 'sig' && !MANIFEST_FIELDS.includes(key)) return `args.${key.slice(0, 32)}: not allowed`;
  const manifest = readOtaManifest(args);
  if (typeof manifest === 'string') return manifest;
  const sig = args.sig;
  if (typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig)) return 'args.sig: expected 128 lowercase hex digits (P-256 r‖s)';
  return { ...manifest, sig };
}

/** The manifest's fields from `fields` (others ignored), or the first problem. */
export function readOtaManifest(fields: Record<string, unknown>): OtaManifest | string {
  const { model, version, size, chunkBytes, chunks, head } = fields;
  if (typeof model !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(model)) return 'args.model: expected a model name';
  if (typeof version !== 'string' || versionRank(version) === undefined) return 'args.version: expected MAJOR.MINOR.PATCH (0 … 65535 each)';
  if (!Number.isSafeInteger(chunkBytes) || (chunkBytes as number) < MIN_OTA_CHUNK_BYTES || (chunkBytes as number) > MAX_OTA_CHUNK_BYTES) {
    return `args.chunkBytes: expected an integer ${MIN_OTA_CHUNK_BYTES} … ${MAX_OTA_CHUNK_BYTES}`;
  }
  if (!Number.isSafeInteger(chunks) || (chunks as number) < 1 || (chunks as number) > MAX_OTA_CHUNKS) return `args.chunks: expected an integer 1 … ${MAX_OTA_CHUNKS}`;
  if (!Number.isSafeInteger(size) || (size as number) < 1) return 'args.size: expected an integer ≥ 1';
  if (Math.ceil((size as number) / (chunkBytes as number)) !== chunks) return 'args.chunks: does not match size and chunkBytes';
  if (!isHex64(head)) return 'args.head: expected 64 lowercase hex digits';
  return { model, version, size: size as number, chunkBytes: chunkBytes as number, chunks: chunks as number, head };
}

export interface OtaChunkArgs {
  version: string;
  n: number;
  data: string;
  /** Hex link hash of chunk n + 1; absent on the last chunk. */
  next?: string;
}

/** The first problem of `ota.chunk`'s args (form only; the session checks the rest), or the args. */
export function checkOtaChunkArgs(args: Record<string, unknown>): OtaChunkArgs | string {
  for (const key of Object.keys(args)) if (!['version', 'n', 'data', 'next'].includes(key)) return `args.${key.slice(0, 32)}: not allowed`;
  const { version, n, data, next } = args;
  if (typeof version !== 'string' || versionRank(version) === undefined) return 'args.version: expected MAJOR.MINOR.PATCH';
  if (!Number.isSafeInteger(n) || (n as number) < 0 || (n as number) >= MAX_OTA_CHUNKS) return 'args.n: expected a chunk index';
  if (typeof data !== 'string' || data.length === 0 || data.length > MAX_OTA_CHUNK_TEXT) return `args.data: expected base64 of 1 … ${MAX_OTA_CHUNK_BYTES} bytes`;
  if (next !== undefined && !isHex64(next)) return 'args.next: expected 64 lowercase hex digits';
  return { version, n: n as number, data, ...(next === undefined ? {} : { next }) };
}

