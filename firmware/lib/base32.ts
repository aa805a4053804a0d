// RFC 4648 base32 without padding. Its alphabet (A–Z, 2–7) lies inside the QR code alphanumeric set, so a code
// encodes at 5.5 bits per character instead of the 8 of byte mode (visitor passes, provisioning codes).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += ALPHABET[(buffer >> bits) & 31]!;
    }
    buffer &= 0xff;
  }
  if (bits > 0) text += ALPHABET[(buffer << (5 - bits)) & 31]!;
  return text;
}

/** Decodes upper-case base32 without padding; undefined for any other character or leftover non-zero bits. */
export function base32Decode(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const value = ALPHABET.indexOf(text[i]!);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (buffer >> bits) & 0xff;
    }
  }
  // Canonical form only: the spare low bits of the last character must be zero.
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}
