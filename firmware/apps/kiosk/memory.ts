// What the kiosk remembers for the screen model (KioskMemory), in its key-value domain: elderly mode per card and
// the queue ticket counter. Written on a change only (a resident switching mode, a ticket taken), never per tap.
// Elderly mode is kept per card under a 6-byte tag of the card's keyed hash (12 hex digits): a tag collision
// only shares a display mode, and 256 tags fit one record (13 bytes each, 3328 bytes < 3999). Least recently
// switched first: the oldest is forgotten when the record is full.
import type { KeyValueStore } from '../../../hal/contract/index.js';
import type { KioskMemory } from './screen/machine.js';

const ELDERLY_KEY = 'elderly';
const TICKET_KEY = 'ticket';
const TAG_CHARS = 12;
const ENTRY_CHARS = TAG_CHARS + 1;
export const ELDERLY_MAX = 256;
/** Desk numbers run 1–999, then start again. */
export const TICKET_MAX = 999;

export class KioskStore implements KioskMemory {
  #kv: KeyValueStore;
  #domain: string;
  /** tag → '1' (elderly) or '0' (standard), in insertion order (oldest first). */
  #modes = new Map<string, string>();

  constructor(kv: KeyValueStore, domain: string) {
    this.#kv = kv;
    this.#domain = domain;
    const text = kv.get(domain, ELDERLY_KEY);
    if (typeof text !== 'string') return;
    for (let i = 0; i + ENTRY_CHARS <= text.length; i += ENTRY_CHARS) {
      const tag = text.slice(i, i + TAG_CHARS);
      const mode = text[i + TAG_CHARS]!;
      if (/^[0-9a-f]{12}$/.test(tag) && (mode === '0' || mode === '1')) this.#modes.set(tag, mode);
    }
  }

  /** Cards with a remembered mode. */
  get remembered(): number {
    return this.#modes.size;
  }

  elderly(residentHash: string): boolean | undefined {
    const mode = this.#modes.get(residentHash.slice(0, TAG_CHARS));
    return mode === undefined ? undefined : mode === '1';
  }

  rememberElderly(residentHash: string, on: boolean): void {
    const tag = residentHash.slice(0, TAG_CHARS);
    const mode = on ? '1' : '0';
    if (this.#modes.get(tag) === mode) return;
    this.#modes.delete(tag);
    this.#modes.set(tag, mode);
    while (this.#modes.size > ELDERLY_MAX) this.#modes.delete(this.#modes.keys().next().value!);
    let text = '';
    for (const [t, m] of this.#modes) text += t + m;
    this.#kv.set(this.#domain, ELDERLY_KEY, text);
  }

  nextTicket(): number {
    const last = this.#kv.get(this.#domain, TICKET_KEY);
    const next = typeof last === 'number' && last >= 1 && last < TICKET_MAX ? last + 1 : 1;
    this.#kv.set(this.#domain, TICKET_KEY, next);
    return next;
  }
}
