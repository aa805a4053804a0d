// The platform's side of signed firmware updates (docs/protocol.md §18): an image cut into chunks, each chunk's link
// hash announced by the chunk before it (the signed manifest's `head` for the first), and the manifest signed with the
// firmware key (P-256, raw r‖s, the same form as the provisioning key's: `provisioning-key` makes either).
import { createHash, sign, type KeyObject } from 'node:crypto';
import { chunkLength, linkBytes, MAX_OTA_CHUNK_BYTES, otaSigningText, type SignedOtaManifest } from '../../firmware/lifecycle/ota-manifest.js';

export interface OtaChunk {
  n: number;
  /** Base64 of the chunk's bytes. */
  data: string;
  /** Hex link hash of the next chunk; absent on the last. */
  next?: string;
}

export interface OtaImage {
  manifest: SignedOtaManifest;
  chunks: OtaChunk[];
}

export interface OtaImageRequest {
  model: string;
  version: string;
  /** Default 4096, the largest a command carries. */
  chunkBytes?: number;
}

/** Signs `bytes` as an update for `request.model`: the manifest for ota.begin and every ota.chunk's args. */
export function makeOtaImage(bytes: Uint8Array, request: OtaImageRequest, signingKey: KeyObject): OtaImage {
  const chunkBytes = request.chunkBytes ?? MAX_OTA_CHUNK_BYTES;
  const size = bytes.length;
  const count = Math.ceil(size / chunkBytes);
  const shape = { size, chunkBytes, chunks: count };
  // From the last chunk back: each link needs the hash of the one after it.
  const chunks: OtaChunk[] = new Array<OtaChunk>(count);
  let next: Buffer | undefined;
  for (let n = count - 1; n >= 0; n--) {
    const data = bytes.subarray(n * chunkBytes, n * chunkBytes + chunkLength(shape, n));
    chunks[n] = { n, data: Buffer.from(data).toString('base64'), ...(next ? { next: next.toString('hex') } : {}) };
    next = createHash('sha256').update(linkBytes(n, data, next)).digest();
  }
  const unsigned = { model: request.model, version: request.version, size, chunkBytes, chunks: count, head: next!.toString('hex') };
  const sig = sign('sha256', Buffer.from(otaSigningText(unsigned), 'utf8'), { key: signingKey, dsaEncoding: 'ieee-p1363' }).toString('hex');
  return { manifest: { ...unsigned, sig }, chunks };
}
