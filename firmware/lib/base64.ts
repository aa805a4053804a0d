// Base64 decoding (RFC 4648, standard alphabet, padded) for firmware: XS has no atob.

/** The 6-bit value of a base64 character code, or -1 for anything outside the alphabet. */
function valueOf(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // A–Z
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26; // a–z
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52; // 0–9
  if (code === 0x2b) return 62; // +
  if (code === 0x2f) return 63; // /
  return -1;
}

/**
 * Decodes padded base64. Returns undefined when the text is not base64: a length that is not a multiple of 4,
 * a character outside the alphabet, or padding anywhere but the last one or two places.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let written = 0;
  let bits = 0;
  let pending = 0;
  for (let i = 0; i < text.length - padding; i++) {
    const value = valueOf(text.charCodeAt(i));
    if (value < 0) return undefined;
    bits = ((bits << 6) | value) & 0xffffff;
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out[written++] = (bits >> pending) & 0xff;
    }
  }
  return written === out.length ? out : undefined;
}
