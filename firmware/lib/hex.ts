// Lowercase hex for logs, ids and test fixtures.

const DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (let i = 0; i < input.length; i++) text += DIGITS[input[i]! >> 4]! + DIGITS[input[i]! & 0x0f]!;
  return text;
}

/** Parses hex (either case). Throws a SyntaxError on an odd length or a non-hex character. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new SyntaxError(`hex: odd length ${text.length}`);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = nibble(text.charCodeAt(2 * i));
    const low = nibble(text.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) throw new SyntaxError(`hex: bad character near offset ${2 * i}`);
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/** The value of one hex digit's character code, -1 when it is not one. */
export function nibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** 64 lowercase hex digits: a SHA-256 digest or an HMAC-SHA256 (a manifest's, a signed command's). */
export function isHex64(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
