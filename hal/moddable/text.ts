// UTF-8 with XS's native conversions (ArrayBuffer.fromString, String.fromArrayBuffer): no TextEncoder on XS.
import type { TextCodec } from './mqtt.js';

export const xsTextCodec: TextCodec = Object.freeze({
  encode: (text) => new Uint8Array(ArrayBuffer.fromString(text)),
  /** String.fromArrayBuffer throws TypeError("invalid UTF-8") on malformed input. */
  decode: (bytes) => {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return String.fromArrayBuffer(whole ? bytes.buffer : bytes.slice().buffer);
  },
});
