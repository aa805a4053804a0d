// The broker's CA certificate as an installer provisions it (kv `prov`/`ca`): PEM text or DER bytes, one
// certificate. Checked here, at boot, so a bad value is reported as such instead of as a failed TLS handshake.
// Only the DER framing is checked (an X.509 certificate is a SEQUENCE whose first element, the signed part, is a
// SEQUENCE); the TLS stack parses the rest.
import { decodeBase64 } from '../lib/base64.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** The certificate's DER bytes, or why the value is not one certificate. */
export function parseCaCertificate(value: unknown): Uint8Array | string {
  if (typeof value === 'string') return fromPem(value);
  if (value instanceof ArrayBuffer) return checkDer(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return checkDer(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  return `expected PEM text or DER bytes, got ${typeof value}`;
}

function fromPem(text: string): Uint8Array | string {
  const begin = text.indexOf(BEGIN);
  if (begin < 0) return `PEM text without "${BEGIN}"`;
  const end = text.indexOf(END, begin);
  if (end < 0) return `PEM text without "${END}"`;
  if (text.indexOf(BEGIN, end) >= 0) return 'more than one certificate; provision only the CA that signed the broker\'s certificate';
  const body = text.slice(begin + BEGIN.length, end).replace(/\s+/g, '');
  const der = decodeBase64(body);
  if (der === undefined) return 'PEM body is not base64';
  return checkDer(der);
}

function checkDer(bytes: Uint8Array): Uint8Array | string {
  const outer = readHeader(bytes, 0);
  if (outer === undefined || bytes[0] !== 0x30) return 'not a DER certificate (it must start with a SEQUENCE)';
  if (outer.end !== bytes.length) return `DER length ${outer.end} does not match the ${bytes.length} bytes given`;
  const signed = readHeader(bytes, outer.contentStart);
  if (signed === undefined || bytes[outer.contentStart] !== 0x30 || signed.end > bytes.length)
    return 'not an X.509 certificate (no signed part)';
  return bytes;
}

/** The content start and end of the DER element at `at`, when its length is well-formed (definite, ≤ 4 bytes). */
function readHeader(bytes: Uint8Array, at: number): { contentStart: number; end: number } | undefined {
  if (at + 2 > bytes.length) return undefined;
  const first = bytes[at + 1]!;
  if (first < 0x80) return { contentStart: at + 2, end: at + 2 + first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || at + 2 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
  return { contentStart: at + 2 + count, end: at + 2 + count + length };
}
