// UTF-8 with XS's native conversions (ArrayBuffer.fromString, String.fromArrayBuffer): no TextEncoder on XS.

export interface TextCodec {
  encode(text: string): Uint8Array;
  /** Throws on malformed UTF-8. */
  decode(bytes: Uint8Array): string;
}

export const xsTextCodec: TextCodec = Object.freeze({
  encode: (text) => new Uint8Array(ArrayBuffer.fromString(text)),
  /** String.fromArrayBuffer throws TypeError("invalid UTF-8") on malformed input. */
  decode: (bytes) => {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return String.fromArrayBuffer(whole ? bytes.buffer : bytes.slice().buffer);
  },
});
