// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the zlib/PNG checksum. The 1 KB table is built on
// first use. Chain calls to checksum data in pieces: crc32(b, crc32(a)) === crc32(a + b).

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const result = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    result[n] = c >>> 0;
  }
  return result;
}

export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = (table ??= makeTable());
  let crc = ~previous;
  for (let i = 0; i < bytes.length; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
