// Persistent storage. Two kinds, matching what ESP32 flash offers:
// - KeyValueStore: small settings (Moddable `preference`, ESP-IDF NVS). A write of one key is atomic.
//   Keys and domains are at most 15 characters, values at most 4000 bytes (a string 3999 UTF-8 bytes: NVS
//   stores its NUL). Write rarely: flash wears.
// - FlashPartition: a raw data partition (Moddable `flash`), NOR semantics: erase sets a block to 0xFF,
//   a write can only clear bits, and a write cut by power loss may leave any prefix of its bytes written.

export type StoredValue = string | number | boolean | ArrayBuffer;

export const KEY_MAX_LENGTH = 15;
export const VALUE_MAX_BYTES = 4000;

export interface KeyValueStore {
  get(domain: string, key: string): StoredValue | undefined;
  /** Durable when it returns. Throws on a bad key or an oversized value. */
  set(domain: string, key: string, value: StoredValue): void;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

export interface FlashPartition {
  readonly byteLength: number;
  /** Erase unit in bytes (4096 on ESP32). */
  readonly blockSize: number;
  read(offset: number, byteLength: number): ArrayBuffer;
  /** NOR write: result = old AND new. Durable when it returns. */
  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void;
  /** Erases block number `block` (offset block * blockSize) to 0xFF. */
  erase(block: number): void;
}

export interface Storage {
  readonly kv: KeyValueStore;
  /** A named data partition (from the board's partition table), or undefined when the board has none. */
  partition(name: string): FlashPartition | undefined;
  /**
   * Optional: erases the whole key-value store in flash at once (ESP-IDF: every sector of the NVS partition), which
   * deleting key by key does not (NVS leaves a deleted value in flash until it reclaims its page). The store is empty
   * and usable when it returns; throws when the erase failed. The factory reset uses it (firmware/lifecycle/factory-reset.ts).
   */
  eraseKeyValue?(): void;
}
