// Storage on Moddable: key-value over "preference" (ESP-IDF NVS on ESP32) and raw partitions over "flash".
import Flash from 'flash';
import Preference from 'preference';
import type { FlashPartition, KeyValueStore, Storage, StoredValue } from '../contract/storage.js';
import { utf8Length } from '../../firmware/lib/utf8.js';
import { KEY_MAX_LENGTH, VALUE_MAX_BYTES } from '../contract/storage.js';

/**
 * NVS rules, checked before the write so that a bad value fails with a reason instead of NVS's "nvs set fail"
 * (or, for numbers, silent truncation to int32):
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

export class PreferenceStore implements KeyValueStore {
  get(domain: string, key: string): StoredValue | undefined {
    checkName('domain', domain);
    checkName('key', key);
    return Preference.get(domain, key);
  }

  set(domain: string, key: string, value: StoredValue): void {
    checkName('domain', domain);
    checkName('key', key);
    const checked = checkValue(value);
    try {
      Preference.set(domain, key, checked);
    } catch (error) {
      throw new Error(`kv: writing ${domain}/${key} failed (${error instanceof Error ? error.message : String(error)}); NVS may be full`);
    }
  }

  delete(domain: string, key: string): void {
    checkName('domain', domain);
    checkName('key', key);
    Preference.delete(domain, key);
  }

  keys(domain: string): string[] {
    checkName('domain', domain);
    return Preference.keys(domain);
  }
}

/** A data partition from the partition table, with bounds checked here rather than deep in ESP-IDF. */
export class FlashPartitionAdapter implements FlashPartition {
  readonly byteLength: number;
  readonly blockSize: number;
  #flash: Flash;

  constructor(flash: Flash) {
    this.#flash = flash;
    this.byteLength = flash.byteLength;
    this.blockSize = flash.blockSize;
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.#check(offset, byteLength);
    if (byteLength === 0) return new ArrayBuffer(0);
    return this.#flash.read(offset, byteLength) as ArrayBuffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    this.#check(offset, byteLength);
    if (byteLength > buffer.byteLength) throw new RangeError(`flash: write of ${byteLength} bytes from a ${buffer.byteLength}-byte buffer`);
    if (byteLength === 0) return; // the SDK rejects empty writes
    this.#flash.write(offset, byteLength, buffer);
  }

  erase(block: number): void {
    const blocks = Math.floor(this.byteLength / this.blockSize);
    if (!Number.isInteger(block) || block < 0 || block >= blocks) throw new RangeError(`flash: block ${block} outside 0–${blocks - 1}`);
    this.#flash.erase(block);
  }

  #check(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(byteLength) || offset < 0 || byteLength < 0 || offset + byteLength > this.byteLength)
      throw new RangeError(`flash: ${byteLength} bytes at ${offset} outside the ${this.byteLength}-byte partition`);
  }
}

export class ModdableStorage implements Storage {
  readonly kv: KeyValueStore = new PreferenceStore();
  #partitions = new Map<string, FlashPartition>();
  #log: (level: 'warn', message: string) => void;

  constructor(log: (level: 'warn', message: string) => void = () => {}) {
    this.#log = log;
  }

  partition(name: string): FlashPartition | undefined {
    let partition = this.#partitions.get(name);
    if (partition) return partition;
    let flash: Flash;
    try {
      flash = new Flash(name);
    } catch (error) {
      this.#log('warn', `flash partition "${name}": ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    partition = new FlashPartitionAdapter(flash);
    this.#partitions.set(name, partition);
    return partition;
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
