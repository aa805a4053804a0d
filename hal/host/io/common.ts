// Small helpers shared by the virtual IO classes.
import type { BufferSource } from '../../contract/io.js';

/** Runs a callback later, outside the caller's stack, as a device's event loop would. */
export type Defer = (callback: () => void) => void;

/** A copy of the bytes of an ArrayBuffer or a typed-array view. */
export function bytesOf(buffer: BufferSource): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer.slice(0));
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  }
  throw new TypeError('expected an ArrayBuffer or a typed array');
}

/** A fresh ArrayBuffer holding exactly `bytes`. */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

export function checkByteCount(count: unknown, what: string): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`${what}: byte count must be an integer >= 0, got ${String(count)}`);
  }
  return count;
}

/** Guards an IO instance against use after close(), as ECMA-419 requires. */
export class Closable {
  #closed = false;
  #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  get closed(): boolean {
    return this.#closed;
  }

  check(): void {
    if (this.#closed) throw new Error(`${this.#name} is closed`);
  }

  /** True the first time only. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }
}
