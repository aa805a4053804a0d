// Use counts of limited visitor passes: one key-value record (domain `door`, key `passUses`) holding up to
// CAPACITY entries of 9 bytes (pass id u32, valid-to u32 Unix seconds, uses u8), rewritten once per counted use.
// Entries of passes past their window are dropped first: such a pass is refused anyway. When the table is full
// of live passes, the one whose window ends first makes room (and could then be used afresh: the capacity is
// sized so that a door never has that many limited passes live at once).
import type { KeyValueStore } from '../../../hal/contract/index.js';

export const PASS_USES_CAPACITY = 256;
const ENTRY_BYTES = 9;
const KV_DOMAIN = 'door';
const KV_KEY = 'passUses';

interface Entry {
  passId: number;
  validTo: number;
  uses: number;
}

export class PassUses {
  #kv: KeyValueStore;
  #entries: Entry[];

  constructor(kv: KeyValueStore) {
    this.#kv = kv;
    this.#entries = load(kv.get(KV_DOMAIN, KV_KEY));
  }

  get size(): number {
    return this.#entries.length;
  }

  uses(passId: number): number {
    return this.#entries.find((entry) => entry.passId === passId)?.uses ?? 0;
  }

  /** Counts one use (durable when it returns). `nowS` lets expired entries go. Returns the new count. */
  count(passId: number, validTo: number, nowS: number): number {
    let entries = this.#entries.filter((entry) => entry.validTo >= nowS || entry.passId === passId);
    let entry = entries.find((candidate) => candidate.passId === passId);
    if (!entry) {
      if (entries.length >= PASS_USES_CAPACITY) {
        entries = entries.slice().sort((a, b) => a.validTo - b.validTo).slice(entries.length - PASS_USES_CAPACITY + 1);
      }
      entry = { passId, validTo, uses: 0 };
      entries.push(entry);
    }
    entry.uses = Math.min(entry.uses + 1, 0xff);
    this.#kv.set(KV_DOMAIN, KV_KEY, save(entries));
    this.#entries = entries;
    return entry.uses;
  }
}

function load(stored: unknown): Entry[] {
  if (!(stored instanceof ArrayBuffer) || stored.byteLength % ENTRY_BYTES !== 0) return [];
  const view = new DataView(stored);
  const entries: Entry[] = [];
  for (let at = 0; at < stored.byteLength; at += ENTRY_BYTES) {
    entries.push({ passId: view.getUint32(at), validTo: view.getUint32(at + 4), uses: view.getUint8(at + 8) });
  }
  return entries.slice(-PASS_USES_CAPACITY);
}

function save(entries: Entry[]): ArrayBuffer {
  const buffer = new ArrayBuffer(entries.length * ENTRY_BYTES);
  const view = new DataView(buffer);
  entries.forEach((entry, i) => {
    view.setUint32(i * ENTRY_BYTES, entry.passId);
    view.setUint32(i * ENTRY_BYTES + 4, entry.validTo);
    view.setUint8(i * ENTRY_BYTES + 8, entry.uses);
  });
  return buffer;
}
