// Storage on Moddable: key-value over "preference" (ESP-IDF NVS on ESP32) and raw partitions over "flash"; on the
// ESP32 the NVS partition is also erased whole for a factory reset ("nvs-erase", hal/moddable/esp32/nvs-erase.c).
import Flash from 'flash';
import nvsErase from 'nvs-erase';
import Preference from 'preference';
import type { FlashPartition, KeyValueStore, Storage, StoredValue } from '../contract/storage.js';
import { checkName, checkValue } from '../../firmware/lib/kv-rules.js';

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

/** The "nvs-erase" native: eraseAll() returns 0 or the esp_err_t. */
export interface NvsEraseNative {
  eraseAll(): number;
}

export class ModdableStorage implements Storage {
  readonly kv: KeyValueStore = new PreferenceStore();
  /** Only where the build has the native (the ESP32): elsewhere the factory reset deletes key by key. */
  readonly eraseKeyValue?: () => void;
  #partitions = new Map<string, FlashPartition>();
  #log: (level: 'warn', message: string) => void;

  constructor(log: (level: 'warn', message: string) => void = () => {}, nvs: NvsEraseNative | undefined = nvsErase) {
    this.#log = log;
    if (nvs) {
      this.eraseKeyValue = () => {
        const err = nvs.eraseAll();
        if (err !== 0) throw new Error(`kv: erasing the NVS partition failed (esp_err_t ${err})`);
      };
    }
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
