// What ESP-IDF NVS (behind Moddable's Preference) accepts, checked before a write so that a bad value fails with
// a reason instead of NVS's bare "nvs set fail" or, for numbers, silent truncation to int32. Engine-neutral:
// both bindings enforce these same rules, so code that passes on the host also passes on the device.
import { utf8Length } from './utf8.js';
import type { StoredValue } from '../../hal/contract/storage.js';
import { KEY_MAX_LENGTH, VALUE_MAX_BYTES } from '../../hal/contract/storage.js';

/**
 * The rules:
 * - domains and keys: 1–15 printable ASCII characters;
 * - numbers: 32-bit signed integers (Preference stores i32 and rejects fractions);
 * - strings: at most 3999 UTF-8 bytes (NVS counts the terminating NUL in its 4000) and no NUL inside;
 * - ArrayBuffers: at most 4000 bytes.
 */
export function checkName(kind: 'domain' | 'key', name: string): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > KEY_MAX_LENGTH)
    throw new RangeError(`kv: ${kind} must be 1–${KEY_MAX_LENGTH} characters, got ${JSON.stringify(name)}`);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`kv: ${kind} ${JSON.stringify(name)} must be printable ASCII`);
  }
}

export function checkValue(value: StoredValue): StoredValue {
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff)
        throw new RangeError(`kv: numbers must be 32-bit integers, got ${value}`);
      return value;
    case 'string': {
      if (value.includes('\u0000')) throw new RangeError('kv: strings cannot contain NUL');
      const bytes = utf8Length(value);
      if (bytes > VALUE_MAX_BYTES - 1) throw new RangeError(`kv: string of ${bytes} UTF-8 bytes exceeds ${VALUE_MAX_BYTES - 1}`);
      return value;
    }
    default: {
      const bytes = toArrayBuffer(value);
      if (!bytes) throw new TypeError(`kv: unsupported value type ${Object.prototype.toString.call(value)}`);
      if (bytes.byteLength > VALUE_MAX_BYTES) throw new RangeError(`kv: value of ${bytes.byteLength} bytes exceeds ${VALUE_MAX_BYTES}`);
      return bytes;
    }
  }
}

/** Preference takes ArrayBuffer instances only; a view is copied into one. */
function toArrayBuffer(value: unknown): ArrayBuffer | undefined {
  if (value instanceof ArrayBuffer) return value;
  if (ArrayBuffer.isView(value)) {
    const copy = new Uint8Array(value.byteLength);
    copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return copy.buffer;
  }
  return undefined;
}
