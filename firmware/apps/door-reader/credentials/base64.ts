// Base64 (RFC 4648, padded) without engine globals: XS on the device has no atob. The protocol validator has
// already checked the syntax (isBase64); this decoder still refuses anything else rather than guess.
import { isBase64 } from '../../../protocol/cred-sync.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c === 43 ? 62 : 63;
}

/** Decodes padded base64; throws a SyntaxError on anything else. */
export function base64Decode(text: string): Uint8Array {
  if (!isBase64(text, Number.MAX_SAFE_INTEGER)) throw new SyntaxError('base64: malformed');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    const word = (sextet(text.charCodeAt(i)) << 18) | (sextet(text.charCodeAt(i + 1)) << 12) |
      ((text.charCodeAt(i + 2) === 61 ? 0 : sextet(text.charCodeAt(i + 2))) << 6) |
      (text.charCodeAt(i + 3) === 61 ? 0 : sextet(text.charCodeAt(i + 3)));
    bytes[at++] = word >> 16;
    if (at < bytes.length) bytes[at++] = (word >> 8) & 0xff;
    if (at < bytes.length) bytes[at++] = word & 0xff;
  }
  return bytes;
}

export function base64Encode(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const left = bytes.length - i;
    const word = (bytes[i]! << 16) | ((left > 1 ? bytes[i + 1]! : 0) << 8) | (left > 2 ? bytes[i + 2]! : 0);
    text += ALPHABET[word >> 18]! + ALPHABET[(word >> 12) & 63]! +
      (left > 1 ? ALPHABET[(word >> 6) & 63]! : '=') + (left > 2 ? ALPHABET[word & 63]! : '=');
  }
  return text;
}
