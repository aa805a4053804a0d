// Storage in RAM with NOR semantics (erase to 0xFF, a write only clears bits, a write that would set one throws),
// for the cores that need a credential store inside XS without a host call per flash access. Engine-neutral.
import { checkName, checkValue } from '../../../firmware/lib/kv-rules.js';
import type { FlashPartition, KeyValueStore, Storage, StoredValue } from '../../../hal/contract/storage.js';

export class RamFlash implements FlashPartition {
  readonly byteLength: number;
  readonly blockSize: number;
  readonly #bytes: Uint8Array;

  constructor(byteLength: number, blockSize = 4096) {
    this.byteLength = byteLength;
    this.blockSize = blockSize;
    this.#bytes = new Uint8Array(byteLength).fill(0xff);
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.#check(offset, byteLength);
    return this.#bytes.slice(offset, offset + byteLength).buffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    this.#check(offset, byteLength);
    const data = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    if (data.length < byteLength) throw new RangeError(`flash: write of ${byteLength} bytes from a buffer of ${data.length}`);
    for (let i = 0; i < byteLength; i++) {
      const old = this.#bytes[offset + i]!;
      const next = data[i]!;
      if ((old & next) !== next) throw new Error(`flash: write at ${offset + i} needs an erase (0x${old.toString(16)} → 0x${next.toString(16)})`);
      this.#bytes[offset + i] = old & next;
    }
  }

  erase(block: number): void {
    if (!Number.isInteger(block) || block < 0 || (block + 1) * this.blockSize > this.byteLength) throw new RangeError(`flash: no block ${block}`);
    this.#bytes.fill(0xff, block * this.blockSize, (block + 1) * this.blockSize);
  }

  reset(): void {
    this.#bytes.fill(0xff);
  }

  #check(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(byteLength) || offset < 0 || byteLength < 0 || offset + byteLength > this.byteLength) {
      throw new RangeError(`flash: ${byteLength} bytes at ${offset} is outside the partition (${this.byteLength})`);
    }
  }
}

export class RamKeyValueStore implements KeyValueStore {
  readonly #values = new Map<string, StoredValue>();

  get(domain: string, key: string): StoredValue | undefined {
    const value = this.#values.get(`${domain}\u0000${key}`);
    return value instanceof ArrayBuffer ? value.slice(0) : value;
  }

  set(domain: string, key: string, value: StoredValue): void {
    checkName('domain', domain);
    checkName('key', key);
    checkValue(value);
    this.#values.set(`${domain}\u0000${key}`, value instanceof ArrayBuffer ? value.slice(0) : value);
  }

  delete(domain: string, key: string): void {
    this.#values.delete(`${domain}\u0000${key}`);
  }

  keys(domain: string): string[] {
    const prefix = `${domain}\u0000`;
    return [...this.#values.keys()].filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
  }

  clear(): void {
    this.#values.clear();
  }
}

export class RamStorage implements Storage {
  readonly kv = new RamKeyValueStore();
  readonly #partitions = new Map<string, RamFlash>();

  constructor(partitions: Record<string, number>) {
    for (const [name, size] of Object.entries(partitions)) this.#partitions.set(name, new RamFlash(size));
  }

  partition(name: string): RamFlash | undefined {
    return this.#partitions.get(name);
  }

  /** Back to erased flash and an empty key-value store. */
  reset(): void {
    this.kv.clear();
    for (const flash of this.#partitions.values()) flash.reset();
  }
}
