// The key-value store (Moddable `Preference` / ESP-IDF NVS) in memory, optionally saved to a JSON file.
// Enforces the same rules as the Moddable binding (firmware/lib/kv-rules.ts) so code that works here works on the
// ESP32: domain and key 1..15 printable ASCII characters; numbers only as 32-bit integers; strings without NUL
// and at most 3999 UTF-8 bytes (NVS counts the terminating NUL in its 4000); ArrayBuffers at most 4000 bytes.
// Each set and delete is atomic: a write cut by power loss (PowerRail) does not happen at all.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { checkName, checkValue } from '../../../firmware/lib/kv-rules.js';
import type { KeyValueStore, StoredValue } from '../../contract/storage.js';
import { fromHex, toHex } from '../../../firmware/lib/hex.js';
import { type FailOptions, PowerLoss, PowerRail } from './power.js';

export { PowerLoss };

export interface MemoryKeyValueStoreOptions {
  /** Share one supply with other storage of the same device. */
  power?: PowerRail;
}

type SavedValue =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'bytes'; value: string };

type SavedStore = Record<string, Record<string, SavedValue>>;

export class MemoryKeyValueStore implements KeyValueStore {
  readonly power: PowerRail;
  /** Sets and deletes that changed the store. */
  writes = 0;
  #domains = new Map<string, Map<string, StoredValue>>();
  #path: string | undefined;

  constructor(options: MemoryKeyValueStoreOptions = {}) {
    this.power = options.power ?? new PowerRail();
  }

  /** A store saved to `path` after every change (loaded from it if it exists). */
  static open(path: string, options: MemoryKeyValueStoreOptions = {}): MemoryKeyValueStore {
    const store = new MemoryKeyValueStore(options);
    if (existsSync(path)) store.#load(JSON.parse(readFileSync(path, 'utf8')) as SavedStore, path);
    store.#path = path;
    return store;
  }

  failAfterWrites(count: number, options: FailOptions = {}): void {
    this.power.failAfterWrites(count, options);
  }

  powerOn(): void {
    this.power.powerOn();
  }

  get(domain: string, key: string): StoredValue | undefined {
    checkName('domain', domain);
    checkName('key', key);
    this.power.check();
    const value = this.#domains.get(domain)?.get(key);
    return value instanceof ArrayBuffer ? value.slice(0) : value;
  }

  set(domain: string, key: string, value: StoredValue): void {
    checkName('domain', domain);
    checkName('key', key);
    const stored = copied(checkValueAt(domain, key, value));
    if (this.power.gate().cut) throw new PowerLoss(`power lost before kv set ${domain}/${key}`);
    let entries = this.#domains.get(domain);
    if (!entries) this.#domains.set(domain, (entries = new Map()));
    entries.set(key, stored);
    this.writes++;
    this.#save();
  }

  delete(domain: string, key: string): void {
    checkName('domain', domain);
    checkName('key', key);
    this.power.check();
    const entries = this.#domains.get(domain);
    if (!entries?.has(key)) return;
    if (this.power.gate().cut) throw new PowerLoss(`power lost before kv delete ${domain}/${key}`);
    entries.delete(key);
    if (entries.size === 0) this.#domains.delete(domain);
    this.writes++;
    this.#save();
  }

  keys(domain: string): string[] {
    checkName('domain', domain);
    this.power.check();
    return [...(this.#domains.get(domain)?.keys() ?? [])];
  }

  #save(): void {
    if (this.#path === undefined) return;
    const saved: SavedStore = {};
    for (const [domain, entries] of this.#domains) {
      const out: Record<string, SavedValue> = (saved[domain] = {});
      for (const [key, value] of entries) out[key] = toSaved(value);
    }
    // Write then rename, so a crash of the simulator never leaves half a file.
    const temporary = `${this.#path}.tmp`;
    writeFileSync(temporary, JSON.stringify(saved, null, 2));
    renameSync(temporary, this.#path);
  }

  #load(saved: SavedStore, path: string): void {
    for (const [domain, entries] of Object.entries(saved)) {
      for (const [key, entry] of Object.entries(entries)) {
        try {
          checkName('domain', domain);
          checkName('key', key);
          const value = entry.type === 'bytes' ? fromHex(entry.value).buffer as ArrayBuffer : entry.value;
          const stored = copied(checkValueAt(domain, key, value));
          let map = this.#domains.get(domain);
          if (!map) this.#domains.set(domain, (map = new Map()));
          map.set(key, stored);
        } catch (error) {
          throw new Error(`kv: ${path}: bad entry ${domain}/${key}: ${(error as Error).message}`);
        }
      }
    }
  }
}

function toSaved(value: StoredValue): SavedValue {
  if (value instanceof ArrayBuffer) return { type: 'bytes', value: toHex(value) };
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'number') return { type: 'number', value };
  return { type: 'boolean', value };
}

/** The shared rules, with the entry named in the error. */
function checkValueAt(domain: string, key: string, value: StoredValue): StoredValue {
  try {
    return checkValue(value);
  } catch (error) {
    const message = (error as Error).message.replace(/^kv: /, `kv: ${domain}/${key}: `);
    throw error instanceof RangeError ? new RangeError(message) : new TypeError(message);
  }
}

/** The store keeps its own copy of an ArrayBuffer. */
function copied(value: StoredValue): StoredValue {
  return value instanceof ArrayBuffer ? value.slice(0) : value;
}
